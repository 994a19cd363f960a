package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
)

// system is what a running mount tells the rest of the machine: systemd
// (readiness, status, stopping). serve starts it once the tree is served
// and closes it on the way out.
type system struct {
	notify notifier
	log    *slog.Logger
	stop   context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// startSystem is called once the mount answers: ifs.Mount returns only
// after go-fuse's WaitMount, which has opened a file in the mount's root,
// so the tree is served. It sends READY=1 and, as soon as ctx ends (the
// signal that starts the unmount), STOPPING=1.
func startSystem(ctx context.Context, dir, account string, log *slog.Logger) *system {
	ctx, stop := context.WithCancel(ctx)
	s := &system{notify: newNotifier(os.Getenv), log: log, stop: stop}
	s.send("READY=1", status("serving "+account+" on "+dir))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-ctx.Done()
		s.stopping()
	}()
	return s
}

func (s *system) send(lines ...string) {
	if err := s.notify.send(lines...); err != nil {
		s.log.Warn("cannot notify systemd", "err", err)
	}
}

// stopping sends STOPPING=1, once.
func (s *system) stopping() {
	s.once.Do(func() { s.send("STOPPING=1", status("unmounting")) })
}

// Close says the mount is stopping (if not said yet) and stops what
// startSystem started.
func (s *system) Close() {
	s.stop()
	s.wg.Wait()
}
