package fs

import (
	"context"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// ListingWatcher is told of the kDrive files of every folder a program
// lists (readdir), before the listing is answered: the thumbnail writer
// (package thumbs) uses it to put server thumbnails where a file manager
// looks before it reads the files. Listed may block (boundedly) to get
// its work done first; it must be safe for concurrent use.
type ListingWatcher interface {
	// Listed gets each file's path in the mount ("/kDrive/Drive/a.jpg",
	// the safe name the listing shows) and its entry.
	Listed(ctx context.Context, paths []string, entries []remote.Entry)
}

// tellListed gives the watcher, if any, the kDrive files of l.
func (d *dirNode) tellListed(ctx context.Context, l *listing) {
	if d.s.listings == nil {
		return
	}
	var paths []string
	var entries []remote.Entry
	for _, name := range l.names {
		if de, ok := l.items[name].(driveEntry); ok && !de.e.IsDir {
			paths = append(paths, d.path+"/"+name)
			entries = append(entries, de.e)
		}
	}
	if len(entries) > 0 {
		d.s.listings.Listed(ctx, paths, entries)
	}
}
