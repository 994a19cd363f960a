package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func newTestMail(t *testing.T, f *fakeMail, o Options) *Mail {
	t.Helper()
	m := NewMail(f, o)
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMailListingsCached(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func(m *Mail) error
		counter func(f *fakeMail) int64
		ttl     time.Duration
	}{
		{"mailboxes", func(m *Mail) error { _, err := m.Mailboxes(ctx); return err },
			func(f *fakeMail) int64 { return f.mailboxes() }, 5 * time.Minute},
		{"folders", func(m *Mail) error { _, err := m.Folders(ctx, "mb"); return err },
			func(f *fakeMail) int64 { return f.folders() }, 5 * time.Minute},
		{"messages", func(m *Mail) error {
			l, err := m.Messages(ctx, "mb", "inbox")
			if err == nil && len(l) != 3 {
				err = fmt.Errorf("%d messages", len(l))
			}
			return err
		}, func(f *fakeMail) int64 { return f.messages() }, 5 * time.Minute},
		{"messages of a missing folder", func(m *Mail) error {
			if _, err := m.Messages(ctx, "mb", "gone"); !errors.Is(err, remote.ErrNotFound) {
				return fmt.Errorf("want ErrNotFound, got %v", err)
			}
			return nil
		}, func(f *fakeMail) int64 { return f.messages() }, 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeMail(3)
			clk := newClock()
			m := newTestMail(t, f, Options{Now: clk.Now})
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			f.latency = 20 * time.Millisecond
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); errs <- tc.call(m) }()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := tc.counter(f); n != 1 {
				t.Fatalf("20 concurrent calls cost %d, want 1", n)
			}
			f.latency = 0
			clk.advance(tc.ttl - time.Second)
			tc.call(m)
			if n := tc.counter(f); n != 1 {
				t.Fatalf("fresh entry refetched: %d calls", n)
			}
			clk.advance(2 * time.Second)
			tc.call(m)
			if n := tc.counter(f); n != 2 {
				t.Fatalf("expired entry not refetched: %d calls", n)
			}
		})
	}
}

// Size is exact whatever the listing's hint says, costs one download,
// and the read that follows costs nothing.
func TestMailSize(t *testing.T) {
	ctx := context.Background()
	f := newFakeMail(3)
	m := newTestMail(t, f, Options{})
	msgs, err := m.Messages(ctx, "mb", "inbox")
	if err != nil {
		t.Fatal(err)
	}
	for i, msg := range msgs {
		raw := f.msg(msg.UID)
		if msg.SizeHint == int64(len(raw)) {
			t.Fatal("the fake's hint should lie")
		}
		// Later ones may be learned ahead of this scan (mail_ahead.go).
		if _, ok := m.KnownSize("mb", "inbox", msg.UID); ok && i == 0 {
			t.Fatal("size known before any download")
		}
		for range 3 {
			n, err := m.Size(ctx, "mb", "inbox", msg.UID)
			if err != nil || n != int64(len(raw)) {
				t.Fatalf("Size(%s) = %d, %v; want %d", msg.UID, n, err, len(raw))
			}
		}
		if n, ok := m.KnownSize("mb", "inbox", msg.UID); !ok || n != int64(len(raw)) {
			t.Fatalf("KnownSize(%s) = %d, %v", msg.UID, n, ok)
		}
		p := make([]byte, len(raw)+10)
		n, err := m.ReadAt(ctx, "mb", "inbox", msg.UID, p, 0)
		if n != len(raw) || err == nil || string(p[:n]) != string(raw) {
			t.Fatalf("ReadAt whole = %d, %v", n, err)
		}
	}
	if n := f.raws(); n != int64(len(msgs)) {
		t.Fatalf("%d downloads for %d messages", n, len(msgs))
	}
	if _, err := m.Size(ctx, "mb", "inbox", "404"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("size of a missing message: %v", err)
	}
}

