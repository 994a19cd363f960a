package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

type folderJSON struct {
	ID, Path, Name, Separator string
	Role                      *string
	TotalCount                int          `json:"total_count"`
	Children                  []folderJSON `json:"children"`
}

type uidList struct {
	UIDs      []string `json:"messages_uids"`
	Signature string   `json:"signature"`
}

func mailSetup(t *testing.T, spec dataset.Spec) (*Server, string, string) {
	t.Helper()
	s := start(t, Options{Data: dataset.Generate(spec)})
	tok := s.IssueToken("workspace:mail")
	boxes := decode[[]map[string]any](t, api(t, s, tok, "/api/mailbox?with=aliases,unseen", 200).Data)
	if len(boxes) == 0 {
		t.Fatal("no mailboxes")
	}
	return s, tok, boxes[0]["uuid"].(string)
}

func TestMailFoldersAndMessages(t *testing.T) {
	s, tok, uuid := mailSetup(t, dataset.Spec{Seed: 9, Drives: 1, Depth: 1})
	boxes := decode[[]map[string]any](t, api(t, s, tok, "/api/mailbox", 200).Data)
	for _, k := range []string{"uuid", "email", "email_idn", "mailbox", "mailbox_id", "hosting_id", "is_primary", "is_locked", "unseen_messages"} {
		if _, ok := boxes[0][k]; !ok {
			t.Errorf("mailbox lacks %s", k)
		}
	}
	roots := decode[[]folderJSON](t, api(t, s, tok, "/api/mail/"+uuid+"/folder?with=ik-static", 200).Data)
	var flat []folderJSON
	var walk func([]folderJSON, string)
	walk = func(fs []folderJSON, parent string) {
		for _, f := range fs {
			if parent != "" && !strings.HasPrefix(f.Path, parent+f.Separator) {
				t.Errorf("%s nested under %s", f.Path, parent)
			}
			flat = append(flat, f)
			walk(f.Children, f.Path)
		}
	}
	walk(roots, "")
	byPath := map[string]folderJSON{}
	for _, f := range flat {
		byPath[f.Path] = f
	}
	inbox, ok := byPath["INBOX"]
	if !ok || inbox.ID != "eJzz9HPyjwAABGYBgQ--" || inbox.Role == nil || *inbox.Role != "INBOX" {
		t.Fatalf("INBOX: %+v", inbox)
	}
	if _, ok := byPath["Archives/2025"]; !ok {
		t.Fatalf("no nested Archives/2025 in %v", byPath)
	}
	checked := 0
	for _, f := range flat {
		ul := decode[uidList](t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+f.ID+"/mobile/date-ordered-messages-uids?messages=10000&direction=desc", 200).Data)
		if len(ul.UIDs) != f.TotalCount || ul.Signature == "" {
			t.Fatalf("%s: %d uids, total_count %d", f.Path, len(ul.UIDs), f.TotalCount)
		}
		for i := 0; i < len(ul.UIDs); i += maxUIDsPerCall {
			batch := ul.UIDs[i:min(i+maxUIDsPerCall, len(ul.UIDs))]
			msgs := decode[struct {
				Messages []map[string]any `json:"messages"`
			}](t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+f.ID+"/mobile/messages?uids="+strings.Join(batch, ","), 200).Data).Messages
			if len(msgs) != len(batch) {
				t.Fatalf("%d messages for %d uids", len(msgs), len(batch))
			}
			for j, m := range msgs {
				checkMessage(t, s, tok, f.ID, batch[j], m)
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no message checked")
	}
	if s.Count(EpMailRaw) != int64(checked) {
		t.Fatalf("mail.raw counted %d for %d downloads", s.Count(EpMailRaw), checked)
	}
	wantCode(t, api(t, s, tok, "/api/mail/"+uuid+"/folder/bm9wZQ--/message", 404), "folder__not_exists")
	wantCode(t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox.ID+"/message/999999", 404), "mail__message_not_found")
	wantCode(t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox.ID+"/message/999999/download", 404), "mail__message_not_found")
	wantCode(t, api(t, s, tok, "/api/mail/no-such-box/folder", 404), "object_not_found")
	wantCode(t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox.ID+"/mobile/date-ordered-messages-uids?messages=10001", 400), "validation_failed")
	many := strings.TrimSuffix(strings.Repeat("1,", 201), ",")
	wantCode(t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox.ID+"/mobile/messages?uids="+many, 400), "validation_failed")
}

