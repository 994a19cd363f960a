package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// need is what a route asks of the bearer token.
type need int

const (
	needNothing need = iota // OAuth and content routes: no bearer token
	needProfile             // scope user_info
	needDrive               // scope kdrive or drive
	needMail                // scope mail or workspace:mail
)

func (s *Server) routes() {
	s.handle("GET /authorize", EpAuthorize, needNothing, s.authorizeHandler)
	s.handle("POST /token", EpToken, needNothing, s.tokenHandler)
	s.handle("DELETE /token", EpRevoke, needNothing, s.revokeHandler)
	s.handle("GET /2/profile", EpProfile, needProfile, s.profileV2)
	s.handle("GET /1/profile", EpProfile, needProfile, s.profileV1)

	s.handle("GET /2/drive/init", EpDrives, needDrive, s.driveInit)
	s.handle("GET /2/drive/users/current/drives", EpDrives, needDrive, s.driveUsers)
	s.handle("GET /2/drive/{drive}", EpDrives, needDrive, s.driveOne)
	s.handle("GET /3/drive/{drive}/files/{file}", EpStat, needDrive, s.stat)
	s.handle("GET /2/drive/{drive}/files/{file}", EpStat, needDrive, s.stat)
	s.handle("GET /3/drive/{drive}/files/{file}/name", EpStat, needDrive, s.statByName)
	s.handle("GET /3/drive/{drive}/files/{file}/files", EpList, needDrive, s.listCursor)
	s.handle("GET /2/drive/{drive}/files/{file}/files", EpList, needDrive, s.listPages)
	s.handle("GET /3/drive/{drive}/files/{file}/listing", EpListing, needDrive, s.listing)
	s.handle("GET /3/drive/{drive}/files/{file}/listing/continue", EpListing, needDrive, s.listingContinue)
	s.handle("POST /2/drive/{drive}/files/listing/full", EpListingFull, needDrive, s.listingFull)
	s.handle("POST /2/drive/{drive}/files/listing/continue", EpListingContinue, needDrive, s.listingContinueV2)
	s.handle(longpollPattern, EpLongpoll, needDrive, s.longpoll)
	s.handle("GET /2/drive/{drive}/files/{file}/hash", EpHash, needDrive, s.fileHash)
	s.handle("GET /2/drive/{drive}/files/{file}/download", EpDownload, needDrive, s.download)
	s.handle("GET /content/{token}", EpContent, needNothing, s.content)

	// Server thumbnails (thumbnail.go).
	s.handle("GET /2/drive/{drive}/files/{file}/thumbnail", EpThumbnail, needDrive, s.thumbnail)

	s.handle("POST /3/drive/{drive}/files/{file}/directory", EpMkdir, needDrive, s.createDir)
	s.handle("POST /2/drive/{drive}/files/{file}/directory", EpMkdir, needDrive, s.createDir)
	s.handle("POST /3/drive/{drive}/upload", EpUpload, needDrive, s.upload)
	s.handle("POST /2/drive/{drive}/upload", EpUpload, needDrive, s.upload)
	for _, v := range []string{"2", "3"} {
		const session = "/drive/{drive}/upload/session"
		s.handle("POST /"+v+session+"/start", EpSessionStart, needDrive, s.sessionStart)
		s.handle("POST /"+v+session+"/{token}/chunk", EpSessionChunk, needDrive, s.sessionChunk)
		s.handle("POST /"+v+session+"/{token}/finish", EpSessionFinish, needDrive, s.sessionFinish)
		s.handle("DELETE /"+v+session+"/{token}", EpSessionCancel, needDrive, s.sessionCancel)
	}
	s.handle("POST /2/drive/{drive}/files/{file}/rename", EpRename, needDrive, s.rename)
	s.handle("POST /3/drive/{drive}/files/{file}/move/{dest}", EpMove, needDrive, s.move)
	s.handle("POST /3/drive/{drive}/files/{file}/copy/{dest}", EpCopy, needDrive, s.copyFile)
	s.handle("POST /3/drive/{drive}/files/{file}/last-modified", EpLastModified, needDrive, s.lastModified)
	s.handle("POST /2/drive/{drive}/files/{file}/last-modified", EpLastModified, needDrive, s.lastModified)
	s.handle("GET /3/drive/{drive}/trash", EpTrashList, needDrive, s.trashList)
	s.handle("GET /2/drive/{drive}/trash", EpTrashList, needDrive, s.trashList)
	s.handle("GET /3/drive/{drive}/trash/{file}", EpTrashItem, needDrive, s.trashItem)
	s.handle("GET /3/drive/{drive}/trash/{file}/files", EpTrashList, needDrive, s.trashChildren)
	s.handle("POST /2/drive/{drive}/trash/{file}/restore", EpTrashRestore, needDrive, s.trashRestore)
	s.handle("DELETE /2/drive/{drive}/trash/{file}", EpTrashDelete, needDrive, s.trashDelete)
	s.handle("DELETE /2/drive/{drive}/trash", EpTrashEmpty, needDrive, s.trashEmpty)
	s.handle("GET /2/drive/{drive}/files/{file}/link", EpLink, needDrive, s.linkGet)
	s.handle("POST /2/drive/{drive}/files/{file}/link", EpLink, needDrive, s.linkCreate)
	s.handle("PUT /2/drive/{drive}/files/{file}/link", EpLink, needDrive, s.linkUpdate)
	s.handle("DELETE /2/drive/{drive}/files/{file}/link", EpLink, needDrive, s.linkDelete)
	s.handle("DELETE /2/drive/{drive}/files/{file}", EpTrash, needDrive, s.trash)
	s.handle("DELETE /3/drive/{drive}/files/{file}", EpTrash, needDrive, s.trash)

	// Archives (additions §3): build a zip of one parent's items, download it.
	s.handle("POST /2/drive/{drive}/files/archives", EpArchiveBuild, needDrive, s.buildArchive)
	s.handle("POST /3/drive/{drive}/files/archives", EpArchiveBuild, needDrive, s.buildArchive)
	s.handle("GET /2/drive/{drive}/files/{file}/{rest}", EpArchiveDownload, needDrive, s.archiveRoute)

	const folder = "/api/mail/{mailbox}/folder/{folder}"
	s.handle("GET /api/mailbox", EpMailboxes, needMail, s.mailboxes)
	s.handle("GET /api/mail/{mailbox}/folder", EpMailFolders, needMail, s.mailFolders)
	s.handle("GET "+folder+"/mobile/date-ordered-messages-uids", EpMailUIDs, needMail, s.mailUIDs)
	s.handle("GET "+folder+"/mobile/messages", EpMailMessages, needMail, s.mailMessages)
	s.handle("GET "+folder+"/mobile/activities", EpMailActivities, needMail, s.mailActivities)
	s.handle("POST "+folder+"/mobile/activities", EpMailActivities, needMail, s.mailActivities)
	s.handle("GET "+folder+"/message", EpMailThreads, needMail, s.mailThreads)
	s.handle("GET "+folder+"/message/{uid}", EpMailMessage, needMail, s.mailMessage)
	s.handle("GET "+folder+"/message/{uid}/download", EpMailRaw, needMail, s.mailRaw)

	s.mux.HandleFunc("GET /_emulator/counters", s.countersHandler)
	s.mux.HandleFunc("/", noRoute)

	// The notify host serves the long poll only (its own listener, see notify.go).
	s.notifyMux.HandleFunc(longpollPattern, s.wrap(EpLongpoll, needDrive, s.longpoll))
	s.notifyMux.HandleFunc("/", noRoute)
}

