// Package fs serves the account as a FUSE tree (go-fuse v2's fs API,
// imported as gofs), read-only unless Options.Writes makes kDrive writable
// (write_*.go, over package writeback; Mail stays read-only):
//
//	kDrive/<drive name>/<the drive's folders and files>
//	Mail/<mailbox address>/<folder>/<subfolder>/<YYYY-MM-DD HHMM Subject (uid).eml>
//
// The nodes are thin: they translate a FUSE operation into a call on a
// DriveSource or MailSource (package cache implements both over the
// remote clients), map the error with errno, and fill the answer. What is
// worth testing without a kernel lives in plain functions: SafeName and
// Namer (names), MessageName, Ino (inode numbers), errno.
//
// # One directory type
//
// Every directory is a dirNode whose src (an item that is a dirSource)
// says what it lists. A listing is named once (Namer) and kept on the
// node; Lookup answers from it while it is younger than the entry timeout,
// so the lookups that follow a readdir cost nothing, and asks the source
// again after that: the source's cache decides whether that costs a
// request. Readdir always asks the source.
//
// # What the kernel caches
//
// Names and attributes for Options.EntryTimeout and AttrTimeout, failed
// lookups for the entry timeout. A message whose exact size is not known
// yet is answered from Lookup with the listed size hint and a zero
// attribute timeout, so the next stat reaches Getattr, which learns the
// exact size (one download): stat never reports a size that read does not
// return, and listing a folder never downloads. File pages are kept across
// opens (FOPEN_KEEP_CACHE) while a kDrive file's version is unchanged;
// messages never change.
//
// # Inode numbers and times
//
// Inode numbers come from remote ids (see Ino) and times from the remote
// (kDrive last-modified, the message date). The fixed directories (root,
// kDrive/, Mail/, mailboxes, mail folders) show the newest time of what
// they hold as far as it is known (top.go); only what has no time at all
// shows the epoch. Nothing depends on when or how often the tree was
// mounted, so backup tools see unchanged data as unchanged.
//
// # Locking
//
// Node state is guarded by each node's own mutex, held only to copy a
// field in or out, never across a call to a source.
package fs