// checkMessage compares a listed message with its download.
func checkMessage(t *testing.T, s *Server, tok, folderID, uid string, m map[string]any) {
	t.Helper()
	if m["uid"] != uid+"@"+folderID || m["folder_id"] != folderID {
		t.Fatalf("uid %v folder %v, want %s@%s", m["uid"], m["folder_id"], uid, folderID)
	}
	date, err := time.Parse(mailDate, m["internal_date"].(string))
	if err != nil {
		t.Fatalf("internal_date %v: %v", m["internal_date"], err)
	}
	res := m["download_resource"].(string)
	if res != m["resource"].(string)+"/download" {
		t.Fatalf("download_resource %s", res)
	}
	resp, raw := get(t, s, tok, res)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "message/rfc822" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		resp.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
		t.Fatalf("download %s: %d %v", res, resp.StatusCode, resp.Header)
	}
	if int64(m["size"].(float64)) != int64(len(raw)) {
		t.Fatalf("%s: listed size %v, download %d bytes", res, m["size"], len(raw))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s does not parse: %v", res, err)
	}
	if hd, err := msg.Header.Date(); err == nil && !hd.Equal(date) {
		t.Logf("%s: Date header %v, internal_date %v", res, hd, date)
	}
	subj, _ := new(mimeDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != m["subject"] {
		t.Fatalf("%s: subject %q, header %q", res, m["subject"], subj)
	}
}

func TestMailThreadsPaging(t *testing.T) {
	s, tok, uuid := mailSetup(t, dataset.Spec{Seed: 4, Drives: 1, Depth: 1, BigFolderMessages: 120})
	big := dataset.FolderID("Archives/Big")
	next := "/api/mail/" + uuid + "/folder/" + big + "/message?offset=0&thread=off&limit=50"
	seen := map[string]bool{}
	pages := 0
	for next != "" {
		tr := decode[map[string]any](t, api(t, s, tok, next, 200).Data)
		pages++
		if tr["total_messages_count"] != float64(120) || tr["thread_mode"] != "off" {
			t.Fatalf("thread result %v", tr)
		}
		for _, th := range tr["threads"].([]any) {
			m := th.(map[string]any)["messages"].([]any)[0].(map[string]any)
			seen[m["uid"].(string)] = true
		}
		next, _ = tr["resource_next"].(string)
	}
	if pages != 3 || len(seen) != 120 || s.Count(EpMailThreads) != 3 {
		t.Fatalf("%d pages, %d messages, %d counted", pages, len(seen), s.Count(EpMailThreads))
	}
	one := decode[map[string]any](t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+big+"/message/1?prefered_format=html", 200).Data)
	if body, _ := one["body"].(map[string]any); body == nil || body["type"] == "" {
		t.Fatalf("message body %v", one["body"])
	}
}

func TestMailSizeSkew(t *testing.T) {
	s, tok, uuid := mailSetup(t, dataset.Spec{Seed: 9, Drives: 1, Depth: 1})
	inbox := dataset.FolderID("INBOX")
	list := func() map[string]any {
		return decode[struct {
			Messages []map[string]any `json:"messages"`
		}](t, api(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox+"/mobile/messages?uids=1", 200).Data).Messages[0]
	}
	real := list()["size"].(float64)
	s.SetMailSizeSkew(-7)
	if got := list()["size"].(float64); got != real-7 {
		t.Fatalf("skewed size %v, want %v", got, real-7)
	}
	if _, raw := get(t, s, tok, "/api/mail/"+uuid+"/folder/"+inbox+"/message/1/download"); float64(len(raw)) != real {
		t.Fatalf("download %d bytes, want the real %v", len(raw), real)
	}
}

