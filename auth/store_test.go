package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestStoreRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "infomaniakfs")
	st := &Store{Dir: dir}
	exp := time.Now().Add(time.Hour).Round(time.Second)
	in := (&oauth2.Token{AccessToken: "AT-secret-1", TokenType: "Bearer", RefreshToken: "RT-secret-1", Expiry: exp, ExpiresIn: 7200}).
		WithExtra(map[string]any{"scope": "user_info kdrive mail"})
	if err := st.Save(in); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
	assertMode(t, st.Path(), 0o600)
	out, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != in.AccessToken || out.RefreshToken != in.RefreshToken || !out.Expiry.Equal(exp) ||
		out.TokenType != "Bearer" || out.ExpiresIn != 7200 || out.Extra("scope") != "user_info kdrive mail" {
		t.Fatalf("loaded %+v", out)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("stray files left: %v", entries)
	}
	if err := st.Delete(); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Delete: %v", err)
	}
}

func TestStoreUmaskDoesNotLoosen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	st := &Store{Dir: dir}
	if err := st.Save(&oauth2.Token{AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
	// Saving into an existing directory leaves its mode alone (it may be
	// shared, e.g. ~/.config itself).
	shared := t.TempDir()
	os.Chmod(shared, 0o755)
	if err := (&Store{Dir: shared}).Save(&oauth2.Token{AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	assertMode(t, shared, 0o755)
	assertMode(t, filepath.Join(shared, "token.json"), 0o600)
}

func TestStoreLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" = no file
		want    string
	}{
		{"missing", "", "not logged in: run `infomaniakfs login`"},
		{"damaged", `{"access_token": "AT-secret-half`, "damaged"},
		{"empty token", `{"token_type":"Bearer"}`, "holds no token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &Store{Dir: t.TempDir()}
			if tt.content != "" {
				os.WriteFile(st.Path(), []byte(tt.content), 0o600)
			}
			_, err := st.Load()
			if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrAuth %q", err, tt.want)
			}
			assertNoSecret(t, err)
		})
	}
	if err := (&Store{}).Save(&oauth2.Token{AccessToken: "a"}); err == nil {
		t.Error("Save without Dir succeeded")
	}
	if err := (&Store{Dir: t.TempDir()}).Save(&oauth2.Token{}); err == nil {
		t.Error("Save of an empty token succeeded")
	}
}

func TestStoreFixesLoosePermissions(t *testing.T) {
	st := &Store{Dir: t.TempDir()}
	if err := st.Save(&oauth2.Token{AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	os.Chmod(st.Path(), 0o644)
	if _, err := st.Load(); err != nil {
		t.Fatal(err)
	}
	assertMode(t, st.Path(), 0o600)
}

func TestStoreConcurrentSaves(t *testing.T) {
	st := &Store{Dir: t.TempDir()}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.Save(&oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", i), RefreshToken: fmt.Sprintf("rt-%d", i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	tok, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	// One whole token: its access and refresh halves come from one Save.
	if strings.TrimPrefix(tok.AccessToken, "tok-") != strings.TrimPrefix(tok.RefreshToken, "rt-") {
		t.Fatalf("mixed token %+v", tok)
	}
}

func TestStoreStampChangesOnSave(t *testing.T) {
	st := &Store{Dir: t.TempDir()}
	if st.stat() != (fileStamp{}) {
		t.Fatal("stamp of a missing file is not zero")
	}
	s1, err := st.save(&oauth2.Token{AccessToken: "a"})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := st.save(&oauth2.Token{AccessToken: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if s1 == s2 || st.stat() != s2 {
		t.Fatalf("stamps %v %v %v", s1, s2, st.stat())
	}
}
