package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
)

// stderrIsJournal says whether standard error is the journal stream that
// systemd named in $JOURNAL_STREAM ("DEV:INODE"), as systemd.exec(5)
// advises: a child whose stderr was redirected must not inherit the
// journal format.
func stderrIsJournal(journalStream string) bool {
	if journalStream == "" {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(os.Stderr.Fd()), &st); err != nil {
		return false
	}
	return journalStream == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// dropTime removes slog's timestamp: the journal stamps every line.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// journalWriter prefixes each record with its syslog priority (<3> error
// … <7> debug), which journald reads from a stream line
// (SyslogLevelPrefix=yes, the default) so that `journalctl -p warning`
// works. slog's text handler writes one record per Write, and without
// the time each starts with "level=".
type journalWriter struct{ w io.Writer }

func (j journalWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(append([]byte(journalPrefix(p)), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func journalPrefix(line []byte) string {
	for _, l := range []struct{ level, prio string }{
		{"level=ERROR", "<3>"}, {"level=WARN", "<4>"}, {"level=INFO", "<6>"}, {"level=DEBUG", "<7>"},
	} {
		if len(line) >= len(l.level) && string(line[:len(l.level)]) == l.level {
			return l.prio
		}
	}
	return "<6>"
}
