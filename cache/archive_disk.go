package cache

// storeBlockNow writes the whole block idx of fk at once, from the
// caller's goroutine: an archive brings hundreds of files in a burst,
// which the writer's small queue would mostly drop (it is there to keep
// disk writes out of readers' way; an archive's goroutine has no reader
// waiting on it).
func (d *Disk) storeBlockNow(fk fileKey, idx int64, data []byte) {
	if d == nil {
		return
	}
	name := blockName(fk, idx)
	d.mu.Lock()
	_, known := d.files[name]
	closed := d.closed
	d.mu.Unlock()
	if !known && !closed {
		d.put(diskWrite{name, data})
	}
}

// hasBlock reports whether the disk holds block idx of fk (from its
// index: no file is opened).
func (d *Disk) hasBlock(fk fileKey, idx int64) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.files[blockName(fk, idx)]
	return ok
}
