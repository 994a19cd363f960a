package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Under systemd (JOURNAL_STREAM names stderr), lines carry a syslog
// priority and no timestamp; elsewhere they keep slog's time.
func TestLoggerUnderJournal(t *testing.T) {
	for _, journal := range []bool{true, false} {
		t.Run(fmt.Sprint("journal=", journal), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "stderr")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			saved := os.Stderr
			os.Stderr = f
			defer func() { os.Stderr = saved }()
			defer slog.SetDefault(slog.Default())
			var st syscall.Stat_t
			if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
				t.Fatal(err)
			}
			stream := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
			if !journal {
				stream = "1:1"
			}
			t.Setenv("JOURNAL_STREAM", stream)
			log := newLogger(os.Stderr, true)
			log.Warn("slow down", "n", 1)
			log.Debug("detail")
			got, _ := os.ReadFile(path)
			lines := strings.Split(strings.TrimSpace(string(got)), "\n")
			if len(lines) != 2 {
				t.Fatalf("lines: %q", got)
			}
			if journal {
				if !strings.HasPrefix(lines[0], "<4>level=WARN msg=\"slow down\"") || !strings.HasPrefix(lines[1], "<7>level=DEBUG") {
					t.Errorf("journal lines: %q", got)
				}
			} else if !strings.HasPrefix(lines[0], "time=") {
				t.Errorf("plain lines: %q", got)
			}
		})
	}
}