func TestMailSizeConcurrency(t *testing.T) {
	f := newFakeMail(20)
	f.latency = 10 * time.Millisecond
	m := newTestMail(t, f, Options{MailSizeConcurrency: 3, ExactMailSizes: true})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := 1; i <= 20; i++ {
		for j := 0; j < 5; j++ { // five askers per message: one download
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Size(context.Background(), "mb", "inbox", fmt.Sprint(i)); err != nil {
					failed.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatal("some Size failed")
	}
	if n := f.raws(); n != 20 {
		t.Fatalf("%d downloads, want 20", n)
	}
	if n := f.maxActive.Load(); n > 3 || n < 2 {
		t.Fatalf("%d downloads at once, want at most 3 (and some parallelism)", n)
	}
}

func TestMailReadAt(t *testing.T) {
	ctx := context.Background()
	f := newFakeMail(2)
	m := newTestMail(t, f, Options{})
	raw, _ := f.Raw(ctx, "mb", "inbox", "2")
	size := int64(len(raw))
	tests := []struct {
		off   int64
		n     int
		wantN int
		eof   bool
	}{
		{0, 10, 10, false},
		{size - 5, 5, 5, false},
		{size - 5, 10, 5, true},
		{size, 1, 0, true},
		{size + 100, 1, 0, true},
		{7, 0, 0, false},
	}
	for _, tc := range tests {
		p := make([]byte, tc.n)
		n, err := m.ReadAt(ctx, "mb", "inbox", "2", p, tc.off)
		if n != tc.wantN || (err != nil) != tc.eof || (tc.eof && err != io.EOF) {
			t.Fatalf("ReadAt(off %d, len %d) = %d, %v", tc.off, tc.n, n, err)
		}
		if string(p[:n]) != string(raw[tc.off:tc.off+int64(n)]) {
			t.Fatalf("ReadAt(off %d, len %d): wrong bytes", tc.off, tc.n)
		}
	}
	if _, err := m.ReadAt(ctx, "mb", "inbox", "2", make([]byte, 1), -1); err == nil {
		t.Fatal("negative offset accepted")
	}
	got, err := m.Raw(ctx, "mb", "inbox", "2")
	if err != nil || string(got) != string(raw) {
		t.Fatalf("Raw: %v", err)
	}
	got[0] ^= 0xff // the caller owns Raw's slice: the cache must not change
	p := make([]byte, 1)
	m.ReadAt(ctx, "mb", "inbox", "2", p, 0)
	if p[0] != raw[0] {
		t.Fatal("Raw handed out the cached bytes")
	}
	if n := f.raws(); n != 2 { // one by the test itself
		t.Fatalf("%d downloads, want 1", n-1)
	}
}

func TestMailErrorsNotCached(t *testing.T) {
	f := newFakeMail(1)
	var fails atomic.Int64
	fails.Store(1)
	f.fail = func(op string) error {
		if fails.Add(-1) >= 0 {
			return remote.ErrUnavailable
		}
		return nil
	}
	m := newTestMail(t, f, Options{})
	if _, err := m.Size(context.Background(), "mb", "inbox", "1"); !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("first Size: %v", err)
	}
	if _, ok := m.KnownSize("mb", "inbox", "1"); ok {
		t.Fatal("size known after a failure")
	}
	if _, err := m.Size(context.Background(), "mb", "inbox", "1"); err != nil {
		t.Fatal(err)
	}
}

func TestMailInvalidate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name                   string
		folder                 string
		wantFolders, wantLists int64
	}{
		{"folder", "inbox", 1, 2},
		{"other folder", "sent", 1, 1},
		{"whole mailbox", "", 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeMail(2)
			m := newTestMail(t, f, Options{})
			m.Folders(ctx, "mb")
			m.Messages(ctx, "mb", "inbox")
			m.Size(ctx, "mb", "inbox", "1")
			m.Invalidate("mb", tc.folder)
			m.Folders(ctx, "mb")
			m.Messages(ctx, "mb", "inbox")
			m.Size(ctx, "mb", "inbox", "1")
			if f.folders() != tc.wantFolders || f.messages() != tc.wantLists || f.raws() != 1 {
				t.Fatalf("folders %d messages %d raws %d", f.folders(), f.messages(), f.raws())
			}
		})
	}
}
