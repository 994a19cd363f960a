package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// tokenRequestTimeout bounds one request to the token endpoint, so a
// stalled login server cannot hold every API call waiting for a refresh.
const tokenRequestTimeout = 30 * time.Second

// LoginOptions tune Login.
type LoginOptions struct {
	NoBrowser bool      // print the URL and read the redirected URL (or code) from In
	In        io.Reader // default: nothing to read (NoBrowser then fails)
	Out       io.Writer // where the URL and instructions go; default io.Discard
	// OpenURL opens the authorize URL; default $BROWSER, then xdg-open.
	// Tests set it to play the browser.
	OpenURL func(string) error
	Timeout time.Duration // how long to wait for the user; default 5 minutes
}

// Login runs the authorization-code flow with PKCE (S256) and a random
// state, exchanges the code, saves the token in st and returns it.
func Login(ctx context.Context, c *Config, st *Store, o LoginOptions) (*oauth2.Token, error) {
	cfg := c.withDefaults()
	if cfg.ClientID == "" {
		return nil, errors.New("no OAuth client ID: set INFOMANIAK_CLIENT_ID, or Service_INFOMANIAK_DATA_CLIENT_ID in the --env-file (Infomaniak Manager > API)")
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, fmt.Errorf("gave up after %v", o.Timeout))
	defer cancel()

	state, err := randomState()
	if err != nil {
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	conf := oauthConfig(&cfg)
	authURL := conf.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))

	if err := preflight(ctx, authURL, &cfg); err != nil {
		return nil, err
	}
	var code string
	if o.NoBrowser {
		code, err = pasteCode(ctx, authURL, state, o)
	} else {
		code, err = browserCode(ctx, &cfg, authURL, state, o)
	}
	if err != nil {
		return nil, err
	}
	tok, err := conf.Exchange(tokenContext(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, exchangeError(ctx, err, &cfg)
	}
	if err := st.Save(tok); err != nil {
		return nil, err
	}
	if err := saveSettings(st.Dir, &cfg); err != nil {
		slog.Warn("could not remember the login settings", "err", err)
	}
	slog.Debug("logged in", "expiry", tok.Expiry, "refresh_token", tok.RefreshToken != "")
	return tok, nil
}

func browserCode(ctx context.Context, c *Config, authURL, state string, o LoginOptions) (string, error) {
	cb, err := listenCallback(c.RedirectURI, state)
	if err != nil {
		return "", err
	}
	defer cb.close()
	fmt.Fprintf(o.Out, "Open this URL to log in: %s\n", authURL)
	open := o.OpenURL
	if open == nil {
		open = openBrowser
	}
	if err := open(authURL); err != nil {
		fmt.Fprintf(o.Out, "Could not open a browser (%v): open the URL above yourself.\n", err)
	}
	fmt.Fprintf(o.Out, "Waiting for the login to finish in the browser (callback on %s)...\n", c.RedirectURI)
	return cb.wait(ctx)
}

func pasteCode(ctx context.Context, authURL, state string, o LoginOptions) (string, error) {
	if o.In == nil {
		return "", errors.New("--no-browser needs standard input to read the redirected URL from")
	}
	fmt.Fprintf(o.Out, "Open this URL to log in: %s\n", authURL)
	fmt.Fprintln(o.Out, "After approving, the browser is sent to the redirect URI (the page may fail to load; that is fine).")
	fmt.Fprint(o.Out, "Paste that whole URL (or just the code) here: ")
	line := make(chan string, 1)
	fail := make(chan error, 1)
	// A read cannot be cancelled; the goroutine ends with the input.
	go func() {
		s, err := bufio.NewReader(o.In).ReadString('\n')
		if err != nil && s == "" {
			fail <- fmt.Errorf("reading the pasted URL: %w", err)
			return
		}
		line <- s
	}()
	select {
	case s := <-line:
		return parsePasted(s, state)
	case err := <-fail:
		return "", err
	case <-ctx.Done():
		return "", fmt.Errorf("no URL pasted: %w", context.Cause(ctx))
	}
}

// exchangeError turns a failed code exchange into a user-level error.
func exchangeError(ctx context.Context, err error, c *Config) error {
	if ctx.Err() != nil {
		return fmt.Errorf("token exchange: %w", context.Cause(ctx))
	}
	ae, _ := oauthError(err)
	switch {
	case ae == nil:
		return &authError{msg: "cannot reach the Infomaniak login server at " + c.LoginURL, sentinel: remote.ErrUnavailable, cause: scrubbed(err)}
	case isRedirectMismatch(ae):
		return &authError{msg: "the redirect URI " + c.RedirectURI + " is not the one registered with the app", sentinel: remote.ErrAuth, cause: ae, redirectURI: c.RedirectURI}
	case ae.Code == "invalid_client":
		return &authError{msg: "Infomaniak rejected the client ID or secret", sentinel: remote.ErrAuth, cause: ae}
	case ae.Code == "invalid_grant":
		return &authError{msg: "Infomaniak refused the authorization code (expired, already used, or the PKCE check failed): run `infomaniakfs login` again", sentinel: remote.ErrAuth, cause: ae}
	}
	return &authError{msg: "the token exchange failed", sentinel: ae.Kind, cause: ae}
}

// scrubbed keeps a network error's kind but drops its text when it might
// carry a request (url.Error quotes the URL, never the body, but a token
// endpoint URL should not appear next to a refresh failure either).
func scrubbed(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return errors.New(msg)
}

func oauthConfig(c *Config) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURI,
		Scopes:       c.Scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  c.LoginURL + "/authorize",
			TokenURL: c.LoginURL + "/token",
			// Public PKCE clients send client_id in the body, as the
			// official apps do; a secret, when there is one, goes along.
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

var tokenHTTPClient = &http.Client{Timeout: tokenRequestTimeout}

// tokenContext makes x/oauth2 use a client with a timeout.
func tokenContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, tokenHTTPClient)
}

// withDefaults is c with Infomaniak's defaults in its zero fields, for
// callers that build a Config without Resolve.
func (c *Config) withDefaults() Config {
	out := *c
	for _, d := range []struct {
		field *string
		value string
	}{
		{&out.RedirectURI, DefaultRedirectURI},
		{&out.LoginURL, DefaultLoginURL},
		{&out.APIURL, DefaultAPIURL},
		{&out.MailURL, DefaultMailURL},
	} {
		if *d.field == "" {
			*d.field = d.value
		}
	}
	out.LoginURL = strings.TrimRight(out.LoginURL, "/")
	if len(out.Scopes) == 0 {
		out.Scopes = append([]string(nil), DefaultScopes...)
	}
	return out
}

func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
