package emulator

import (
	"fmt"
	"log/slog"
	"time"
)

// DefaultWatchInterval is how often Watch rescans the data directory when
// given no interval.
const DefaultWatchInterval = 500 * time.Millisecond

// Watch follows the data directory the served data set was loaded from
// (dataset.Load(dir)): every `every` (0: DefaultWatchInterval) it rescans
// dir and turns what changed into data set mutations, which the change
// feeds (listing/continue, the long poll, mail activities) then report.
// The goroutine is the Server's: Close stops it and waits for it. Call
// Watch at most once.
func (s *Server) Watch(dir string, every time.Duration) error {
	if every <= 0 {
		every = DefaultWatchInterval
	}
	w, err := s.data.Watch(dir)
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		var lastErr string
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
			}
			// A change that cannot be applied is reported once, not on every scan.
			s.wmu.Lock()
			err := w.Sync()
			s.wmu.Unlock()
			if err != nil && err.Error() != lastErr {
				lastErr = err.Error()
				slog.Warn("emulator: data directory change not applied", "dir", dir, "err", err)
			}
		}
	}()
	return nil
}
