package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zeebo/xxh3"
	"golang.org/x/sync/errgroup"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The direct uploads: the ceiling of the upload ops, plain HTTP against
// the routes infomaniakfs uses (remote/kdrive/write_upload.go), through
// the same WAN proxy. The big file goes through an upload session of
// UpChunk chunks, UpParallel in flight, each read from the source file and
// hashed as it is sent, the finish carrying the hash of the chunks' hashes
// (as kDrive's desktop client does: no second pass over the file); small
// files one direct upload each with total_size and their xxh3, UpParallel
// at a time, into a folder made first. Like remote/kdrive, every upload
// asks for the new file's hash in its answer (with=hash) unless
// --up-with-hash=false.

// directUpBig uploads the big source into Private and waits, as the mounts
// do, for the server's disk (it answered the finish already: no wait).
func (b *bench) directUpBig(ctx context.Context, d *direct) (sample, error) {
	priv, ok := b.findNode("/Private")
	if !ok {
		return sample{}, errors.New("no /Private folder")
	}
	name := b.upName(".bin")
	server := filepath.Join(b.upServerDir(), name)
	src := b.upSrc
	if b.cfg.UpDirtySource {
		// A diagnostic: send from a fresh copy whose pages are still
		// dirty, as a mount's staging file is when its upload ends.
		src = filepath.Join(b.tmp, "upload-src-dirty.bin")
		defer os.Remove(src)
		if _, err := runCmd(ctx, "cp", b.upSrc, src); err != nil {
			return sample{}, err
		}
	}
	defer b.logRequests(b.emu.Counts())
	d.fresh()
	s, err := timed(func() (sample, error) {
		if err := d.uploadSession(ctx, src, priv.ID, name, b.cfg.UpSize, b.cfg.UpChunk, b.cfg.UpParallel, b.cfg.UpWithHash); err != nil {
			return sample{}, err
		}
		_, err := waitFile(ctx, server, b.cfg.UpSize)
		return sample{bytes: b.cfg.UpSize, count: 1}, err
	})
	if err != nil {
		return s, err
	}
	return s, b.checkBig(server)
}

// directUpSmall makes a folder in Private and uploads the small files into it.
func (b *bench) directUpSmall(ctx context.Context, d *direct) (sample, error) {
	priv, ok := b.findNode("/Private")
	if !ok {
		return sample{}, errors.New("no /Private folder")
	}
	name := b.upName("")
	server := filepath.Join(b.upServerDir(), name)
	want, total, err := fileSizes(b.smallSrc())
	if err != nil {
		return sample{}, err
	}
	defer b.logRequests(b.emu.Counts())
	d.fresh()
	s, err := timed(func() (sample, error) {
		if err := d.uploadFolder(ctx, b.smallSrc(), priv.ID, name, want, b.cfg.UpParallel, b.cfg.UpWithHash); err != nil {
			return sample{}, err
		}
		return sample{count: int64(len(want)), bytes: total}, waitTree(ctx, server, want)
	})
	if err != nil {
		return s, err
	}
	return s, sameFiles(b.smallSrc(), server, want)
}

// uploadSession sends src as name in folder dir through an upload session.
func (d *direct) uploadSession(ctx context.Context, src string, dir int64, name string, size, chunk int64, par int, withHash bool) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	chunks := int((size + chunk - 1) / chunk)
	var start struct {
		Token     string `json:"token"`
		UploadURL string `json:"upload_url"`
	}
	err = d.call(ctx, http.MethodPost, d.base+fmt.Sprintf("/3/drive/%d/upload/session/start", d.driveID), jsonBody(map[string]any{
		"file_name": name, "directory_id": dir, "conflict": "error", "total_size": size, "total_chunks": chunks}), &start)
	if err != nil {
		return err
	}
	host := strings.TrimRight(start.UploadURL, "/")
	if host == "" {
		host = d.base
	}
	hashes := make([]string, chunks)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for n := 1; n <= chunks; n++ {
		off := int64(n-1) * chunk
		g.Go(func() error {
			buf := make([]byte, min(chunk, size-off))
			if _, err := f.ReadAt(buf, off); err != nil {
				return err
			}
			hashes[n-1] = fmt.Sprintf("%016x", xxh3.Hash(buf))
			q := url.Values{"chunk_number": {strconv.Itoa(n)}, "chunk_size": {strconv.Itoa(len(buf))}, "chunk_hash": {"xxh3:" + hashes[n-1]}}
			u := fmt.Sprintf("%s/3/drive/%d/upload/session/%s/chunk?%s", host, d.driveID, url.PathEscape(start.Token), q.Encode())
			return d.call(gctx, http.MethodPost, u, octets(buf), nil)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	total := remote.FormatHash(xxh3.HashString(strings.Join(hashes, "")))
	return d.call(ctx, http.MethodPost, d.base+fmt.Sprintf("/3/drive/%d/upload/session/%s/finish%s", d.driveID, url.PathEscape(start.Token), withHashQuery(withHash, "?")),
		jsonBody(map[string]any{"total_chunks": chunks, "total_chunk_hash": total}), nil)
}

// uploadFolder makes folder name in parent and uploads the files of want
// from src into it, par at a time.
func (d *direct) uploadFolder(ctx context.Context, src string, parent int64, name string, want map[string]int64, par int, withHash bool) error {
	var dir struct {
		ID int64 `json:"id"`
	}
	err := d.call(ctx, http.MethodPost, d.base+fmt.Sprintf("/3/drive/%d/files/%d/directory", d.driveID, parent),
		jsonBody(map[string]string{"name": name}), &dir)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for file := range want {
		g.Go(func() error {
			content, err := os.ReadFile(filepath.Join(src, file))
			if err != nil {
				return err
			}
			q := url.Values{"directory_id": {strconv.FormatInt(dir.ID, 10)}, "file_name": {file}, "conflict": {"error"},
				"total_size": {strconv.Itoa(len(content))}, "total_chunk_hash": {remote.Hash(content)}}
			return d.call(gctx, http.MethodPost, d.base+fmt.Sprintf("/3/drive/%d/upload?%s%s", d.driveID, q.Encode(), withHashQuery(withHash, "&")), octets(content), nil)
		})
	}
	return g.Wait()
}

// withHashQuery is the with=hash parameter after sep, or nothing.
func withHashQuery(on bool, sep string) string {
	if !on {
		return ""
	}
	return sep + "with=hash"
}

// body is a request body and its type.
type body struct {
	b     []byte
	ctype string
}

func octets(b []byte) body { return body{b, "application/octet-stream"} }

func jsonBody(v any) body {
	b, _ := json.Marshal(v)
	return body{b, "application/json"}
}

// call sends a request with a body and decodes the envelope's data into
// out (nil: the answer is read and dropped).
func (d *direct) call(ctx context.Context, method, u string, in body, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(in.b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", in.ctype)
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %.300s", method, req.URL.Path, resp.Status, raw)
	}
	if out == nil {
		return nil
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	return json.Unmarshal(env.Data, out)
}
