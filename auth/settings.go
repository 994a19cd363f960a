package auth

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// savedSettings are the non-secret settings of the last login, kept beside
// the token so that `status` and `mount` refresh with the client id and
// talk to the hosts the user logged in with, without repeating them. The
// client secret is not among them: it stays in the environment or env file.
type savedSettings struct {
	ClientID    string `json:"client_id,omitempty"`
	RedirectURI string `json:"redirect_uri,omitempty"`
	LoginURL    string `json:"login_url,omitempty"`
	APIURL      string `json:"api_url,omitempty"`
	MailURL     string `json:"mail_url,omitempty"`
}

const settingsFileName = "login.json"

func saveSettings(dir string, c *Config) error {
	b, err := json.MarshalIndent(savedSettings{
		ClientID: c.ClientID, RedirectURI: c.RedirectURI,
		LoginURL: c.LoginURL, APIURL: c.APIURL, MailURL: c.MailURL,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".login-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, settingsFileName))
}

// applySaved fills the fields still empty from the last login's settings.
func applySaved(dir string, c *Config) error {
	b, err := os.ReadFile(filepath.Join(dir, settingsFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var s savedSettings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil // a damaged file only loses the convenience
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.ClientID, s.ClientID}, {&c.RedirectURI, s.RedirectURI},
		{&c.LoginURL, s.LoginURL}, {&c.APIURL, s.APIURL}, {&c.MailURL, s.MailURL},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	return nil
}