type activities struct {
	Deleted, Added []string
	Updated        []map[string]any
	Signature      string
	Unread         int `json:"unread_count"`
}

func TestMailActivities(t *testing.T) {
	s, tok, uuid := mailSetup(t, dataset.Spec{Seed: 9, Drives: 1, Depth: 1})
	d := s.Data()
	inbox := dataset.FolderID("INBOX")
	base := "/api/mail/" + uuid + "/folder/" + inbox + "/mobile/"
	ul := decode[uidList](t, api(t, s, tok, base+"date-ordered-messages-uids?messages=10000", 200).Data)
	acts := func(method, sig, body string) activities {
		resp, b := call(t, method, s.URL()+base+"activities?signature="+sig, tok, strings.NewReader(body), "Content-Type", "application/json")
		return decode[activities](t, decodeEnv(t, resp, b, 200).Data)
	}
	if a := acts(http.MethodGet, ul.Signature, ""); len(a.Added)+len(a.Deleted)+len(a.Updated) != 0 {
		t.Fatalf("changes without change: %+v", a)
	}
	raw := "From: Zoe <zoe@example.ch>\r\nTo: alice@example.ch\r\nSubject: =?UTF-8?B?R3LDvHNzZQ==?=\r\nMessage-ID: <new@example.ch>\r\nDate: Mon, 02 Mar 2026 10:00:00 +0100\r\n\r\nHallo\r\n"
	added, err := d.AddMessage(uuid, inbox, []byte(raw), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	oldest := ul.UIDs[len(ul.UIDs)-1]
	oldUID, _ := strconv.ParseInt(oldest, 10, 64)
	if err := d.DeleteMessage(uuid, inbox, oldUID); err != nil {
		t.Fatal(err)
	}
	a := acts(http.MethodGet, ul.Signature, "")
	if fmt.Sprint(a.Added) != fmt.Sprint([]string{strconv.FormatInt(added.UID, 10)}) || fmt.Sprint(a.Deleted) != fmt.Sprint([]string{oldest}) {
		t.Fatalf("activities %+v", a)
	}
	// The client's UID set decides deleted, in both body forms.
	for _, body := range []string{`{"uids":"` + oldest + `,999990:999991"}`, `"` + oldest + `,999990:999991"`} {
		a = acts(http.MethodPost, ul.Signature, body)
		if fmt.Sprint(a.Deleted) != fmt.Sprint([]string{oldest, "999990", "999991"}) {
			t.Fatalf("body %s: deleted %v", body, a.Deleted)
		}
	}
	if a2 := acts(http.MethodGet, a.Signature, ""); len(a2.Added)+len(a2.Deleted)+len(a2.Updated) != 0 {
		t.Fatalf("new signature repeats changes: %+v", a2)
	}
	m := decode[struct {
		Messages []map[string]any `json:"messages"`
	}](t, api(t, s, tok, base+"messages?uids="+strconv.FormatInt(added.UID, 10), 200).Data).Messages
	if len(m) != 1 || m[0]["subject"] != "Grüsse" {
		t.Fatalf("added message %v", m)
	}
	for _, sig := range []string{"garbage", fullCursorLike(uuid, "eJwLTs0rAQADzwGb")} {
		wantCode(t, api(t, s, tok, base+"activities?signature="+sig, 400), "validation_failed")
	}
}

// fullCursorLike is a well-formed signature of another folder.
func fullCursorLike(uuid, folder string) string {
	return cursor{Kind: curMail, Mailbox: uuid, Folder: folder}.String()
}
