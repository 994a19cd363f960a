package emulator

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// bodyChunk is the slice size bandwidth-limited bodies are written in.
const bodyChunk = 32 << 10

// SetLatency delays the first byte of every later response by d.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(max(d, 0))) }

// SetContentURLTTL sets how long the content URLs signed from now on stay
// valid (0: an hour); an expired one answers 403.
func (s *Server) SetContentURLTTL(d time.Duration) { s.urlTTL.Store(int64(max(d, 0))) }

// SetBandwidth caps the bytes per second of all response bodies together;
// 0 or less removes the cap.
func (s *Server) SetBandwidth(bytesPerSec int64) {
	if bytesPerSec <= 0 {
		s.bandwidth.Store(nil)
		return
	}
	// A bucket of 20 ms worth of bytes: small enough to keep the cap honest
	// over any interval a benchmark measures, large enough that one stream
	// is not slowed by timer granularity (a 32 KiB bucket at 100 MiB/s
	// means a sleep every 300 µs, and a single download then reached only
	// half the cap).
	burst := int(min(bytesPerSec, max(bytesPerSec/50, bodyChunk)))
	s.bandwidth.Store(rate.NewLimiter(rate.Limit(bytesPerSec), burst))
}

// SetRate limits API requests (not OAuth, not content) to a token bucket of
// perSec with burst; beyond it they get 429 with Retry-After. perSec <= 0
// turns the limit off.
func (s *Server) SetRate(perSec float64, burst int) {
	if perSec <= 0 {
		s.limiter.Store(nil)
		return
	}
	s.limiter.Store(rate.NewLimiter(rate.Limit(perSec), max(burst, 1)))
}

// rateWait reports 0 when the request may proceed, else the seconds to wait.
func (s *Server) rateWait() int {
	l := s.limiter.Load()
	if l == nil {
		return 0
	}
	r := l.Reserve()
	if !r.OK() {
		return 60
	}
	d := r.Delay()
	if d == 0 {
		return 0
	}
	r.Cancel() // a rejected request must not consume the next slot
	return int(math.Ceil(d.Seconds()))
}

// SetMailSizeSkew makes listed message sizes real size + delta; downloads
// stay real, so a client trusting the listed size reads short or padded.
func (s *Server) SetMailSizeSkew(delta int64) { s.skew.Store(delta) }
