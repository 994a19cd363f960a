package main

import (
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/remote"
)

// hangups keeps SIGHUP from ending the daemon. Closing the terminal of a
// foreground `mount` sends it, and a daemon that died of it left a dead
// mount point behind. Each SIGHUP re-reads the token file instead (a login
// made elsewhere takes effect). It starts at once, so a SIGHUP during
// start-up is caught too; set tells it the token source once there is one.
type hangups struct {
	sig  chan os.Signal
	done chan struct{}
	wg   sync.WaitGroup
	log  *slog.Logger

	mu     sync.Mutex
	tokens remote.TokenSource
}

func watchHangups(log *slog.Logger) *hangups {
	h := &hangups{sig: make(chan os.Signal, 1), done: make(chan struct{}), log: log}
	signal.Notify(h.sig, syscall.SIGHUP)
	h.wg.Go(h.loop)
	return h
}

func (h *hangups) set(ts remote.TokenSource) {
	h.mu.Lock()
	h.tokens = ts
	h.mu.Unlock()
}

func (h *hangups) loop() {
	for {
		select {
		case <-h.done:
			return
		case <-h.sig:
		}
		h.mu.Lock()
		ts := h.tokens
		h.mu.Unlock()
		changed := ts != nil && auth.Reload(ts)
		h.log.Info("SIGHUP: still serving (stop with SIGINT or SIGTERM); token file re-read", "new_token", changed)
	}
}

// stop stops listening and waits for the loop. SIGHUP stays ignored
// until the process exits: the unmount that follows must not be cut short.
func (h *hangups) stop() {
	signal.Ignore(syscall.SIGHUP)
	signal.Stop(h.sig)
	close(h.done)
	h.wg.Wait()
}
