// Package emulator is an in-process Infomaniak API: OAuth (login host),
// profile and kDrive (api host) and Mail (mail host, under /api), all served
// by one http.Handler so every base URL of a client can point at it. Its data
// comes from package dataset; its knobs (latency, bandwidth, rate limit,
// faults, token expiry and revocation) and per-endpoint counters exist so
// tests can assert both outcomes and the number of API calls they cost.
//
// Endpoint names, used by Count, Counts and Fault.Endpoint:
//
//	authorize         GET    /authorize
//	token             POST   /token
//	revoke            DELETE /token
//	profile           GET    /2/profile, /1/profile
//	drives            GET    /2/drive/init, /2/drive/users/current/drives, /2/drive/{id}
//	stat              GET    /3/drive/{d}/files/{f}, /2/drive/{d}/files/{f}, /3/drive/{d}/files/{dir}/name?name=
//	list              GET    /3/drive/{d}/files/{dir}/files (cursor), /2/drive/{d}/files/{dir}/files (pages)
//	listing           GET    /3/drive/{d}/files/{dir}/listing, .../listing/continue
//	listing.full      POST   /2/drive/{d}/files/listing/full (CSV snapshot)
//	listing.continue  POST   /2/drive/{d}/files/listing/continue
//	longpoll          GET    /2/drive/{d}/files/listing/longpoll (also on the notify host)
//	hash              GET    /2/drive/{d}/files/{f}/hash
//	download          GET    /2/drive/{d}/files/{f}/download (302 to content)
//	content           GET    /content/{signed token} (no Authorization)
//	write.directory   POST   /3/drive/{d}/files/{parent}/directory (also /2/)
//	write.upload      POST   /3/drive/{d}/upload (also /2/): direct upload
//	write.session.start  POST   /3/drive/{d}/upload/session/start (also /2/)
//	write.session.chunk  POST   {upload_url}/3/drive/{d}/upload/session/{token}/chunk (also /2/)
//	write.session.finish POST   /3/drive/{d}/upload/session/{token}/finish (also /2/)
//	write.session.cancel DELETE /2/drive/{d}/upload/session/{token} (also /3/)
//	write.rename      POST   /2/drive/{d}/files/{f}/rename
//	write.move        POST   /3/drive/{d}/files/{f}/move/{dest}
//	write.trash       DELETE /2/drive/{d}/files/{f} (also /3/): to the trash
//	write.copy        POST   /3/drive/{d}/files/{f}/copy/{dest}
//	write.last-modified POST /3/drive/{d}/files/{f}/last-modified (also /2/)
//	link              GET|POST|PUT|DELETE /2/drive/{d}/files/{f}/link (public link)
//	trash.list        GET    /3/drive/{d}/trash (cursor), /2/drive/{d}/trash (pages), /3/drive/{d}/trash/{f}/files
//	trash.item        GET    /3/drive/{d}/trash/{f}
//	trash.restore     POST   /2/drive/{d}/trash/{f}/restore
//	trash.delete      DELETE /2/drive/{d}/trash/{f} (for ever)
//	trash.empty       DELETE /2/drive/{d}/trash
//	archive.build     POST   /2/drive/{d}/files/archives (also /3/)
//	archive.download  GET    /2/drive/{d}/files/archives/{uuid}
//	mail.mailboxes    GET    /api/mailbox
//	mail.folders      GET    /api/mail/{uuid}/folder
//	mail.uids         GET    /api/mail/{uuid}/folder/{fid}/mobile/date-ordered-messages-uids
//	mail.messages     GET    /api/mail/{uuid}/folder/{fid}/mobile/messages
//	mail.activities   GET|POST /api/mail/{uuid}/folder/{fid}/mobile/activities
//	mail.threads      GET    /api/mail/{uuid}/folder/{fid}/message
//	mail.message      GET    /api/mail/{uuid}/folder/{fid}/message/{uid}
//	mail.raw          GET    /api/mail/{uuid}/folder/{fid}/message/{uid}/download
//
// A request is counted once it has passed authentication (a valid bearer
// token with the right scope; OAuth and content routes always), so errors,
// rate-limit answers and injected faults are counted too. The 429 answers
// (rate limit or injected) are also counted apart. GET /_emulator/counters
// serves every counter as JSON (no token, not counted itself):
//
//	{"total":N,"endpoints":{"list":3,...},"rate_limited":M,"rate_limited_endpoints":{"list":1,...}}
//
// A file's hash (with=hash, and the hash route) is "xxh3:" and the 16
// lowercase hex digits of XXH3-64 of its content, computed on first demand
// once per version; a directory's hash is 400 bad_request_error.
//
// The notify host (notify.kdrive.infomaniak.com: the long poll) has its own
// listener (Options.NotifyAddr, infomaniak-emulator --notify-addr; default a
// fresh loopback port), NotifyURL; the long poll is served on URL too.
// SetNotifyDown(true) takes that host down: open connections are cut and
// new ones closed at once, while the API address keeps serving, so a client
// must fall back to listing/continue. ExpireCursors makes every change
// cursor and mail signature handed out so far expired: listing/continue
// (v2; v3 once its pages are served) and the long poll answer 400
// invalid_cursor_error (additions §4.3; also for a malformed or foreign
// cursor), mail activities 400 validation_failed (mail reference §10.3).
//
// A data set loaded from a directory can be followed while serving
// (Server.Watch, infomaniak-emulator --data DIR --watch): DIR is rescanned
// every half second and each difference becomes a data set mutation, so
// listing/continue, the long poll and mail activities report it as the
// real service reports changes made from another device. Files and
// folders created, modified (an editor's save-by-rename included), renamed,
// moved or deleted under DIR/kdrive/<drive>/ are followed by inode, so a mv
// is a rename or move, not a deletion and a creation; .eml files added to
// or removed from a mail folder are messages added or deleted (a message
// moved between folders is both, as in IMAP). Drives, mailboxes and mail
// folders are the ones found at start. Only DIR/kdrive and DIR/mail are
// followed (not DIR/.trash).
//
// Write routes (kDrive reference §10, additions §5): create directory,
// direct upload, rename, move, trash. Each appears in the change feeds and
// updates the drive's used size. Names must be 1-255 bytes without "/" or
// NUL (else 422 validation_failed); the drive root and the spaces under it
// cannot be written to, renamed, moved or trashed (403 forbidden_error;
// an upload or session into the root: 403
// upload_destination_not_writable_error, the spec's code for it).
// Conflicts answer 409: destination_already_exists (directory), conflict_error
// (rename, move without conflict=rename: rclone's witness),
// file_already_exists_error (upload with conflict=error, the Android app's
// witness). An upload clashing with a folder is renamed ("a(1).txt"), as the
// desktop client says the service does. Uploads: total_size must equal the
// Content-Length (chunked bodies: 411), total_chunk_hash "xxh3:…" is checked
// (400 upload_error), file_id overwrites and excludes
// file_name/directory_id/conflict, beyond the drive's quota: 403
// quota_exceeded_error (status inferred). Uploaded bytes are kept in memory,
// unless the data set was loaded from a directory: then every write is
// mirrored there (mkdir, the file with its mtime, mv for rename and move,
// DIR/.trash/<drive>/<id>/ for the trash, rm for delete for ever), so a test
// can diff -r the server's state, and a watcher of DIR does not report the
// API's own writes again. Copy takes files only. Upload
// sessions live 12 h (then 404 object_not_found; cancel: 400), keep their
// chunks in memory, check each chunk_hash, and at finish take either form of
// total_chunk_hash (nested: XXH3 of the chunks' hex hashes; simple: of the
// content); a missing chunk is 400 upload_not_terminated_error. Trashed
// items (status "trashed", their contents "trash_inherited") leave the tree
// and the feeds say file_trash; restore (file_restore) goes back to the old
// folder or destination_directory_id, renaming "(n)" on a clash (the
// service's choice is unknown); delete and empty purge (file_delete).
// Public links: one per file, created (409 file_share_link_already_exists
// if there is one), read, given a new valid_until, deleted; 404
// object_not_found without one.
//
// Routes known only from third-party clients: /2/.../last-modified (the
// reference names /3/; the desktop client, whose jobs default to v2, and
// kdrive-fuse call it) is served; kdrive-fuse's /2/.../files/{f}/shares is
// not (no official client uses it; the public link is /2/.../link).
//
// Archives (additions §3): POST …/files/archives takes file_ids (one
// parent's items) or parent_id with except_file_ids, counts the files with
// directories recursed (1 to 20,000, else 400 validation_failed; unknown
// ids 404 object_not_found; ids of two parents 400 validation_failed) and
// answers 201 {uuid, number_of_files, infected_files: [], pua_files: []}.
// GET …/files/archives/{uuid} serves the zip itself (the real one may 302
// to a content host; a client following redirects sees no difference),
// with Range, any number of times for an hour (lifetime UNKNOWN). The zip
// layout is UNKNOWN in the reference; assumed here: one entry per file
// named by its path relative to the common parent ("a.txt", "sub/b.txt",
// UTF-8 names), a "sub/" entry per directory, entries in the order asked,
// stored without compression (as streaming zip servers commonly do; a
// drive holds mostly compressed media; the client also reads deflate),
// with data descriptors (sizes after the data, as any streaming zip
// writer makes them) and the file's last_modified_at, no zip64 (an
// archive of 4 GiB or more: 400 results_set_too_large_error). The zip is
// laid out at POST over the files' versions of that moment; a download
// streams it as the files are read, a ranged one (a resumption) is served
// from a copy made in memory on the first such request. Go's mux cannot hold files/archives/{uuid}
// beside files/{file}/hash, so the download is routed through the pattern
// GET /2/drive/{d}/files/{file}/{rest}: an unknown route of that shape is
// counted as archive.download (and answered 404).
//
// Deviations from the real service, by necessity: the v2 routes serve the v3 tree (Private is not flattened into
// the root); thread=on lists one message per thread.
package emulator

