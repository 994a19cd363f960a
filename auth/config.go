// Package auth logs in to Infomaniak with OAuth 2.0 (authorization code +
// PKCE on a loopback redirect), stores the token, and supplies it to the
// API clients as a remote.TokenSource that refreshes and persists itself.
// A personal API token (INFOMANIAK_TOKEN or --token-file) replaces OAuth.
package auth

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// Infomaniak's hosts (reference §1) and the seed's scopes.
const (
	DefaultLoginURL    = "https://login.infomaniak.com"
	DefaultAPIURL      = "https://api.infomaniak.com"
	DefaultMailURL     = "https://mail.infomaniak.com"
	DefaultNotifyURL   = "https://notify.kdrive.infomaniak.com"
	DefaultRedirectURI = "http://127.0.0.1:53682/callback"
)

// DefaultScopes are the scopes the seed registers the app with.
var DefaultScopes = []string{"user_info", "kdrive", "mail"}

// Config says where to log in and as which app. Zero values take
// Infomaniak's defaults in Resolve.
type Config struct {
	ClientID     string
	ClientSecret string // only from the environment or the env file: never argv
	RedirectURI  string
	LoginURL     string
	APIURL       string
	MailURL      string
	// NotifyURL is kDrive's long-poll host. Unset, it is DefaultNotifyURL
	// with Infomaniak's API, else APIURL (a stand-in serves both).
	NotifyURL string
	ConfigDir string // holds token.json
	EnvFile   string // seed format: Service_INFOMANIAK_DATA_CLIENT_ID = …
	TokenFile string // holds a personal API token
	Scopes    []string
	// PersonalToken is a personal API token (INFOMANIAK_TOKEN or the
	// content of TokenFile); when set it replaces OAuth.
	PersonalToken string
}

// AddFlags binds the flags the commands share. There is deliberately no
// --client-secret: argv is visible to every local user.
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.ClientID, "client-id", c.ClientID, "OAuth client ID from Infomaniak Manager > API (env INFOMANIAK_CLIENT_ID)")
	fs.StringVar(&c.RedirectURI, "redirect-uri", c.RedirectURI, "redirect URI registered with the app, byte for byte (env INFOMANIAK_REDIRECT_URI; default "+DefaultRedirectURI+")")
	fs.StringVar(&c.LoginURL, "login-url", c.LoginURL, "OAuth server base URL (env INFOMANIAK_LOGIN_URL; default "+DefaultLoginURL+")")
	fs.StringVar(&c.APIURL, "api-url", c.APIURL, "API base URL for the profile and kDrive (env INFOMANIAK_API_URL; default "+DefaultAPIURL+")")
	fs.StringVar(&c.MailURL, "mail-url", c.MailURL, "Mail API base URL (env INFOMANIAK_MAIL_URL; default "+DefaultMailURL+")")
	fs.StringVar(&c.NotifyURL, "notify-url", c.NotifyURL, "kDrive long-poll (change notification) base URL (env INFOMANIAK_NOTIFY_URL; default "+DefaultNotifyURL+", or --api-url when that is not Infomaniak's)")
	fs.StringVar(&c.ConfigDir, "config-dir", c.ConfigDir, "directory holding the token (env INFOMANIAK_CONFIG_DIR; default $XDG_CONFIG_HOME/infomaniakfs)")
	fs.StringVar(&c.EnvFile, "env-file", c.EnvFile, "env file with Service_INFOMANIAK_DATA_CLIENT_ID, ..._CLIENT_SECRET, Service_INFOMANIAK_OAUTH_REDIRECT_URI")
	fs.StringVar(&c.TokenFile, "token-file", c.TokenFile, "file holding a personal API token, used instead of OAuth (env INFOMANIAK_TOKEN_FILE)")
	fs.StringSliceVar(&c.Scopes, "scopes", c.Scopes, "OAuth scopes to request (env INFOMANIAK_SCOPES; default user_info,kdrive,mail)")
}

// setting is one Config field and the names it may come from, in order:
// environment names, then env-file names (which also accept the
// environment names).
type setting struct {
	field   *string
	env     []string
	envFile []string
}

