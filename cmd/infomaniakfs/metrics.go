package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote"
)

// checkMetricsAddr refuses an address other users could reach unless
// allowRemote: the figures say what the account does and when.
func checkMetricsAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--metrics-addr %q: %v (want HOST:PORT, e.g. 127.0.0.1:9150)", addr, err)
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--metrics-addr %q is not a loopback address; add --metrics-allow-remote to serve it there", addr)
}

// metricsHandler serves /metrics in the Prometheus text format. The
// values are read from the mount's figures when scraped; the library
// writes the exposition and the process and Go runtime metrics.
func metricsHandler(st func() mountStatus) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		writeMetrics(w, st(), time.Now())
		metrics.WriteProcessMetrics(w)
	})
	return mux
}

func writeMetrics(w io.Writer, m mountStatus, now time.Time) {
	r := m.Requests
	for _, k := range r.Keys() {
		metrics.WriteCounterUint64(w, fmt.Sprintf(`infomaniakfs_requests_total{kind=%q,status=%q}`, k.Kind, k.Status), uint64(r.Requests[k]))
	}
	metrics.WriteCounterUint64(w, "infomaniakfs_fetched_bytes_total", uint64(r.BytesFetched))
	online := uint64(0)
	if r.Online {
		online = 1
	}
	metrics.WriteGaugeUint64(w, "infomaniakfs_online", online)
	writeBudgetMetrics(w, r.Budget, now)
	metrics.WriteGaugeFloat64(w, "infomaniakfs_uptime_seconds", now.Sub(m.Started).Seconds())
	metrics.WriteGaugeUint64(w, "infomaniakfs_memory_heap_bytes", m.MemoryBytes)
	if m.DiskCacheDir != "" {
		metrics.WriteGaugeUint64(w, "infomaniakfs_disk_cache_bytes", uint64(m.DiskCacheUsed))
	}
	writeCacheMetrics(w, m, now)
}

// writeBudgetMetrics writes the pacer's state: the requests that may go
// now, the callers waiting, the pace itself, and the 429 pause left.
func writeBudgetMetrics(w io.Writer, b remote.Budget, now time.Time) {
	metrics.WriteGaugeUint64(w, "infomaniakfs_rate_budget_left_requests", uint64(b.Left))
	metrics.WriteGaugeUint64(w, "infomaniakfs_rate_budget_waiting_requests", uint64(b.Waiting))
	metrics.WriteGaugeUint64(w, "infomaniakfs_rate_burst_requests", uint64(b.Burst))
	metrics.WriteGaugeFloat64(w, "infomaniakfs_rate_limit_requests_per_second", b.Rate)
	metrics.WriteGaugeFloat64(w, "infomaniakfs_rate_paused_seconds", max(0, b.PausedUntil.Sub(now).Seconds()))
}

// writeCacheMetrics writes the file cache's counters, its read latency
// as a Prometheus histogram and each followed drive's freshness lag.
func writeCacheMetrics(w io.Writer, m mountStatus, now time.Time) {
	c := m.Cache
	metrics.WriteCounterUint64(w, `infomaniakfs_cache_hits_total{tier="memory"}`, uint64(c.MemoryHits))
	metrics.WriteCounterUint64(w, `infomaniakfs_cache_misses_total{tier="memory"}`, uint64(c.MemoryMisses))
	if m.DiskCacheDir != "" {
		metrics.WriteCounterUint64(w, `infomaniakfs_cache_hits_total{tier="disk"}`, uint64(c.DiskHits))
		metrics.WriteCounterUint64(w, `infomaniakfs_cache_misses_total{tier="disk"}`, uint64(c.DiskMisses))
	}
	metrics.WriteCounterUint64(w, "infomaniakfs_content_fetched_bytes_total", uint64(c.FetchedBytes))
	metrics.WriteCounterUint64(w, "infomaniakfs_mail_size_mismatches_total", uint64(m.MailSizeFixes))
	// The library writes its own histograms only; this one is the cache's.
	fmt.Fprintln(w, "# TYPE infomaniakfs_read_duration_seconds histogram")
	var cum int64
	for i, n := range c.ReadLatency {
		cum += n
		le := "+Inf"
		if i < len(cache.ReadLatencyBounds) {
			le = strconv.FormatFloat(cache.ReadLatencyBounds[i].Seconds(), 'g', -1, 64)
		}
		fmt.Fprintf(w, "infomaniakfs_read_duration_seconds_bucket{le=%q} %d\n", le, cum)
	}
	fmt.Fprintf(w, "infomaniakfs_read_duration_seconds_sum %g\n", c.ReadTime.Seconds())
	fmt.Fprintf(w, "infomaniakfs_read_duration_seconds_count %d\n", c.Reads)
	for _, f := range c.Feeds {
		metrics.WriteGaugeFloat64(w, fmt.Sprintf(`infomaniakfs_feed_lag_seconds{drive="%d"}`, f.Drive), now.Sub(f.LastOK).Seconds())
	}
}
