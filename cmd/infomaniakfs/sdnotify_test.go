package main

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestNotifier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	n := newNotifier(func(k string) string { return map[string]string{"NOTIFY_SOCKET": path}[k] })
	if err := n.send("READY=1", status("a\nb")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	k, err := conn.Read(buf)
	if err != nil || string(buf[:k]) != "READY=1\nSTATUS=a b" {
		t.Fatalf("got %q, %v", buf[:k], err)
	}
	// The listener goes (a mount helper that got READY=1 and exited):
	// later sends are dropped without an error.
	conn.Close()
	if err := n.send("STATUS=x"); err != nil || !n.gone.Load() {
		t.Errorf("after the socket went: %v, gone %v", err, n.gone.Load())
	}
	if err := newNotifier(func(string) string { return "" }).send("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
}
