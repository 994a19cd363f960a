package kdrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// uploadParams are an upload's parameters (additions §5.2-5.3): a new
// file by name with conflict=error, never replaced by name; an overwrite by
// file_id alone.
func uploadParams(u remote.Upload) map[string]string {
	p := map[string]string{"total_size": strconv.FormatInt(u.Size, 10)}
	if u.FileID > 0 {
		p["file_id"] = strconv.FormatInt(u.FileID, 10)
	} else {
		p["file_name"], p["directory_id"], p["conflict"] = u.Name, strconv.FormatInt(u.DirID, 10), "error"
	}
	if !u.MTime.IsZero() {
		p["last_modified_at"] = strconv.FormatInt(u.MTime.Unix(), 10)
	}
	return p
}

func (u uploadWhat) String() string {
	if u.FileID > 0 {
		return fmt.Sprintf("upload of drive %d item %d", u.DriveID, u.FileID)
	}
	return fmt.Sprintf("upload of %q into drive %d folder %d", u.Name, u.DriveID, u.DirID)
}

type uploadWhat remote.Upload

// checkBase fails with ErrConflict when the file an overwrite is based on
// changed or went away since u.BaseVersion.
func (c *Client) checkBase(ctx context.Context, u remote.Upload) error {
	if u.FileID <= 0 || u.BaseVersion == "" {
		return nil
	}
	e, err := c.Stat(ctx, u.DriveID, u.FileID)
	switch {
	case errors.Is(err, remote.ErrNotFound):
		return fmt.Errorf("%s: %w: the file is gone", uploadWhat(u), remote.ErrConflict)
	case err != nil:
		return fmt.Errorf("%s: %w", uploadWhat(u), err)
	case e.Version != u.BaseVersion:
		return fmt.Errorf("%s: %w: version %s, based on %s", uploadWhat(u), remote.ErrConflict, e.Version, u.BaseVersion)
	}
	return nil
}

// Upload sends content in one request with total_size and its xxh3.
func (c *Client) Upload(ctx context.Context, u remote.Upload, content []byte) (remote.Entry, error) {
	what := uploadWhat(u).String()
	if int64(len(content)) != u.Size || u.Size > remote.MaxDirectUpload {
		return remote.Entry{}, fmt.Errorf("%s: %w: %d bytes for a size of %d (at most %d)", what, remote.ErrInvalid, len(content), u.Size, remote.MaxDirectUpload)
	}
	if err := c.checkBase(ctx, u); err != nil {
		return remote.Entry{}, err
	}
	q := url.Values{"with": {"hash"}}
	for k, v := range uploadParams(u) {
		q.Set(k, v)
	}
	if u.Hash != "" {
		q.Set("total_chunk_hash", u.Hash)
	}
	if content == nil {
		content = []byte{} // an explicit Content-Length: 0
	}
	var raw json.RawMessage
	_, err := c.rc.Call(ctx, &remote.Request{Method: http.MethodPost, URL: c.uploadURL(u.DriveID, q),
		Body: content, ContentType: "application/octet-stream"}, &raw)
	if err != nil {
		return c.landed(ctx, u, writeError(err, what, true), remote.ErrExists)
	}
	e, err := c.entryOf(raw, u.DriveID)
	if err != nil {
		return e, writeError(err, what, false)
	}
	return c.keptName(ctx, u, e, what)
}

// renamedByServer reports whether got is the name the service gives a new
// file whose name asked is a folder's ("a.txt" → "a(1).txt"): with
// conflict=error it renames rather than refuses such a clash (additions
// §5.2, the desktop client's witness).
func renamedByServer(asked, got string) bool {
	ext := path.Ext(asked)
	if ext == asked {
		ext = ""
	}
	n, ok := strings.CutPrefix(got, strings.TrimSuffix(asked, ext)+"(")
	if n, ok = strings.CutSuffix(n, ")"+ext); !ok || n == "" {
		return false
	}
	return strings.Trim(n, "0123456789") == ""
}

// keptName holds the contract's "nothing is ever replaced by name, the
// name taken is ErrExists" where the service renamed a new file instead:
// the renamed file goes to the trash (it is ours, and recoverable there).
func (c *Client) keptName(ctx context.Context, u remote.Upload, e remote.Entry, what string) (remote.Entry, error) {
	if u.FileID > 0 || !renamedByServer(u.Name, e.Name) {
		return e, nil
	}
	err := fmt.Errorf("%s: %w: a folder has that name (the service named the file %q)", what, remote.ErrExists, e.Name)
	if terr := c.Trash(ctx, u.DriveID, e.ID); terr != nil {
		return remote.Entry{}, fmt.Errorf("%w; trashing %q: %w", err, e.Name, terr)
	}
	return remote.Entry{}, err
}

// landed recognises an upload an earlier attempt of the same call made
// (its answer lost, the retry refused with sign): the file in place has
// u's size and hash. Otherwise err stands.
func (c *Client) landed(ctx context.Context, u remote.Upload, err error, sign error) (remote.Entry, error) {
	if !errors.Is(err, sign) || u.Hash == "" {
		return remote.Entry{}, err
	}
	var e remote.Entry
	var serr error
	if u.FileID > 0 {
		e, serr = c.Stat(ctx, u.DriveID, u.FileID)
	} else {
		e, serr = c.childNamed(ctx, u.DriveID, u.DirID, u.Name)
	}
	if serr != nil || e.IsDir || e.Size != u.Size {
		return remote.Entry{}, err
	}
	if h, herr := c.Hash(ctx, u.DriveID, e.ID); herr != nil || h != u.Hash {
		return remote.Entry{}, err
	}
	c.log.Debug("kdrive: an earlier attempt of this upload landed", "drive", u.DriveID, "id", e.ID)
	return e, nil
}