const longpollPattern = "GET /2/drive/{drive}/files/listing/longpoll"

func noRoute(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "not_found", "no route for "+r.Method+" "+r.URL.Path)
}

// handle registers h on the main mux behind the common pipeline.
func (s *Server) handle(pattern, name string, nd need, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, s.wrap(name, nd, h))
}

// wrap puts h behind the common pipeline: latency, bandwidth,
// authentication, counting, rate limit, faults.
func (s *Server) wrap(name string, nd need, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sleep(r.Context(), time.Duration(s.latency.Load())) {
			return
		}
		w = &shapedWriter{ResponseWriter: w, s: s, ctx: r.Context()}
		if nd != needNothing && !s.authenticate(w, r, nd) {
			return
		}
		s.counts.inc(name)
		if nd != needNothing {
			if wait := s.rateWait(); wait > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(wait))
				w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix()+int64(wait), 10))
				apiError(w, http.StatusTooManyRequests, "too_many_requests", "too many requests, retry later")
				s.counts.inc429(name)
				return
			}
		}
		if f, ok := s.faults.pick(name); ok {
			if f.Kind == Fault429 {
				s.counts.inc429(name)
			}
			var done bool
			if w, done = s.applyFault(w, r, f); done {
				return
			}
		}
		h(w, r)
	}
}

// authenticate answers 401 for a missing, unknown or expired token, and
// refuses a token without the route's scope: 401 for the profile (as the
// seed guide says), 403 elsewhere (a refresh would not help).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, nd need) bool {
	tok := bearer(r)
	a, ok := s.tokens.valid(tok)
	if tok == "" || !ok {
		apiError(w, http.StatusUnauthorized, "not_authorized", "missing, invalid or expired access token")
		return false
	}
	switch nd {
	case needProfile:
		if !a.allows("user_info") {
			apiError(w, http.StatusUnauthorized, "not_authorized", "the user_info scope was not granted")
			return false
		}
	case needDrive:
		if !a.allows("kdrive", "drive") {
			apiError(w, http.StatusForbidden, "access_denied", "the token lacks the kdrive scope")
			return false
		}
	case needMail:
		if !a.allows("mail", "workspace:mail") {
			apiError(w, http.StatusForbidden, "access_denied", "the token lacks the mail scope")
			return false
		}
	}
	return true
}

// profile names derived from the configured email ("demo@example.ch" →
// Demo, Example).
func (s *Server) names() (first, last string) {
	local, domain, _ := strings.Cut(s.o.UserEmail, "@")
	domain, _, _ = strings.Cut(domain, ".")
	title := func(x string) string {
		if x == "" {
			return "User"
		}
		return strings.ToUpper(x[:1]) + x[1:]
	}
	return title(local), title(domain)
}

func (s *Server) profileV2(w http.ResponseWriter, r *http.Request) {
	first, last := s.names()
	success(w, obj{
		"id": UserID, "user_id": UserID, "login": s.o.UserEmail, "email": s.o.UserEmail,
		"display_name": first + " " + last, "first_name": first, "last_name": last,
		"avatar": nil, "is_staff": false, "locale": "en_GB", "language_id": 2,
		"preferences": obj{"language": obj{"short_name": "en"}, "timezone": "Europe/Zurich"},
	}, nil)
}

func (s *Server) profileV1(w http.ResponseWriter, r *http.Request) {
	first, last := s.names()
	success(w, obj{
		"id": UserID, "user_id": UserID, "login": s.o.UserEmail, "email": s.o.UserEmail,
		"display_name": first + " " + last, "firstname": first, "lastname": last, "avatar": nil,
	}, nil)
}
