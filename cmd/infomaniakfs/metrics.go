package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/VictoriaMetrics/metrics"
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
	metrics.WriteGaugeFloat64(w, "infomaniakfs_uptime_seconds", now.Sub(m.Started).Seconds())
	metrics.WriteGaugeUint64(w, "infomaniakfs_memory_heap_bytes", m.MemoryBytes)
	if m.DiskCacheDir != "" {
		metrics.WriteGaugeUint64(w, "infomaniakfs_disk_cache_bytes", uint64(m.DiskCacheUsed))
	}
}
