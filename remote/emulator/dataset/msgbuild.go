package dataset

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// genMsg holds what a generated message's bytes are rebuilt from; the bytes themselves are
// never stored, so big folders cost little memory.
type genMsg struct {
	kind       int // 0 plain, 1 html, 2 multipart/alternative, 3 multipart/mixed with attachment
	from, to   mail.Address
	subject    string
	hasSubject bool
	b64        bool // subject as RFC 2047 B (else Q) encoding
	date       time.Time
	msgID      string
	inReplyTo  string
	refs       []string
	body       uint64 // seed of body text and attachment bytes
}

var sentences = []string{
	"Please find the latest figures below.",
	"Grüezi mitenand, here is the update we discussed.",
	"Merci pour votre retour, à bientôt.",
	"The meeting moves to Thursday at 10:00 in room Zürich.",
	"Let me know if anything is unclear.",
	"日本語のテキストも含まれています。",
	"Attached is the document you asked for.",
	"We are on track for the release at the end of the month.",
	"Could you review the draft before Friday?",
	"Best regards and have a nice weekend.",
}

// write renders the message with CRLF line endings, deterministically.
func (g *genMsg) write(b *bytes.Buffer) {
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("Date", g.date.Format(time.RFC1123Z))
	hdr("From", g.from.String())
	hdr("To", g.to.String())
	if g.hasSubject {
		hdr("Subject", g.encodedSubject())
	}
	hdr("Message-ID", g.msgID)
	if g.inReplyTo != "" {
		hdr("In-Reply-To", g.inReplyTo)
		hdr("References", strings.Join(g.refs, "\r\n "))
	}
	hdr("MIME-Version", "1.0")
	r := &rng{s: g.body}
	text := bodyText(r)
	boundary := fmt.Sprintf("=_b%016x", g.body)
	switch g.kind {
	case 0:
		writePlain(b, text)
	case 1:
		writeHTML(b, text)
	case 2:
		hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
		b.WriteString("\r\nThis is a multi-part message in MIME format.\r\n")
		b.WriteString("--" + boundary + "\r\n")
		writePlain(b, text)
		b.WriteString("--" + boundary + "\r\n")
		writeHTML(b, text)
		b.WriteString("--" + boundary + "--\r\n")
	default:
		hdr("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
		b.WriteString("\r\n--" + boundary + "\r\n")
		writePlain(b, text)
		b.WriteString("--" + boundary + "\r\n")
		writeAttachment(b, r)
		b.WriteString("--" + boundary + "--\r\n")
	}
}

func (g *genMsg) encodedSubject() string {
	if g.b64 {
		return mime.BEncoding.Encode("UTF-8", g.subject)
	}
	return mime.QEncoding.Encode("UTF-8", g.subject)
}

// bodyText makes a few short paragraphs, lines already CRLF-terminated and under 78 bytes.
func bodyText(r *rng) []string {
	var lines []string
	for p, np := 0, 1+r.intn(4); p < np; p++ {
		line := ""
		for s, ns := 0, 1+r.intn(5); s < ns; s++ {
			w := sentences[r.intn(len(sentences))]
			if line != "" && len(line)+1+len(w) > 76 {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		lines = append(lines, line, "")
	}
	return lines
}

func writePlain(b *bytes.Buffer, lines []string) {
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, l := range lines {
		b.WriteString(l + "\r\n")
	}
}

func writeHTML(b *bytes.Buffer, lines []string) {
	b.WriteString("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	var h strings.Builder
	h.WriteString("<html><body>\r\n")
	for _, l := range lines {
		if l != "" {
			h.WriteString("<p>" + l + "</p>\r\n")
		}
	}
	h.WriteString("</body></html>\r\n")
	w := quotedprintable.NewWriter(b)
	w.Write([]byte(h.String())) // writes to a bytes.Buffer cannot fail
	w.Close()
	b.WriteString("\r\n")
}

var attachNames = []struct{ name, typ string }{
	{"invoice.pdf", "application/pdf"},
	{"photo.jpg", "image/jpeg"},
	{"notes.txt", "text/plain"},
	{"data.csv", "text/csv"},
}

// writeAttachment adds a 1–6 KiB base64 attachment of computed bytes.
func writeAttachment(b *bytes.Buffer, r *rng) {
	a := attachNames[r.intn(len(attachNames))]
	data := make([]byte, 1024+r.intn(5*1024))
	fill(r.next(), data, 0)
	fmt.Fprintf(b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", a.typ, a.name, a.name)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
}
