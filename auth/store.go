package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// tokenFileName is the token's file inside Store.Dir.
const tokenFileName = "token.json"

// Store keeps the OAuth token in Dir/token.json: Dir mode 0700, file mode
// 0600, replaced atomically so that a crash or a concurrent reader never
// sees half a token. The methods are safe for concurrent use; concurrent
// Saves leave one whole token.
type Store struct{ Dir string }

// storedToken is the file format. Our own struct, not oauth2.Token's JSON,
// so that an x/oauth2 upgrade cannot change what is on disk.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	ExpiresIn    int64     `json:"expires_in,omitempty"` // the lifetime granted, for the refresh margin
	Scope        string    `json:"scope,omitempty"`
	SavedAt      time.Time `json:"saved_at"`
}

// Path is the token file's path.
func (s *Store) Path() string { return filepath.Join(s.Dir, tokenFileName) }

// permWarned remembers the files whose loose permissions were already
// reported, so the warning is said once per process, not per load.
var permWarned sync.Map

// Load reads the stored token. A missing file is an error wrapping
// remote.ErrAuth that tells the user to log in.
func (s *Store) Load() (*oauth2.Token, error) {
	tok, _, err := s.load()
	return tok, err
}

// load also returns the file's stamp, read from the same open file.
func (s *Store) load() (*oauth2.Token, fileStamp, error) {
	if s.Dir == "" {
		return nil, fileStamp{}, errors.New("token store: no configuration directory")
	}
	f, err := os.Open(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fileStamp{}, &authError{msg: msgNotLoggedIn, sentinel: remote.ErrAuth, cause: fs.ErrNotExist}
	}
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return nil, fileStamp{}, fmt.Errorf("token store: %s is readable by others and cannot be fixed: %w", s.Path(), err)
		}
		if _, said := permWarned.LoadOrStore(s.Path(), true); !said {
			slog.Warn("token file was readable by other users; fixed its mode to 0600", "path", s.Path(), "was", fi.Mode().Perm().String())
		}
	}
	var st storedToken
	dec := json.NewDecoder(f)
	if err := dec.Decode(&st); err != nil {
		// The decoder's message may quote the content: leave it out.
		return nil, fileStamp{}, &authError{msg: fmt.Sprintf("the token file %s is damaged: run `infomaniakfs login`", s.Path()), sentinel: remote.ErrAuth}
	}
	if st.AccessToken == "" && st.RefreshToken == "" {
		return nil, fileStamp{}, &authError{msg: fmt.Sprintf("the token file %s holds no token: run `infomaniakfs login`", s.Path()), sentinel: remote.ErrAuth}
	}
	tok := &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Expiry: st.Expiry, ExpiresIn: st.ExpiresIn}
	if st.Scope != "" {
		tok = tok.WithExtra(map[string]any{"scope": st.Scope})
	}
	return tok, stampOf(fi), nil
}

// Save writes t atomically: a temporary file in Dir, fsync, rename, fsync
// of Dir. Dir is created with mode 0700 when missing.
func (s *Store) Save(t *oauth2.Token) error {
	_, err := s.save(t)
	return err
}

func (s *Store) save(t *oauth2.Token) (fileStamp, error) {
	if t == nil || (t.AccessToken == "" && t.RefreshToken == "") {
		return fileStamp{}, errors.New("token store: refusing to save an empty token")
	}
	if s.Dir == "" {
		return fileStamp{}, errors.New("token store: no configuration directory")
	}
	if err := ensureDir(s.Dir); err != nil {
		return fileStamp{}, err
	}
	st := storedToken{
		AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken,
		Expiry: t.Expiry, ExpiresIn: t.ExpiresIn, SavedAt: time.Now().UTC().Truncate(time.Second),
	}
	if sc, ok := t.Extra("scope").(string); ok {
		st.Scope = sc
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	// CreateTemp makes the file 0600 before any byte of the token is in it.
	tmp, err := os.CreateTemp(s.Dir, ".token-*.tmp")
	if err != nil {
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fileStamp{}, fmt.Errorf("token store: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.Path()); err != nil {
		return fileStamp{}, fmt.Errorf("token store: %w", err)
	}
	syncDir(s.Dir)
	return stampOf(fi), nil
}

// Delete removes the stored token; a missing one is an error wrapping
// fs.ErrNotExist.
func (s *Store) Delete() error {
	if err := os.Remove(s.Path()); err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	syncDir(s.Dir)
	return nil
}

func ensureDir(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("token store: %s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("token store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	// MkdirAll is subject to the umask; the token's directory is not.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	return nil
}

// syncDir makes a rename durable; failures only cost durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// fileStamp identifies one version of the token file, to notice cheaply
// that another process (a `login` in another shell) replaced it.
type fileStamp struct {
	mtime time.Time
	size  int64
	ino   uint64
}

func stampOf(fi fs.FileInfo) fileStamp {
	return fileStamp{mtime: fi.ModTime(), size: fi.Size(), ino: inode(fi)}
}

// stat returns the current stamp of the token file, zero when absent.
func (s *Store) stat() fileStamp {
	fi, err := os.Stat(s.Path())
	if err != nil {
		return fileStamp{}
	}
	return stampOf(fi)
}
