package dataset

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

var (
	ownerNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}
	contacts   = []mail.Address{
		{Name: "Alice Martin", Address: "alice@example.ch"},
		{Name: "Bob Müller", Address: "bob@example.ch"},
		{Name: "Chloé Dubois", Address: "chloe@example.ch"},
		{Name: "David Rossi", Address: "david@example.ch"},
		{Name: "佐藤 花子", Address: "hanako@example.jp"},
		{Name: "", Address: "noreply@shop.example.com"},
		{Name: "Erin O'Brien", Address: "erin@example.org"},
	}
	subjects = []string{
		"Quarterly report", "Réunion de lundi", "Übersicht Q3 2025", "日本語のテスト",
		"Lunch tomorrow?", "Invoice 2025-%d", "Your order has shipped", "Holiday photos 🌴",
		"Fwd: contract draft", "Meeting notes", "Grüezi from Zürich", "Budget: final numbers",
	}
	// mailFolders are every generated mailbox's folders, parents first.
	mailFolders = []string{"INBOX", "Sent", "Drafts", "Trash", "Archives", "Archives/2025"}
)

// BigFolderPath is the folder Spec.BigFolderMessages fills in mailbox 1.
const BigFolderPath = "Archives/Big"

// zone is the sender's offset in generated Date headers.
var zone = time.FixedZone("", 3600)

func generateMailbox(s Spec, i int) *mailboxState {
	r := newRNG(s.Seed, 2, int64(i))
	local := fmt.Sprintf("user%d", i+1)
	if i < len(ownerNames) {
		local = ownerNames[i]
	}
	owner := mail.Address{Name: strings.ToUpper(local[:1]) + local[1:], Address: local + "@example.ch"}
	m := &mailboxState{
		info: Mailbox{
			UUID: uuidFrom(r), Email: owner.Address, Local: local,
			ID: int64(300001 + i), HostingID: 400001,
		},
		folderBy: map[string]*folderState{},
	}
	paths := mailFolders
	if i == 0 && s.BigFolderMessages > 0 {
		paths = append(append([]string(nil), mailFolders...), BigFolderPath)
	}
	var sizer bytes.Buffer
	for fi, p := range paths {
		f := newMailFolder(p)
		n := s.MessagesPerFolder
		if p == BigFolderPath {
			n = s.BigFolderMessages
		}
		g := &mailGen{r: newRNG(s.Seed, 3, int64(i), int64(fi)), owner: owner, sent: p == "Sent" || p == "Drafts", sizer: &sizer}
		var prev *genMsg
		f.msgs = make([]*msgState, 0, n)
		for uid := int64(1); uid <= int64(n); uid++ {
			msg := g.message(uid, prev, m.info.UUID, f.info.ID)
			f.msgs = append(f.msgs, msg)
			f.byUID[uid] = msg
			prev = msg.gen
		}
		f.nextUID = int64(n) + 1
		f.sortMsgs()
		m.addFolder(f)
	}
	return m
}

// uuidFrom formats 128 random bits as a version-4 UUID.
func uuidFrom(r *rng) string {
	a, b := r.next(), r.next()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

type mailGen struct {
	r     *rng
	owner mail.Address
	sent  bool
	sizer *bytes.Buffer
}

// message makes one generated message; prev is the folder's previous one, which it may answer,
// so consecutive replies build long threads.
func (g *mailGen) message(uid int64, prev *genMsg, uuid, folderID string) *msgState {
	r := g.r
	gm := &genMsg{kind: r.intn(4), body: r.next(), hasSubject: r.intn(12) != 0}
	peer := contacts[r.intn(len(contacts))]
	gm.from, gm.to = peer, g.owner
	if g.sent {
		gm.from, gm.to = g.owner, peer
	}
	gm.subject = subjects[r.intn(len(subjects))]
	if strings.Contains(gm.subject, "%d") {
		gm.subject = fmt.Sprintf(gm.subject, 100+r.intn(900))
	}
	date := epoch + r.int63n(365*day)
	if prev != nil && r.intn(3) == 0 {
		gm.hasSubject = prev.hasSubject
		gm.subject = "Re: " + strings.TrimPrefix(prev.subject, "Re: ")
		gm.inReplyTo = prev.msgID
		refs := prev.refs
		if len(refs) > 9 { // keep the header short, as mail clients trim References
			refs = refs[len(refs)-9:]
		}
		gm.refs = append(append(make([]string, 0, len(refs)+1), refs...), prev.msgID)
		date = prev.date.Unix() + 60 + r.int63n(2*day)
	}
	gm.date = time.Unix(date, 0).In(zone)
	gm.msgID = fmt.Sprintf("<%016x.%d@example.ch>", mix(gm.body^uint64(uid)), uid)
	gm.b64 = r.intn(2) == 0

	g.sizer.Reset()
	gm.write(g.sizer)
	msg := &msgState{gen: gm, MailMessage: MailMessage{
		UID: uid, FolderID: folderID, InternalDate: gm.date.UTC(),
		From: gm.from.Address, To: gm.to.Address, MessageID: gm.msgID,
		Size: int64(g.sizer.Len()), Seen: r.intn(4) != 0, Flagged: r.intn(10) == 0,
	}}
	if gm.hasSubject {
		msg.Subject = gm.subject
	}
	return msg
}
