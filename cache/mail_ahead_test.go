package cache

import (
	"context"
	"testing"
	"time"
)

// A scan of sizes (ls -l) learns the next ones ahead, in parallel: 64
// messages at 20 ms each take far less than 64 round trips, and each is
// downloaded once. A lone stat learns one size only. (--exact-mail-sizes:
// by default stat never downloads.)
func TestMailSizesLearnedAheadOfAScan(t *testing.T) {
	ctx := context.Background()
	f := newFakeMail(64)
	f.latency = 50 * time.Millisecond
	m := NewMail(f, Options{ExactMailSizes: true})
	defer m.Close()
	list, err := m.Messages(ctx, "mb", "inbox")
	if err != nil || len(list) != 64 {
		t.Fatalf("Messages: %d, %v", len(list), err)
	}

	if _, err := m.Size(ctx, "mb", "inbox", list[40].UID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := f.raws(); n != 1 {
		t.Fatalf("a lone stat downloaded %d messages, want 1", n)
	}

	start := time.Now()
	for _, msg := range list {
		n, err := m.Size(ctx, "mb", "inbox", msg.UID)
		if err != nil || n != int64(len(f.msg(msg.UID))) {
			t.Fatalf("Size(%s) = %d, %v; want %d", msg.UID, n, err, len(f.msg(msg.UID)))
		}
	}
	took := time.Since(start)
	if serial := 63 * f.latency; took > serial/2 {
		t.Errorf("scan of 63 unknown sizes took %v; serially it would take %v", took, serial)
	}
	if n := f.raws(); n != 64 {
		t.Errorf("%d downloads for 64 messages, want each once", n)
	}
	if max := f.maxActive.Load(); max > int64(DefaultMailSizeConcurrency) {
		t.Errorf("%d downloads at once, bound is %d", max, DefaultMailSizeConcurrency)
	}
}
