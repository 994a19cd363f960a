package fs

import (
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestXattrsOf(t *testing.T) {
	file := remote.Entry{ID: 42, ParentID: 7, Name: "a.pdf", Size: 3, MimeType: "application/pdf", MTime: time.Unix(1, 0)}
	tests := []struct {
		name string
		it   item
		want []xattr
	}{
		{"kDrive file", newDriveEntry(9, file), []xattr{
			{"user.infomaniak.id", "42"},
			{"user.infomaniak.drive_id", "9"},
			{"user.xdg.origin.url", "https://kdrive.infomaniak.com/app/drive/9/redirect/42"},
			{"user.mime_type", "application/pdf"},
		}},
		{"kDrive folder without a MIME type", newDriveEntry(9, remote.Entry{ID: 7, IsDir: true}), []xattr{
			{"user.infomaniak.id", "7"},
			{"user.infomaniak.drive_id", "9"},
			{"user.xdg.origin.url", "https://kdrive.infomaniak.com/app/drive/9/redirect/7"},
		}},
		{"drive root", driveDir{remote.DriveInfo{ID: 9, Name: "Drive"}}, []xattr{
			{"user.infomaniak.id", "1"},
			{"user.infomaniak.drive_id", "9"},
			{"user.xdg.origin.url", "https://kdrive.infomaniak.com/app/drive/9/redirect/1"},
		}},
		{"message", messageItem{mailbox: "uuid", m: remote.Message{UID: "17", MessageID: "<a@b>", Subject: "Re:\r\n  hello\tyou"}}, []xattr{
			{"user.infomaniak.uid", "17"},
			{"user.mail.message_id", "<a@b>"},
			{"user.xdg.origin.email.subject", "Re: hello you"},
			{"user.mime_type", "message/rfc822"},
		}},
		{"message without Message-ID or subject", messageItem{m: remote.Message{UID: "3"}}, []xattr{
			{"user.infomaniak.uid", "3"},
			{"user.mime_type", "message/rfc822"},
		}},
		{"mail folder", mailFolder{mailbox: "uuid", f: remote.Folder{ID: "f", Path: "INBOX"}}, nil},
		{"mailbox", mailboxDir{remote.Mailbox{UUID: "uuid"}}, nil},
	}
	for _, tc := range tests {
		if got := xattrsOf(tc.it); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestXattrCalls(t *testing.T) {
	attrs := []xattr{{"user.a", "12345"}, {"user.b", "x"}}
	if n, errno := getXattr(attrs, "user.a", nil); n != 5 || errno != 0 {
		t.Errorf("size query: %d %v", n, errno)
	}
	buf := make([]byte, 64)
	if n, errno := getXattr(attrs, "user.a", buf); errno != 0 || string(buf[:n]) != "12345" {
		t.Errorf("get: %q %v", buf[:n], errno)
	}
	if _, errno := getXattr(attrs, "user.a", buf[:2]); errno != syscall.ERANGE {
		t.Errorf("small buffer: %v", errno)
	}
	if _, errno := getXattr(attrs, "user.c", buf); errno != syscall.ENODATA {
		t.Errorf("missing: %v", errno)
	}
	// ENOTSUP, not ENODATA, outside user.*: ls -l stops asking a file
	// system for ACLs and labels once told they are not supported.
	for _, name := range []string{"security.selinux", "system.posix_acl_access", "system.posix_acl_default", "security.capability", "trusted.a"} {
		for _, dest := range [][]byte{nil, buf} {
			if _, errno := getXattr(attrs, name, dest); errno != syscall.ENOTSUP {
				t.Errorf("%s (buffer %d): %v, want ENOTSUP", name, len(dest), errno)
			}
		}
	}
	if n, errno := listXattr(attrs, buf); errno != 0 || string(buf[:n]) != "user.a\x00user.b\x00" {
		t.Errorf("list: %q %v", buf[:n], errno)
	}
	if n, _ := listXattr(nil, nil); n != 0 {
		t.Errorf("empty list: %d", n)
	}
	if errno := changeXattr(attrs, "user.a"); errno != syscall.EPERM {
		t.Errorf("set ours: %v", errno)
	}
	if errno := changeXattr(attrs, "user.other"); errno != syscall.ENOTSUP {
		t.Errorf("set another: %v", errno)
	}
}
