package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// direct is the ceiling: a Go HTTP client calling the emulator's API
// through the same WAN proxy, with no file system in between.
type direct struct {
	base    string // WAN proxy in front of the emulator
	token   string
	driveID int64
	bigID   int64
	bigSize int64
	wideID  int64
	client  *http.Client
}

func newDirect(base, token string, driveID, bigID, bigSize, wideID int64) *direct {
	return &direct{
		base: base, token: token, driveID: driveID, bigID: bigID, bigSize: bigSize, wideID: wideID,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}},
	}
}

// fresh drops idle connections so a cold run pays its connection set-up too.
func (d *direct) fresh() { d.client.CloseIdleConnections() }

func (d *direct) do(ctx context.Context, method, path string, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return resp, nil
}

// readRange downloads [off, off+n) of the big file (the 302 to the content
// URL is followed by the client, as infomaniakfs does).
func (d *direct) readRange(ctx context.Context, off, n int64, buf []byte) (int64, error) {
	h := http.Header{}
	if off != 0 || n != d.bigSize {
		h.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	resp, err := d.do(ctx, "GET", fmt.Sprintf("/2/drive/%d/files/%d/download", d.driveID, d.bigID), h)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got, err := io.CopyBuffer(io.Discard, resp.Body, buf)
	if err == nil && got != n {
		err = fmt.Errorf("download: got %d bytes, want %d", got, n)
	}
	return got, err
}

func (d *direct) read(ctx context.Context) (sample, error) {
	d.fresh()
	return timed(func() (sample, error) {
		n, err := d.readRange(ctx, 0, d.bigSize, make([]byte, 1<<20))
		return sample{bytes: n}, err
	})
}

func (d *direct) par8(ctx context.Context) (sample, error) {
	d.fresh()
	return timed(func() (sample, error) {
		return parallelRanges(ctx, d.bigSize, 8, func(off, n int64) (int64, error) {
			return d.readRange(ctx, off, parChunk(d.bigSize), make([]byte, 1<<20))
		})
	})
}

func (d *direct) rand(ctx context.Context, dur time.Duration) (sample, error) {
	d.fresh()
	return randLoop(ctx, d.bigSize, dur, func(buf []byte, off int64) error {
		_, err := d.readRange(ctx, off, int64(len(buf)), buf)
		return err
	})
}

// listAll is the whole drive tree in one call: the snapshot listing.
func (d *direct) listAll(ctx context.Context) (sample, error) {
	d.fresh()
	return timed(func() (sample, error) {
		resp, err := d.do(ctx, "POST", fmt.Sprintf("/2/drive/%d/files/listing/full?directory_id=1&recursive=true&format=safe_csv", d.driveID), nil)
		if err != nil {
			return sample{}, err
		}
		defer resp.Body.Close()
		n, err := countLines(resp.Body)
		return sample{count: n}, err
	})
}

// listWide pages through the wide directory, 1,000 entries per call.
func (d *direct) listWide(ctx context.Context) (sample, error) {
	d.fresh()
	return timed(func() (sample, error) {
		var s sample
		cursor := ""
		for {
			q := url.Values{"limit": {"1000"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			resp, err := d.do(ctx, "GET", fmt.Sprintf("/3/drive/%d/files/%d/files?%s", d.driveID, d.wideID, q.Encode()), nil)
			if err != nil {
				return s, err
			}
			var page struct {
				Data    []json.RawMessage `json:"data"`
				Cursor  string            `json:"cursor"`
				HasMore bool              `json:"has_more"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil {
				return s, err
			}
			s.count += int64(len(page.Data))
			if !page.HasMore || page.Cursor == "" {
				return s, nil
			}
			cursor = page.Cursor
		}
	})
}
