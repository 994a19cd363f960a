package emulator

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// notifyHost is the long-poll host (notify.kdrive.infomaniak.com) on its
// own listener, so a test can take it down while the API stays up.
type notifyHost struct {
	hs   *http.Server
	url  string
	down atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open connections, cut when going down
}

// listenNotify serves the notify mux on addr ("" = a fresh loopback port).
func (s *Server) listenNotify(addr string) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	n := &notifyHost{url: "http://" + ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	n.hs = &http.Server{Handler: s.notifyMux, ReadHeaderTimeout: 30 * time.Second, ConnState: n.track}
	s.notify = n
	go func() {
		if err := n.hs.Serve(downListener{ln, n}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener died: clients see refused connections
		}
	}()
	return nil
}

func (n *notifyHost) track(c net.Conn, st http.ConnState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch st {
	case http.StateNew:
		n.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(n.conns, c)
	}
}

// downListener closes every connection it accepts while the host is down:
// the client's request fails with a reset or EOF, as with a host that is
// unreachable or dropping connections.
type downListener struct {
	net.Listener
	n *notifyHost
}

func (l downListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || !l.n.down.Load() {
			return c, err
		}
		_ = c.Close()
	}
}

// NotifyURL is the notify host's base URL ("http://127.0.0.1:port"; the
// long poll is served there and, for older clients, on URL too), "" for a
// Server that is not listening.
func (s *Server) NotifyURL() string {
	if s.notify == nil {
		return ""
	}
	return s.notify.url
}

// SetNotifyDown takes the notify host down (true: open connections are cut,
// running long polls fail, new connections are closed at once) or brings it
// back (false). The API address is not affected.
func (s *Server) SetNotifyDown(down bool) {
	n := s.notify
	if n == nil {
		return
	}
	n.down.Store(down)
	if !down {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.conns {
		_ = c.Close()
	}
}