func (c *Config) settings() []setting {
	return []setting{
		{&c.ClientID, []string{"INFOMANIAK_CLIENT_ID"}, []string{"Service_INFOMANIAK_DATA_CLIENT_ID", "INFOMANIAK_CLIENT_ID"}},
		{&c.ClientSecret, []string{"INFOMANIAK_CLIENT_SECRET"}, []string{"Service_INFOMANIAK_DATA_CLIENT_SECRET", "INFOMANIAK_CLIENT_SECRET"}},
		{&c.RedirectURI, []string{"INFOMANIAK_REDIRECT_URI"}, []string{"Service_INFOMANIAK_OAUTH_REDIRECT_URI", "INFOMANIAK_REDIRECT_URI"}},
		{&c.LoginURL, []string{"INFOMANIAK_LOGIN_URL"}, []string{"INFOMANIAK_LOGIN_URL"}},
		{&c.APIURL, []string{"INFOMANIAK_API_URL"}, []string{"INFOMANIAK_API_URL"}},
		{&c.MailURL, []string{"INFOMANIAK_MAIL_URL"}, []string{"INFOMANIAK_MAIL_URL"}},
		{&c.NotifyURL, []string{"INFOMANIAK_NOTIFY_URL"}, []string{"INFOMANIAK_NOTIFY_URL"}},
		{&c.ConfigDir, []string{"INFOMANIAK_CONFIG_DIR"}, []string{"INFOMANIAK_CONFIG_DIR"}},
		{&c.TokenFile, []string{"INFOMANIAK_TOKEN_FILE"}, []string{"INFOMANIAK_TOKEN_FILE"}},
		{&c.PersonalToken, []string{"INFOMANIAK_TOKEN"}, []string{"INFOMANIAK_TOKEN"}},
	}
}

// Resolve fills every unset field from, in order of precedence: the
// environment, the env file, then the defaults. Fields already set (by
// flags or by the caller) win. getenv is injected so tests never read the
// real environment; pass os.Getenv in production.
func (c *Config) Resolve(getenv func(string) string) error {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if c.EnvFile == "" {
		c.EnvFile = getenv("INFOMANIAK_ENV_FILE")
	}
	var file map[string]string
	if c.EnvFile != "" {
		f, err := os.Open(c.EnvFile)
		if err != nil {
			return fmt.Errorf("env file: %w", err)
		}
		file, err = ParseEnvFile(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("env file %s: %w", c.EnvFile, err)
		}
	}
	for _, s := range c.settings() {
		if *s.field != "" {
			continue
		}
		*s.field = firstOf(getenv, s.env)
		if *s.field == "" {
			*s.field = firstOf(func(k string) string { return file[k] }, s.envFile)
		}
	}
	if len(c.Scopes) == 0 {
		scopes := getenv("INFOMANIAK_SCOPES")
		if scopes == "" {
			scopes = file["INFOMANIAK_SCOPES"]
		}
		c.Scopes = strings.FieldsFunc(scopes, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if c.ConfigDir == "" {
		dir, err := defaultConfigDir(getenv)
		if err != nil {
			return err
		}
		c.ConfigDir = dir
	}
	if err := applySaved(c.ConfigDir, c); err != nil {
		return err
	}
	*c = c.withDefaults()
	if c.NotifyURL == "" {
		c.NotifyURL = DefaultNotifyURL
		if strings.TrimRight(c.APIURL, "/") != DefaultAPIURL {
			c.NotifyURL = c.APIURL
		}
	}
	// In this order: a bad --api-url is named as such, not as the
	// --notify-url derived from it.
	for _, u := range []struct {
		name string
		v    *string
	}{{"--login-url", &c.LoginURL}, {"--api-url", &c.APIURL}, {"--mail-url", &c.MailURL}, {"--notify-url", &c.NotifyURL}} {
		*u.v = strings.TrimRight(*u.v, "/")
		if err := checkBaseURL(*u.v); err != nil {
			return fmt.Errorf("%s %q: %w", u.name, *u.v, err)
		}
	}
	if err := checkBaseURL(c.RedirectURI); err != nil {
		return fmt.Errorf("redirect URI %q: %w", c.RedirectURI, err)
	}
	if c.TokenFile != "" {
		tok, err := readTokenFile(c.TokenFile)
		if err != nil {
			return err
		}
		// An explicit --token-file names the token to use, even when
		// INFOMANIAK_TOKEN is also set.
		c.PersonalToken = tok
	}
	c.PersonalToken = strings.TrimSpace(c.PersonalToken)
	return nil
}

func firstOf(get func(string) string, names []string) string {
	for _, n := range names {
		if v := strings.TrimSpace(get(n)); v != "" {
			return v
		}
	}
	return ""
}

func defaultConfigDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "infomaniakfs"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "infomaniakfs"), nil
	}
	return "", fmt.Errorf("cannot find a configuration directory: set --config-dir, XDG_CONFIG_HOME or HOME")
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must start with http:// or https://")
	}
	if u.Host == "" {
		return fmt.Errorf("has no host")
	}
	return nil
}

// readTokenFile reads a personal API token: the whole file, trimmed. The
// content is never quoted in errors.
func readTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := string(bytes.TrimSpace(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty: put the personal API token from Infomaniak Manager in it", path)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("token file %s must hold the token alone, on one line", path)
	}
	return tok, nil
}