// childNamed finds the item called name in folder dir.
func (c *Client) childNamed(ctx context.Context, drive, dir int64, name string) (remote.Entry, error) {
	list, err := c.List(ctx, drive, dir)
	if err != nil {
		return remote.Entry{}, err
	}
	for _, e := range list {
		if e.Name == name {
			return e, nil
		}
	}
	return remote.Entry{}, remote.ErrNotFound
}

// StartSession opens an upload session (POST …/upload/session/start).
func (c *Client) StartSession(ctx context.Context, u remote.Upload, chunks int) (remote.Session, error) {
	what := "session " + uploadWhat(u).String()
	if err := c.checkBase(ctx, u); err != nil {
		return remote.Session{}, err
	}
	p := uploadParams(u)
	p["total_chunks"] = strconv.Itoa(chunks)
	var data struct {
		Token     string `json:"token"`
		UploadURL string `json:"upload_url"`
		FileName  string `json:"file_name"`
	}
	if err := c.postJSON(ctx, http.MethodPost, c.sessionStartURL(u.DriveID), p, &data); err != nil {
		return remote.Session{}, writeError(err, what, true)
	}
	if data.Token == "" {
		return remote.Session{}, fmt.Errorf("%s: %w: no session token", what, remote.ErrInvalid)
	}
	if data.UploadURL == "" {
		data.UploadURL = c.api
	}
	s := remote.Session{DriveID: u.DriveID, Token: data.Token, URL: data.UploadURL, Chunks: chunks}
	if u.FileID <= 0 && renamedByServer(u.Name, data.FileName) {
		err := fmt.Errorf("%s: %w: a folder has that name", what, remote.ErrExists)
		if cerr := c.CancelSession(ctx, s); cerr != nil {
			err = fmt.Errorf("%w; cancelling: %w", err, cerr)
		}
		return remote.Session{}, err
	}
	return s, nil
}

// UploadChunk sends chunk n with its hash; the server keeps the last copy
// of each chunk number, so a retry is harmless. The chunk is read twice,
// streamed both times: once for chunk_hash (it goes in the query, before
// the body), then as the body of each attempt.
func (c *Client) UploadChunk(ctx context.Context, s remote.Session, n int, chunk *io.SectionReader) error {
	what := fmt.Sprintf("chunk %d/%d of an upload session of drive %d", n, s.Chunks, s.DriveID)
	if chunk.Size() > remote.MaxChunk {
		return fmt.Errorf("%s: %w: %d bytes, over the API's %d", what, remote.ErrInvalid, chunk.Size(), remote.MaxChunk)
	}
	sum, got, err := remote.HashReader(ctx, io.NewSectionReader(chunk, 0, chunk.Size()))
	if err == nil && got != chunk.Size() {
		err = fmt.Errorf("%d bytes of %d", got, chunk.Size())
	}
	if err != nil {
		return fmt.Errorf("%s: reading it: %w", what, err)
	}
	q := url.Values{"chunk_number": {strconv.Itoa(n)}, "chunk_size": {strconv.FormatInt(chunk.Size(), 10)},
		"chunk_hash": {sum}}
	_, err = c.rc.Call(ctx, &remote.Request{Method: http.MethodPost, URL: c.sessionChunkURL(s.URL, s.DriveID, s.Token, q),
		BodyAt: chunk, ContentType: "application/octet-stream"}, nil)
	return writeError(err, what, false)
}

// FinishSession ends s; the base version is checked once more first, as
// the chunks took time.
func (c *Client) FinishSession(ctx context.Context, s remote.Session, u remote.Upload) (remote.Entry, error) {
	what := "finishing session " + uploadWhat(u).String()
	if err := c.checkBase(ctx, u); err != nil {
		return remote.Entry{}, err
	}
	body := map[string]string{"total_chunks": strconv.Itoa(s.Chunks)}
	if u.Hash != "" {
		body["total_chunk_hash"] = u.Hash
	}
	if !u.MTime.IsZero() {
		body["last_modified_at"] = strconv.FormatInt(u.MTime.Unix(), 10)
	}
	var data struct {
		File json.RawMessage `json:"file"`
	}
	if err := c.postJSON(ctx, http.MethodPost, c.sessionFinishURL(s.DriveID, s.Token)+"?with=hash", body, &data); err != nil {
		// A finish whose answer was lost leaves a retry facing a session
		// already gone.
		return c.landed(ctx, u, writeError(err, what, true), remote.ErrNotFound)
	}
	e, err := c.entryOf(data.File, u.DriveID)
	if err != nil {
		return e, writeError(err, what, false)
	}
	return c.keptName(ctx, u, e, what)
}

// CancelSession drops s; a session already gone is not an error. The
// service answers 400 for a session already cancelled, finished or
// expired (the desktop client reads it so, additions §5.3), 404 perhaps.
func (c *Client) CancelSession(ctx context.Context, s remote.Session) error {
	err := c.postJSON(ctx, http.MethodDelete, c.sessionCancelURL(s.DriveID, s.Token), nil, nil)
	var ae *remote.APIError
	if errors.Is(err, remote.ErrNotFound) || (errors.As(err, &ae) && ae.Status == http.StatusBadRequest) {
		return nil
	}
	return writeError(err, fmt.Sprintf("cancelling an upload session of drive %d", s.DriveID), false)
}
