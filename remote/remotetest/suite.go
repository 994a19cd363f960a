package remotetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Eventual is how long a suite waits for a change made behind an
// implementation's back to show through it: a cache may serve what it
// holds until its TTL, which its registration keeps short.
const Eventual = 5 * time.Second

// prompt is how long a call with a done context may take.
const prompt = 2 * time.Second

// eventually retries check until it returns nil or Eventual passes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(Eventual)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// promptly runs call with a context already cancelled and fails the test
// if it takes more than prompt.
func promptly(t *testing.T, what string, call func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	t0 := time.Now()
	err := call(ctx)
	if took := time.Since(t0); took > prompt {
		t.Errorf("%s with a cancelled context took %v", what, took)
	}
	return err
}

// wantCanceled checks err is a cancellation (errors.Is context.Canceled)
// or nil: an answer that was ready when the caller gave up (a shared load
// finishing as the context is cancelled) is as good as the error.
func wantCanceled(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("%s with a cancelled context: %v, want context.Canceled", what, err)
	}
}

func errIs(err, target error, what string) error {
	if !errors.Is(err, target) {
		return fmt.Errorf("%s: got %v, want %v", what, err, target)
	}
	return nil
}

// Staller is a world that can make its far side hang, to test that a
// call gives up when its context does (optional: the subtest is skipped).
type Staller interface {
	// Stall makes every call from now on hang until release.
	Stall(t *testing.T) (release func())
}

// giveUp runs call with a context that ends after a moment while the far
// side hangs, and checks that it returns promptly with that context's
// error.
func giveUp(t *testing.T, what string, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }() // a call that hangs ends with the stall's release
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s while the remote hangs: %v, want context.DeadlineExceeded", what, err)
		}
	case <-time.After(prompt):
		t.Errorf("%s while the remote hangs: still waiting %v after its context ended", what, prompt)
	}
}
