package dataset

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMailboxesAndFolders(t *testing.T) {
	d := Generate(Spec{Mailboxes: 3})
	mbs := d.Mailboxes()
	want := []string{"alice@example.ch", "bob@example.ch", "carol@example.ch"}
	for i, mb := range mbs {
		if mb.Email != want[i] || !uuidRE.MatchString(mb.UUID) || mb.Local != strings.Split(want[i], "@")[0] || mb.ID == 0 || mb.HostingID == 0 {
			t.Fatalf("mailbox %d: %+v", i, mb)
		}
		fs, ok := d.Folders(mb.UUID)
		if !ok {
			t.Fatal("no folders")
		}
		var got []string
		seen := map[string]bool{}
		for _, f := range fs {
			got = append(got, f.Path+":"+f.Role)
			if f.ID != FolderID(f.Path) || f.Separator != "/" {
				t.Fatalf("folder %+v", f)
			}
			if f.ParentPath != "" && !seen[f.ParentPath] {
				t.Fatalf("%s listed before its parent", f.Path)
			}
			seen[f.Path] = true
		}
		if w := "INBOX:INBOX Sent:SENT Drafts:DRAFT Trash:TRASH Archives: Archives/2025:"; strings.Join(got, " ") != w {
			t.Fatalf("folders %v", got)
		}
		if fs[5].Name != "2025" || fs[5].ParentPath != "Archives" {
			t.Fatalf("nested folder %+v", fs[5])
		}
	}
	if mbs[0].UUID == mbs[1].UUID {
		t.Fatal("mailboxes share a UUID")
	}
	if Generate(Spec{Mailboxes: 3, Seed: 2}).Mailboxes()[0].UUID == mbs[0].UUID {
		t.Fatal("UUID does not depend on the seed")
	}
	if _, ok := d.Folders("nope"); ok {
		t.Fatal("unknown mailbox has folders")
	}
}

// TestGeneratedMessages checks every generated message: RFC 5322 that net/mail parses, CRLF
// only, exact Size, decoded Subject, and the variety the daemon must cope with.
func TestGeneratedMessages(t *testing.T) {
	d := Generate(Spec{Seed: 11, MessagesPerFolder: 40})
	var noSubject, encoded, attachments, replies, html, alternative, total int
	for _, mb := range d.Mailboxes() {
		fs, _ := d.Folders(mb.UUID)
		for _, f := range fs {
			msgs, ok := d.Messages(mb.UUID, f.ID)
			if !ok || len(msgs) != 40 {
				t.Fatalf("%s: %d messages", f.Path, len(msgs))
			}
			for i, m := range msgs {
				total++
				if i > 0 && !newer(&msgState{MailMessage: msgs[i-1]}, &msgState{MailMessage: m}) {
					t.Fatalf("%s: not newest first at %d", f.Path, i)
				}
				if got, ok := d.Message(mb.UUID, f.ID, m.UID); !ok || got != m {
					t.Fatalf("Message(%d) = %+v", m.UID, got)
				}
				raw, ok := d.Raw(mb.UUID, f.ID, m.UID)
				if !ok || int64(len(raw)) != m.Size {
					t.Fatalf("uid %d: Size %d, len(Raw) %d", m.UID, m.Size, len(raw))
				}
				if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
					t.Fatalf("uid %d: bare LF", m.UID)
				}
				for _, line := range bytes.Split(raw, []byte("\r\n")) {
					if len(line) > 998 {
						t.Fatalf("uid %d: line of %d bytes", m.UID, len(line))
					}
				}
				msg, err := mail.ReadMessage(bytes.NewReader(raw))
				if err != nil {
					t.Fatalf("uid %d: %v\n%s", m.UID, err, raw)
				}
				h := parseHeader(bytes.NewReader(raw))
				if h.subject != m.Subject || h.from != m.From || h.to != m.To || h.messageID != m.MessageID || !h.date.Equal(m.InternalDate) {
					t.Fatalf("uid %d: header %+v, metadata %+v", m.UID, h, m)
				}
				if out := f.Path == "Sent" || f.Path == "Drafts"; out && m.From != mb.Email || !out && m.To != mb.Email {
					t.Fatalf("uid %d in %s: from %s to %s", m.UID, f.Path, m.From, m.To)
				}
				if _, ok := msg.Header["Subject"]; !ok {
					noSubject++
				}
				if strings.Contains(msg.Header.Get("Subject"), "=?UTF-8?") {
					encoded++
				}
				if msg.Header.Get("In-Reply-To") != "" {
					replies++
				}
				mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
				if err != nil {
					t.Fatalf("uid %d: %v", m.UID, err)
				}
				switch mt {
				case "text/html":
					html++
				case "multipart/alternative":
					alternative++
				case "multipart/mixed":
					mr := multipart.NewReader(msg.Body, params["boundary"])
					for {
						p, err := mr.NextPart()
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatalf("uid %d: %v", m.UID, err)
						}
						body, err := io.ReadAll(p)
						if err != nil {
							t.Fatalf("uid %d: %v", m.UID, err)
						}
						if p.FileName() != "" {
							attachments++
							body, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(body), "\r\n", ""))
							if err != nil || p.Header.Get("Content-Transfer-Encoding") != "base64" {
								t.Fatalf("uid %d: attachment: %v", m.UID, err)
							}
							if len(body) < 1024 || len(body) > 6*1024 {
								t.Fatalf("uid %d: attachment of %d bytes", m.UID, len(body))
							}
						}
					}
				}
			}
		}
	}
	for name, n := range map[string]int{"without Subject": noSubject, "RFC 2047 subjects": encoded, "attachments": attachments, "replies": replies, "HTML": html, "alternative": alternative} {
		if n == 0 || n == total {
			t.Errorf("%d of %d messages are %s", n, total, name)
		}
	}
}

func TestMessageLookups(t *testing.T) {
	d := Generate(small)
	mb := d.Mailboxes()[0]
	inbox := FolderID("INBOX")
	for _, tc := range []struct {
		uuid, folder string
		uid          int64
	}{
		{"nope", inbox, 1}, {mb.UUID, "nope", 1}, {mb.UUID, inbox, 0}, {mb.UUID, inbox, 13},
	} {
		if _, ok := d.Message(tc.uuid, tc.folder, tc.uid); ok {
			t.Errorf("Message(%+v) found", tc)
		}
		if _, ok := d.Raw(tc.uuid, tc.folder, tc.uid); ok {
			t.Errorf("Raw(%+v) found", tc)
		}
	}
	if _, ok := d.Messages(mb.UUID, "nope"); ok {
		t.Error("unknown folder listed")
	}
}
