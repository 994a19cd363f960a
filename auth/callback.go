package auth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// callback receives the one OAuth redirect of a login on the loopback
// address named by the redirect URI.
type callback struct {
	path   string
	state  string
	srvs   []*http.Server
	once   sync.Once
	result chan callbackResult // capacity 1: the first callback only
}

type callbackResult struct {
	code string
	err  error
}

// listenAddrs checks that the redirect URI can be received on this machine
// and returns the addresses to bind. localhost binds both loopbacks, since
// a browser may resolve it to either.
func listenAddrs(redirectURI string) (path string, addrs []string, err error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "", nil, fmt.Errorf("redirect URI %q is not a URL: %w", redirectURI, err)
	}
	fix := "register a loopback URI such as " + DefaultRedirectURI + " in Infomaniak Manager > API and set INFOMANIAK_REDIRECT_URI to it, or log in with --no-browser and paste the redirected URL"
	if u.Scheme != "http" {
		return "", nil, fmt.Errorf("redirect URI %s: the login callback is served over plain http on this machine, not %s: %s", redirectURI, u.Scheme, fix)
	}
	port := u.Port()
	if port == "" {
		return "", nil, fmt.Errorf("redirect URI %s names no port: %s", redirectURI, fix)
	}
	switch host := u.Hostname(); host {
	case "127.0.0.1":
		addrs = []string{net.JoinHostPort("127.0.0.1", port)}
	case "::1":
		addrs = []string{net.JoinHostPort("::1", port)}
	case "localhost":
		addrs = []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}
	default:
		return "", nil, fmt.Errorf("redirect URI %s is not a loopback address (127.0.0.1, ::1 or localhost), so the login callback cannot be received here: %s", redirectURI, fix)
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return path, addrs, nil
}

// listenCallback binds the redirect URI's address and serves its path.
func listenCallback(redirectURI, state string) (*callback, error) {
	path, addrs, err := listenAddrs(redirectURI)
	if err != nil {
		return nil, err
	}
	cb := &callback{path: path, state: state, result: make(chan callbackResult, 1)}
	for i, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if i == 0 {
				cb.close()
				return nil, fmt.Errorf("cannot listen on %s for the login callback (%w): stop whatever uses that port, or register another port in the redirect URI", addr, err)
			}
			continue // the IPv6 half of localhost is a bonus
		}
		srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
		cb.srvs = append(cb.srvs, srv)
		go srv.Serve(l)
	}
	return cb, nil
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() != cb.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	handled := false
	cb.once.Do(func() {
		handled = true
		res := parseCallback(r.URL.Query(), cb.state)
		if res.err != nil {
			page(w, http.StatusBadRequest, "Login failed", res.err.Error()+". You can close this tab.")
		} else {
			page(w, http.StatusOK, "Logged in", "infomaniakfs received the authorization. You can close this tab.")
		}
		cb.result <- res
	})
	if !handled {
		page(w, http.StatusConflict, "Already handled", "This login already received its callback. You can close this tab.")
	}
}

// parseCallback reads the redirect's query: an error, a state mismatch, or
// the authorization code.
func parseCallback(q url.Values, state string) callbackResult {
	if e := q.Get("error"); e != "" {
		return callbackResult{err: callbackError(e, q.Get("error_description"))}
	}
	if q.Get("state") != state {
		return callbackResult{err: &authError{msg: msgStateMismatch, sentinel: remote.ErrAuth}}
	}
	code := q.Get("code")
	if code == "" {
		return callbackResult{err: errors.New("the login callback carries no authorization code")}
	}
	return callbackResult{code: code}
}

func callbackError(code, desc string) error {
	ae := &remote.APIError{Status: http.StatusBadRequest, Code: clip(code, 64), Description: clip(desc, 200), Kind: remote.ErrAuth}
	if code == "access_denied" {
		return &authError{msg: "the login was denied in the browser: run `infomaniakfs login` again and grant access", sentinel: remote.ErrAuth, cause: ae}
	}
	return &authError{msg: "Infomaniak refused the login", sentinel: remote.ErrAuth, cause: ae}
}

// wait returns the code of the first callback, or the context's error.
func (cb *callback) wait(ctx context.Context) (string, error) {
	select {
	case res := <-cb.result:
		return res.code, res.err
	case <-ctx.Done():
		return "", fmt.Errorf("no login callback received: %w", context.Cause(ctx))
	}
}

// close lets the answer page reach the browser, then stops listening.
func (cb *callback) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range cb.srvs {
		if s.Shutdown(ctx) != nil {
			s.Close()
		}
	}
}

func page(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>infomaniakfs: %s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(body))
}

// parsePasted reads what a --no-browser user pasted: the redirected URL
// (whose state is checked) or the bare code.
func parsePasted(s, state string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("nothing pasted: paste the URL the browser was redirected to, or the code")
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "?") || strings.Contains(s, "code=") || strings.Contains(s, "error=") {
		u, err := url.Parse(s)
		if err != nil {
			return "", errors.New("the pasted text is not a URL: paste the whole address from the browser's address bar")
		}
		q := u.Query()
		if len(q) == 0 && !strings.Contains(s, "?") {
			q, _ = url.ParseQuery(s)
		}
		res := parseCallback(q, state)
		return res.code, res.err
	}
	if strings.ContainsAny(s, " \t") {
		return "", errors.New("the pasted text is neither a URL nor a code")
	}
	return s, nil
}
