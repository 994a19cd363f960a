package cache

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"4096", 4096, true},
		{"256MiB", 256 << 20, true},
		{"256M", 256 << 20, true},
		{"1GiB", 1 << 30, true},
		{"1gib", 1 << 30, true},
		{"1.5G", 3 << 29, true},
		{"100MB", 100e6, true},
		{"64 KiB", 64 << 10, true},
		{"", 0, false},
		{"MiB", 0, false},
		{"-1", 0, false},
		{"12XB", 0, false},
		{"1e30", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestAddFlags(t *testing.T) {
	tests := []struct {
		args      []string
		wantSize  int64
		wantTTL   time.Duration
		wantError bool
	}{
		{nil, DefaultCacheSize, DefaultDirCacheTime, false},
		{[]string{"--cache-size", "1GiB", "--dir-cache-time", "10s"}, 1 << 30, 10 * time.Second, false},
		{[]string{"--cache-size=0", "--dir-cache-time=0"}, -1, -1, false},
		{[]string{"--cache-size", "lots"}, 0, 0, true},
		{[]string{"--dir-cache-time", "-5s"}, 0, 0, true},
	}
	for _, tc := range tests {
		var o Options
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.AddFlags(fs)
		err := fs.Parse(tc.args)
		if (err != nil) != tc.wantError {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if err == nil && (o.CacheSize != tc.wantSize || o.DirCacheTime != tc.wantTTL) {
			t.Fatalf("%v: size %d ttl %v", tc.args, o.CacheSize, o.DirCacheTime)
		}
	}
	var o Options
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o.AddFlags(fs)
	if u := fs.FlagUsages(); !strings.Contains(u, "256MiB") || !strings.Contains(u, "5m0s") {
		t.Fatalf("defaults missing from usage:\n%s", u)
	}
}

// Read-ahead and the recent LRU fit in the budget; a disabled cache keeps
// the two blocks a reader needs and no read-ahead.
func TestBlockBudget(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name                 string
		cacheSize, blockSize int64
		readAhead            int
		wantRecent           int64
		wantReadAhead        int
	}{
		{"defaults", 256 * mib, 4 * mib, 8, 80 * mib, 8},
		{"large", 4096 * mib, 4 * mib, 8, 1024 * mib, 8},
		{"small budget lowers read-ahead", 32 * mib, 4 * mib, 8, 32 * mib, 2},
		{"tiny", 4 * mib, 4 * mib, 8, 8 * mib, 0},
		{"disabled", -1, 4 * mib, 8, 8 * mib, 0},
		{"read-ahead off", 256 * mib, 4 * mib, 0, 64 * mib, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{CacheSize: tc.cacheSize, BlockSize: tc.blockSize, ReadAhead: tc.readAhead}.withDefaults()
			if tc.readAhead == 0 {
				o.ReadAhead = 0
			}
			_, recent, ra := blockBudget(o)
			if recent != tc.wantRecent || ra != tc.wantReadAhead {
				t.Fatalf("recent %d MiB, read-ahead %d; want %d MiB, %d", recent/mib, ra, tc.wantRecent/mib, tc.wantReadAhead)
			}
		})
	}
}
