package fs

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

const (
	noSubject = "(no subject)"
	// zeroDate stands for a message without any date; it sorts first.
	zeroDate   = "0000-00-00 0000"
	dateLayout = "2006-01-02 1504"
	emlExt     = ".eml"
)

// MessageName is the file name of a message:
//
//	YYYY-MM-DD HHMM <subject> (<uid>).eml
//
// The date is m.Date in UTC ("0000-00-00 0000" when unknown), so names
// sort by date. The subject is made safe (controls and runs of white space
// become one space, '/' becomes '／', invalid UTF-8 becomes '�'), is
// "(no subject)" when empty, and is cut on a rune boundary so the whole
// name fits in 255 bytes. The uid makes the name unique in its folder and
// stable for the life of the message. The result is a fixed point of
// SafeName.
func MessageName(m remote.Message) string {
	date := zeroDate
	if !m.Date.IsZero() {
		date = m.Date.UTC().Format(dateLayout)
		if len(date) != len(zeroDate) { // years beyond 0000..9999
			date = zeroDate
		}
	}
	tail := " (" + idLabel(cleanSubject(m.UID)) + ")" + emlExt
	subject := cleanSubject(m.Subject)
	if subject == "" {
		subject = noSubject
	}
	room := MaxNameLen - len(date) - 1 - len(tail)
	subject = strings.TrimRightFunc(cutRunes(subject, room), unicode.IsSpace)
	return date + " " + subject + tail
}

// cleanSubject makes a header value fit for one line of a file name.
func cleanSubject(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			r = utf8.RuneError
		case r == '/':
			r = '\uFF0F'
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
