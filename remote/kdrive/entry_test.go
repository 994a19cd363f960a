package kdrive

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestFixtureDrivesDecode(t *testing.T) {
	tests := []struct {
		file string
		want remote.DriveInfo
	}{
		{"ios-kDrive-paid_drive.json", remote.DriveInfo{ID: 407472, Name: "John Appleseed", AccountID: 1234,
			AccountName: "John Appleseed", Size: 16106127360, UsedSize: 2445010139}},
		{"ios-kDrive-free_drive.json", remote.DriveInfo{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var d driveJSON
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatalf("fixture does not decode: %v", err)
			}
			got, err := d.info()
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.ID != 0 && got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			// Every field the daemon relies on is present in the fixture.
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for _, k := range []string{"id", "name", "account_id", "account", "size", "used_size", "in_maintenance", "is_locked"} {
				if _, ok := m[k]; !ok {
					t.Errorf("fixture lacks %q", k)
				}
			}
			if got.ID <= 0 || got.Name == "" || got.Size <= 0 || got.AccountName == "" {
				t.Fatalf("incomplete drive %+v", got)
			}
		})
	}
}

func TestEntryMapping(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    remote.Entry
		wantErr error
	}{
		{"file", `{"id":42,"name":"a.pdf","type":"file","parent_id":7,"drive_id":9,"size":2048,"mime_type":"application/pdf",
			"created_at":1700000000,"added_at":1700000100,"last_modified_at":1700000200,"etag":"e1"}`,
			remote.Entry{ID: 42, ParentID: 7, DriveID: 5, Name: "a.pdf", Size: 2048, MimeType: "application/pdf",
				MTime: time.Unix(1700000200, 0), CTime: time.Unix(1700000000, 0), Version: "1700000200-2048"}, nil},
		{"hash wins over etag", `{"id":42,"name":"a","type":"file","size":1,"last_modified_at":5,"hash":"xxh3:00ff","etag":"e1"}`,
			remote.Entry{ID: 42, DriveID: 5, Name: "a", Size: 1, MTime: time.Unix(5, 0), CTime: time.Unix(5, 0), Version: "5-1"}, nil},
		{"mtime falls back to created_at", `{"id":3,"name":"d","type":"dir","created_at":100,"added_at":200}`,
			remote.Entry{ID: 3, DriveID: 5, Name: "d", IsDir: true, MTime: time.Unix(100, 0), CTime: time.Unix(100, 0), Version: "100-0"}, nil},
		{"then added_at", `{"id":3,"name":"d","type":"dir","created_at":null,"added_at":200}`,
			remote.Entry{ID: 3, DriveID: 5, Name: "d", IsDir: true, MTime: time.Unix(200, 0), CTime: time.Unix(200, 0), Version: "200-0"}, nil},
		{"vault is a dir", `{"id":4,"name":"v","type":"vault","last_modified_at":1}`,
			remote.Entry{ID: 4, DriveID: 5, Name: "v", IsDir: true, MTime: time.Unix(1, 0), CTime: time.Unix(1, 0), Version: "1-0"}, nil},
		{"root may be nameless", `{"id":1,"name":"","type":"dir","last_modified_at":9}`,
			remote.Entry{ID: 1, DriveID: 5, IsDir: true, MTime: time.Unix(9, 0), CTime: time.Unix(9, 0), Version: "9-0"}, nil},
		{"negative size", `{"id":5,"name":"x","type":"file","size":-1}`, remote.Entry{}, remote.ErrInvalid},
		{"absurd size", `{"id":5,"name":"x","type":"file","size":1125899906842625}`, remote.Entry{}, remote.ErrInvalid},
		{"file without size", `{"id":5,"name":"x","type":"file","size":null}`, remote.Entry{}, remote.ErrInvalid},
		{"no name: kept, the file system names it", `{"id":5,"name":"","type":"file","size":1}`,
			remote.Entry{ID: 5, DriveID: 5, Size: 1, Version: version(time.Time{}, 1)}, nil},
		{"unknown type", `{"id":5,"name":"x","type":"portal"}`, remote.Entry{}, errSkip},
		{"size as string", `{"id":5,"name":"x","type":"file","size":"12"}`, remote.Entry{}, remote.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeEntry(json.RawMessage(tc.json), 5, false)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}
