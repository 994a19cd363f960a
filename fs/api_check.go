package fs

import gofs "github.com/hanwen/go-fuse/v2/fs"

// Compile-time checks that each node answers the operations it must; a
// missing method would otherwise silently fall back to go-fuse's default.
var (
	_ = (gofs.NodeLookuper)((*dirNode)(nil))
	_ = (gofs.NodeReaddirer)((*dirNode)(nil))
	_ = (gofs.NodeGetattrer)((*dirNode)(nil))
	_ = (gofs.NodeStatfser)((*dirNode)(nil))
	_ = (gofs.NodeSetattrer)((*dirNode)(nil))
	_ = (gofs.NodeCreater)((*dirNode)(nil))
	_ = (gofs.NodeMkdirer)((*dirNode)(nil))
	_ = (gofs.NodeMknoder)((*dirNode)(nil))
	_ = (gofs.NodeUnlinker)((*dirNode)(nil))
	_ = (gofs.NodeRmdirer)((*dirNode)(nil))
	_ = (gofs.NodeRenamer)((*dirNode)(nil))
	_ = (gofs.NodeLinker)((*dirNode)(nil))
	_ = (gofs.NodeSymlinker)((*dirNode)(nil))

	_ = (gofs.NodeGetattrer)((*driveFile)(nil))
	_ = (gofs.NodeOpener)((*driveFile)(nil))
	_ = (gofs.NodeReader)((*driveFile)(nil))
	_ = (gofs.NodeReleaser)((*driveFile)(nil))
	_ = (gofs.NodeStatfser)((*driveFile)(nil))
	_ = (gofs.NodeSetattrer)((*driveFile)(nil))
	_ = (gofs.NodeWriter)((*driveFile)(nil))

	_ = (gofs.NodeGetattrer)((*messageFile)(nil))
	_ = (gofs.NodeOpener)((*messageFile)(nil))
	_ = (gofs.NodeReader)((*messageFile)(nil))
	_ = (gofs.NodeStatfser)((*messageFile)(nil))
	_ = (gofs.NodeSetattrer)((*messageFile)(nil))
	_ = (gofs.NodeWriter)((*messageFile)(nil))

	_ = (updater)((*dirNode)(nil))
	_ = (updater)((*driveFile)(nil))
	_ = (updater)((*messageFile)(nil))
	_ = (dirSource)(rootDir{})
	_ = (dirSource)(drivesDir{})
	_ = (dirSource)(driveDir{})
	_ = (dirSource)(driveEntry{})
	_ = (refresher)(driveEntry{})
	_ = (dirSource)(mailboxesDir{})
	_ = (dirSource)(mailboxDir{})
	_ = (dirSource)(mailFolder{})
	_ = (item)(messageItem{})
)
