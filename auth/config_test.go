package auth

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The seed guide's example block, verbatim.
const seedEnvBlock = `# Infomaniak OAuth -- Data App (kDrive + Mail)
Service_INFOMANIAK_DATA_CLIENT_ID = your-client-id
Service_INFOMANIAK_DATA_CLIENT_SECRET = your-client-secret
Service_INFOMANIAK_OAUTH_REDIRECT_URI = http://localhost:8000/api/infomaniak/auth/connect/callback
`

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"seed block", seedEnvBlock, map[string]string{
			"Service_INFOMANIAK_DATA_CLIENT_ID":     "your-client-id",
			"Service_INFOMANIAK_DATA_CLIENT_SECRET": "your-client-secret",
			"Service_INFOMANIAK_OAUTH_REDIRECT_URI": "http://localhost:8000/api/infomaniak/auth/connect/callback",
		}, ""},
		{"forms", "A=1\n  B = two words  \nexport C=3\nexport\tD = 4\n\n# c\n", map[string]string{"A": "1", "B": "two words", "C": "3", "D": "4"}, ""},
		{"quotes", `A="x # y"` + "\nB='s p'\nC=\"\" # none\n", map[string]string{"A": "x # y", "B": "s p", "C": ""}, ""},
		{"inline comment", "A=v # c\nB=http://h/p#frag\n", map[string]string{"A": "v", "B": "http://h/p#frag"}, ""},
		{"empty value", "A=\nB =\n", map[string]string{"A": "", "B": ""}, ""},
		{"later wins", "A=1\nA=2\n", map[string]string{"A": "2"}, ""},
		{"crlf and bom", "\ufeffA=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}, ""},
		{"exported name", "exporter=1\n", map[string]string{"exporter": "1"}, ""},
		{"no equals", "A=1\njunk line\n", nil, "line 2"},
		{"bad key", "A=1\n\nA-B=2\n", nil, "line 3"},
		{"digit key", "1A=2\n", nil, "line 1"},
		{"unterminated", "A=\"abc\n", nil, "line 1 (A): unterminated"},
		{"after quote", "A=\"abc\" def\n", nil, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvFile(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Junk never echoes the line: it may hold a secret.
	_, err := ParseEnvFile(strings.NewReader("s3cr3t-value-pasted-alone\n"))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v", err)
	}
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolvePrecedence(t *testing.T) {
	envFile := writeFile(t, "env", seedEnvBlock+"INFOMANIAK_API_URL=http://file-api/\nINFOMANIAK_LOGIN_URL = http://file-login\n")
	env := map[string]string{
		"INFOMANIAK_CLIENT_ID": "env-id", "INFOMANIAK_API_URL": "http://env-api",
		"HOME": "/home/u",
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var c Config
	c.AddFlags(fs)
	if err := fs.Parse([]string{"--env-file", envFile, "--api-url", "http://flag-api/", "--config-dir", "/cfg"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(envMap(env)); err != nil {
		t.Fatal(err)
	}
	want := Config{
		ClientID:     "env-id",             // env beats the env file
		ClientSecret: "your-client-secret", // env file
		RedirectURI:  "http://localhost:8000/api/infomaniak/auth/connect/callback",
		LoginURL:     "http://file-login", // the env file accepts INFOMANIAK_* names
		APIURL:       "http://flag-api",   // flag beats env, trailing slash trimmed
		MailURL:      DefaultMailURL,      // default
		NotifyURL:    "http://flag-api",   // --api-url when it is not Infomaniak's
		ConfigDir:    "/cfg",
		EnvFile:      envFile,
		Scopes:       []string{"user_info", "kdrive", "mail"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
}

func TestResolveDefaultsAndSources(t *testing.T) {
	tokenFile := writeFile(t, "pat", "  PAT-from-file\n")
	tests := []struct {
		name  string
		cfg   Config
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"xdg", Config{}, map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, func(t *testing.T, c Config) {
			if c.ConfigDir != "/x/infomaniakfs" || c.LoginURL != DefaultLoginURL || c.APIURL != DefaultAPIURL || c.RedirectURI != DefaultRedirectURI {
				t.Errorf("%+v", c)
			}
		}},
		{"home", Config{}, map[string]string{"HOME": "/h"}, func(t *testing.T, c Config) {
			if c.ConfigDir != "/h/.config/infomaniakfs" {
				t.Errorf("ConfigDir %q", c.ConfigDir)
			}
		}},
		{"config dir env", Config{}, map[string]string{"INFOMANIAK_CONFIG_DIR": "/e", "HOME": "/h"}, func(t *testing.T, c Config) {
			if c.ConfigDir != "/e" {
				t.Errorf("ConfigDir %q", c.ConfigDir)
			}
		}},
		{"pat env", Config{}, map[string]string{"INFOMANIAK_TOKEN": " PAT-env ", "HOME": "/h"}, func(t *testing.T, c Config) {
			if c.PersonalToken != "PAT-env" {
				t.Errorf("PersonalToken %q", c.PersonalToken)
			}
		}},
		{"token file beats env", Config{TokenFile: tokenFile}, map[string]string{"INFOMANIAK_TOKEN": "PAT-env", "HOME": "/h"}, func(t *testing.T, c Config) {
			if c.PersonalToken != "PAT-from-file" {
				t.Errorf("PersonalToken %q", c.PersonalToken)
			}
		}},
		{"scopes env", Config{}, map[string]string{"INFOMANIAK_SCOPES": "drive, user_info", "HOME": "/h"}, func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Scopes, []string{"drive", "user_info"}) {
				t.Errorf("Scopes %q", c.Scopes)
			}
		}},
		{"env file from env", Config{}, map[string]string{"INFOMANIAK_ENV_FILE": writeFile(t, "e", "INFOMANIAK_CLIENT_ID=f\n"), "HOME": "/h"}, func(t *testing.T, c Config) {
			if c.ClientID != "f" {
				t.Errorf("ClientID %q", c.ClientID)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if err := c.Resolve(envMap(tt.env)); err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		env  map[string]string
		want string
	}{
		{"no home", Config{}, nil, "--config-dir"},
		{"missing env file", Config{EnvFile: "/nonexistent/env"}, map[string]string{"HOME": "/h"}, "env file"},
		{"junk env file", Config{EnvFile: writeFile(t, "env", "oops\n")}, map[string]string{"HOME": "/h"}, "line 1"},
		{"bad api url", Config{APIURL: "api.infomaniak.com"}, map[string]string{"HOME": "/h"}, "--api-url"},
		{"bad redirect", Config{RedirectURI: "localhost:8000/cb"}, map[string]string{"HOME": "/h"}, "redirect URI"},
		{"empty token file", Config{TokenFile: writeFile(t, "pat", "\n")}, map[string]string{"HOME": "/h"}, "is empty"},
		{"two tokens", Config{TokenFile: writeFile(t, "pat", "a\nb\n")}, map[string]string{"HOME": "/h"}, "alone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if err := c.Resolve(envMap(tt.env)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNoSecretFlag(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var c Config
	c.AddFlags(fs)
	for _, name := range []string{"client-id", "redirect-uri", "login-url", "api-url", "mail-url", "config-dir", "env-file", "token-file"} {
		if fs.Lookup(name) == nil {
			t.Errorf("no --%s", name)
		}
	}
	if fs.Lookup("client-secret") != nil || fs.Lookup("token") != nil {
		t.Error("a secret can be passed in argv")
	}
}

func TestResolveNotifyURL(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"Infomaniak's API: Infomaniak's notify host", nil, DefaultNotifyURL},
		{"another API: the same host", map[string]string{"INFOMANIAK_API_URL": "http://127.0.0.1:9/"}, "http://127.0.0.1:9"},
		{"set: as set", map[string]string{"INFOMANIAK_API_URL": "http://127.0.0.1:9", "INFOMANIAK_NOTIFY_URL": "http://127.0.0.1:10/"}, "http://127.0.0.1:10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{ConfigDir: t.TempDir()}
			if err := c.Resolve(envMap(tc.env)); err != nil {
				t.Fatal(err)
			}
			if c.NotifyURL != tc.want {
				t.Fatalf("NotifyURL = %q, want %q", c.NotifyURL, tc.want)
			}
		})
	}
	c := Config{ConfigDir: t.TempDir(), NotifyURL: "ftp://x"}
	if err := c.Resolve(nil); err == nil || !strings.Contains(err.Error(), "--notify-url") {
		t.Fatalf("bad notify URL: err = %v", err)
	}
}
