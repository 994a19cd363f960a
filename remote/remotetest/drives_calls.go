package remotetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The calls of DriveFake: remote.Drives, and what the tests see of them.

// Calls counts the calls of op so far; CallsOn those about one item.
func (f *DriveFake) Calls(op Op) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for k, c := range f.calls {
		if k.op == op {
			n += c
		}
	}
	return n
}

// CallsOn counts the calls of op about item id of driveID.
func (f *DriveFake) CallsOn(op Op, driveID, id int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[callKey{op, driveID, id}]
}

// Opens returns every Open so far, in order.
func (f *DriveFake) Opens() []OpenCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.opens)
}

// Stall makes every call from now on wait until release is called or
// its context is done.
func (f *DriveFake) Stall() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.stall = ch
	f.mu.Unlock()
	return sync.OnceFunc(func() {
		f.mu.Lock()
		f.stall = nil
		f.mu.Unlock()
		close(ch)
	})
}

// enter counts a call, waits while stalled and runs the hook.
func (f *DriveFake) enter(ctx context.Context, op Op, driveID, id int64) error {
	f.mu.Lock()
	f.calls[callKey{op, driveID, id}]++
	h, stall := f.hook, f.stall
	f.mu.Unlock()
	if err := waitStall(ctx, stall); err != nil {
		return err
	}
	if h != nil {
		if err := h(ctx, op, driveID, id); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Drives implements remote.Drives.
func (f *DriveFake) Drives(ctx context.Context) ([]remote.DriveInfo, error) {
	if err := f.enter(ctx, OpDrives, 0, 0); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.drives), nil
}

// List implements remote.Drives.
func (f *DriveFake) List(ctx context.Context, driveID, dirID int64) ([]remote.Entry, error) {
	if err := f.enter(ctx, OpList, driveID, dirID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := itemKey{driveID, dirID}
	if e, ok := f.items[k]; !ok || !e.IsDir {
		return nil, fmt.Errorf("fake list %d/%d: %w", driveID, dirID, remote.ErrNotFound)
	}
	out := make([]remote.Entry, 0, len(f.children[k]))
	for _, id := range f.children[k] {
		out = append(out, f.items[itemKey{driveID, id}])
	}
	return out, nil
}

// Stat implements remote.Drives.
func (f *DriveFake) Stat(ctx context.Context, driveID, id int64) (remote.Entry, error) {
	if err := f.enter(ctx, OpStat, driveID, id); err != nil {
		return remote.Entry{}, err
	}
	e, ok := f.Entry(driveID, id)
	if !ok {
		return remote.Entry{}, fmt.Errorf("fake stat %d/%d: %w", driveID, id, remote.ErrNotFound)
	}
	return e, nil
}

// Open implements remote.Drives: a range past the end is empty; a file
// gone is ErrNotFound, one of another version ErrChanged.
func (f *DriveFake) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	f.mu.Lock()
	f.opens = append(f.opens, OpenCall{e.DriveID, e.ID, off, length})
	f.mu.Unlock()
	if err := f.enter(ctx, OpOpen, e.DriveID, e.ID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	k := itemKey{e.DriveID, e.ID}
	cur, ok := f.items[k]
	data, wrap := f.data[k], f.body
	f.mu.Unlock()
	switch {
	case !ok || cur.IsDir:
		return nil, fmt.Errorf("fake open %d/%d: %w", e.DriveID, e.ID, remote.ErrNotFound)
	case cur.Version != e.Version:
		return nil, fmt.Errorf("fake open %d/%d: %w", e.DriveID, e.ID, remote.ErrChanged)
	case off < 0:
		return nil, fmt.Errorf("fake open at %d: %w", off, remote.ErrInvalid)
	}
	end := int64(len(data))
	off = min(off, end)
	if length >= 0 && off+length < end {
		end = off + length
	}
	var rc io.ReadCloser = io.NopCloser(bytes.NewReader(data[off:end]))
	if wrap != nil {
		rc = wrap(ctx, rc)
	}
	return rc, nil
}

func waitStall(ctx context.Context, stall chan struct{}) error {
	if stall == nil {
		return nil
	}
	select {
	case <-stall:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
