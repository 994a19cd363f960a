package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

func TestCheckMetricsAddr(t *testing.T) {
	tests := []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:9150", false, true},
		{"[::1]:9150", false, true},
		{"localhost:9150", false, true},
		{"127.0.0.2:0", false, true},
		{"0.0.0.0:9150", false, false},
		{":9150", false, false},
		{"192.168.1.2:9150", false, false},
		{"192.168.1.2:9150", true, true},
		{":9150", true, true},
		{"127.0.0.1", false, false},
	}
	for _, tc := range tests {
		if err := checkMetricsAddr(tc.addr, tc.remote); (err == nil) != tc.ok {
			t.Errorf("%q (allow remote %v): %v", tc.addr, tc.remote, err)
		}
	}
}

func sampleStatus() mountStatus {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	return mountStatus{
		MountPoint: "/home/ana/Infomaniak", Account: "ana@example.ch", PID: 42, Started: now.Add(-time.Hour),
		Requests: remote.StatsSnapshot{
			Requests: map[remote.RequestKey]int64{{Kind: "api", Status: "2xx"}: 10, {Kind: "api", Status: "429"}: 2, {Kind: "content", Status: "error"}: 1},
			Total:    13, LastMinute: 4, Throttled: 2, BytesFetched: 3 << 20, Online: false,
			Errors: []remote.StatError{{Time: now, Message: "content: connection refused"}},
			Budget: remote.Budget{Rate: float64(remote.DefaultRate), Burst: 10, Left: 7,
				PausedUntil: now.Add(13 * time.Second)},
		},
		MemoryBytes: 5 << 20, DiskCacheDir: "/home/ana/.cache/infomaniakfs", DiskCacheUsed: 7 << 20,
		Cache: cache.Stats{
			MemoryHits: 30, MemoryMisses: 6, DiskHits: 2, DiskMisses: 4, FetchedBytes: 4 << 20,
			Reads: 36, ReadTime: 36 * time.Millisecond,
			ReadLatency: []int64{20, 10, 0, 6, 0, 0, 0, 0, 0, 0, 0},
			Feeds:       []cache.FeedState{{Drive: 101, LastOK: now.Add(-time.Hour), Mode: "long poll"}},
		},
		MailSizeFixes: 3,
		Uploads:       &writeback.Status{Pending: 2, Conflicts: 1, Failed: []writeback.Failed{{Name: "big.iso", Attempts: 4, Err: "no space left on the drive"}}},
	}
}

func TestPrintMounts(t *testing.T) {
	var b bytes.Buffer
	st := sampleStatus()
	printMounts(&b, []mountStatus{st}, st.Started.Add(time.Hour+time.Second))
	for _, want := range []string{"1 running", "/home/ana/Infomaniak (ana@example.ch), pid 42, up 1h0m1s, OFFLINE",
		"requests: 13, 4 in the last minute, 2 rate-limited (429); 3.0 MiB fetched",
		"5.0 MiB in memory, 7.0 MiB on disk", "connection refused",
		"reads: 36, 1ms on average; memory 30 hits / 6 misses, disk 2 hits / 4 misses; 4.0 MiB of file content fetched",
		"drive 101: current as of 1h0m1s ago (long poll)", "mail: 3 listed message sizes were wrong",
		"uploads: 2 pending, 1 failed (retried), 1 conflict copies", "big.iso: no space left on the drive (4 attempts)",
		"budget: 7 of 10 requests may go now, then 50/min; paused by a 429 for 12s more"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	printMounts(&b, nil, time.Now())
	if !strings.Contains(b.String(), "none running") {
		t.Errorf("no mounts: %q", b.String())
	}
	if line := statusLine(st.Requests); !strings.HasPrefix(line, "offline; 13 requests (4 in the last minute, 2 rate-limited); last error ") {
		t.Errorf("STATUS= %q", line)
	}
}

func TestWriteMetrics(t *testing.T) {
	var b bytes.Buffer
	st := sampleStatus()
	writeMetrics(&b, st, st.Started.Add(time.Minute))
	for _, want := range []string{
		`infomaniakfs_requests_total{kind="api",status="2xx"} 10`,
		`infomaniakfs_requests_total{kind="api",status="429"} 2`,
		`infomaniakfs_requests_total{kind="content",status="error"} 1`,
		"infomaniakfs_fetched_bytes_total 3145728", "infomaniakfs_online 0",
		"infomaniakfs_uptime_seconds 60", "infomaniakfs_disk_cache_bytes 7340032",
		`infomaniakfs_cache_hits_total{tier="memory"} 30`, `infomaniakfs_cache_misses_total{tier="disk"} 4`,
		"infomaniakfs_content_fetched_bytes_total 4194304", "infomaniakfs_mail_size_mismatches_total 3",
		`infomaniakfs_read_duration_seconds_bucket{le="0.0001"} 20`, `infomaniakfs_read_duration_seconds_bucket{le="0.05"} 36`,
		`infomaniakfs_read_duration_seconds_bucket{le="+Inf"} 36`, "infomaniakfs_read_duration_seconds_count 36",
		`infomaniakfs_feed_lag_seconds{drive="101"} 60`,
		"infomaniakfs_rate_budget_left_requests 7", "infomaniakfs_rate_burst_requests 10",
		"infomaniakfs_rate_budget_waiting_requests 0",
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

func TestBudgetLine(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		b    remote.Budget
		want string
	}{
		{remote.Budget{}, "not paced (--rate 0): requests wait only when Infomaniak answers 429"},
		{remote.Budget{Rate: 2, Burst: 5, Waiting: 3}, "0 of 5 requests may go now, then 2/s; 3 waiting for a slot"},
		{remote.Budget{Rate: 1, Burst: 10, Left: 10, PausedUntil: now.Add(-time.Second)}, "10 of 10 requests may go now, then 1/s"},
	}
	for _, tc := range tests {
		if got := budgetLine(tc.b, now); got != tc.want {
			t.Errorf("budgetLine(%+v) = %q, want %q", tc.b, got, tc.want)
		}
	}
}