// Endpoint names, as documented above.
const (
	EpAuthorize       = "authorize"
	EpToken           = "token"
	EpRevoke          = "revoke"
	EpProfile         = "profile"
	EpDrives          = "drives"
	EpStat            = "stat"
	EpList            = "list"
	EpListing         = "listing"
	EpListingFull     = "listing.full"
	EpListingContinue = "listing.continue"
	EpLongpoll        = "longpoll"
	EpHash            = "hash"
	EpDownload        = "download"
	EpContent         = "content"
	EpMkdir           = "write.directory"
	EpUpload          = "write.upload"
	EpRename          = "write.rename"
	EpMove            = "write.move"
	EpTrash           = "write.trash"
	EpCopy            = "write.copy"
	EpSessionStart    = "write.session.start"
	EpSessionChunk    = "write.session.chunk"
	EpSessionFinish   = "write.session.finish"
	EpSessionCancel   = "write.session.cancel"
	EpLastModified    = "write.last-modified"
	EpLink            = "link"
	EpTrashList       = "trash.list"
	EpTrashItem       = "trash.item"
	EpTrashRestore    = "trash.restore"
	EpTrashDelete     = "trash.delete"
	EpTrashEmpty      = "trash.empty"
	EpArchiveBuild    = "archive.build"
	EpArchiveDownload = "archive.download"
	EpMailboxes       = "mail.mailboxes"
	EpMailFolders     = "mail.folders"
	EpMailUIDs        = "mail.uids"
	EpMailMessages    = "mail.messages"
	EpMailActivities  = "mail.activities"
	EpMailThreads     = "mail.threads"
	EpMailMessage     = "mail.message"
	EpMailRaw         = "mail.raw"
)
