package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// preflight asks the authorize endpoint once, without following redirects,
// before sending the user to it. A misconfigured app (unknown client id,
// unregistered redirect URI) is refused there with an error page that only
// the browser would see; reading it here turns a login that would hang
// until its timeout into the seed's one-sentence diagnosis. Anything but a
// 4xx with an OAuth error body, including an unreachable host, is left to
// the real flow.
func preflight(ctx context.Context, authURL string, c *Config) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		return nil
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &body) != nil || body.Error == "" {
		text := string(b)
		for _, code := range []string{"invalid_redirect_uri", "redirect_uri_mismatch", "invalid_client"} {
			if strings.Contains(text, code) {
				body.Error = code
			}
		}
	}
	if body.Error == "" {
		return nil
	}
	ae := &remote.APIError{Status: resp.StatusCode, Code: body.Error, Description: body.Description, Kind: remote.ErrAuth}
	switch {
	case isRedirectMismatch(ae):
		return &authError{msg: "the redirect URI " + c.RedirectURI + " is not the one registered with the app", sentinel: remote.ErrAuth, cause: ae, redirectURI: c.RedirectURI}
	case ae.Code == "invalid_client":
		return &authError{msg: "Infomaniak does not know the client ID", sentinel: remote.ErrAuth, cause: ae}
	}
	return &authError{msg: "the Infomaniak authorize page refused the login request", sentinel: remote.ErrAuth, cause: ae}
}
