package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// kind is the JSON kind of a decoded value.
func kind(v any) string {
	if v == nil {
		return "null"
	}
	return reflect.TypeOf(v).Kind().String()
}

// sameShape lists where got lacks a key of want or has another JSON kind,
// recursing into objects.
func sameShape(path string, want, got map[string]any) []string {
	var bad []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			bad = append(bad, path+k+" missing")
		case kind(g) != kind(w):
			bad = append(bad, fmt.Sprintf("%s%s: %s, fixture %s", path, k, kind(g), kind(w)))
		case kind(w) == "map":
			bad = append(bad, sameShape(path+k+".", w.(map[string]any), g.(map[string]any))...)
		}
	}
	sort.Strings(bad)
	return bad
}

func TestDriveDiscoveryMatchesFixtures(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	init := decode[struct {
		Drives []map[string]any `json:"drives"`
	}](t, api(t, s, tok, "/2/drive/init?with=drives", 200).Data)
	if len(init.Drives) != 2 {
		t.Fatalf("%d drives, want 2", len(init.Drives))
	}
	for _, f := range []string{"testdata/ios-kDrive-paid_drive.json", "testdata/ios-kDrive-free_drive.json"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fixture map[string]any
		if err := json.Unmarshal(raw, &fixture); err != nil {
			t.Fatal(err)
		}
		// Nullable: bool or number in one fixture, null in the other.
		delete(fixture["settings"].(map[string]any)["ai_scan"].(map[string]any), "has_approved")
		delete(fixture["settings"].(map[string]any)["ai_scan"].(map[string]any), "updated_at")
		for _, d := range init.Drives {
			if bad := sameShape("", fixture, d); len(bad) > 0 {
				t.Errorf("%s vs drive %v:\n%v", f, d["id"], bad)
			}
		}
	}
	one := decode[map[string]any](t, api(t, s, tok, "/2/drive/100002", 200).Data)
	if one["id"] != float64(100002) || one["name"] != "Drive 2" {
		t.Fatalf("drive 100002: %v %v", one["id"], one["name"])
	}
	only := decode[map[string]any](t, api(t, s, tok, "/2/drive/100001?only=used_size,size", 200).Data)
	if len(only) != 2 || only["size"] == nil || only["used_size"] == nil {
		t.Fatalf("only=: %v", only)
	}
	e := api(t, s, tok, "/2/drive/999", 404)
	if wantCode(t, e, "object_not_found"); e.Error.Context["model"] != "Drive" {
		t.Fatalf("missing drive context %v", e.Error.Context)
	}
	users := decode[[]map[string]any](t, api(t, s, tok, "/2/drive/users/current/drives?roles[]=admin&with=drive,drive.account", 200).Data)
	if len(users) != 2 || users[0]["drive_id"] != float64(100001) || users[0]["drive_name"] != "Drive 1" ||
		users[0]["drive"].(map[string]any)["account"].(map[string]any)["name"] == nil {
		t.Fatalf("drive users: %v", users)
	}
	if s.Count(EpDrives) != 5 {
		t.Fatalf("drives counted %d, want 5", s.Count(EpDrives))
	}
}

func TestStat(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	file := firstFile(t, d, 100001, 1)
	for _, v := range []string{"3", "2"} {
		f := decode[map[string]any](t, api(t, s, tok, fmt.Sprintf("/%s/drive/100001/files/%d?with=path,hash,capabilities", v, file.ID), 200).Data)
		want := map[string]any{
			"id": float64(file.ID), "name": file.Name, "type": "file", "size": float64(file.Size),
			"parent_id": float64(file.ParentID), "drive_id": float64(100001), "last_modified_at": float64(file.MTime),
			"path": d.Path(100001, file.ID), "visibility": file.Visibility,
		}
		for k, w := range want {
			if f[k] != w {
				t.Errorf("v%s %s = %v, want %v", v, k, f[k], w)
			}
		}
		if h, _ := f["hash"].(string); len(h) != 21 || h[:5] != "xxh3:" {
			t.Errorf("hash %q", f["hash"])
		}
		if f["mime_type"] == nil || f["extension_type"] == nil || f["capabilities"] == nil {
			t.Errorf("missing fields: %v", f)
		}
	}
	root := decode[map[string]any](t, api(t, s, tok, "/3/drive/100001/files/1", 200).Data)
	if _, has := root["size"]; has || root["type"] != "dir" || root["visibility"] != "is_root" || root["path"] != nil {
		t.Fatalf("root: %v", root)
	}
	byName := decode[map[string]any](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d/name?name=%s&with=path", file.ParentID, url.QueryEscape(file.Name)), 200).Data)
	if byName["id"] != float64(file.ID) || byName["path"] != d.Path(100001, file.ID) {
		t.Fatalf("name lookup: %v", byName)
	}
	wantCode(t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d/name?name=absent", file.ParentID), 404), "object_not_found")
	wantCode(t, api(t, s, tok, "/3/drive/100001/files/987654321", 404), "object_not_found")
	wantCode(t, api(t, s, tok, "/3/drive/100001/files/abc", 404), "object_not_found")
	wantCode(t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d/files", file.ID), 400), "not_a_directory_error")
	wantCode(t, api(t, s, tok, "/3/drive/100001/nonsense", 404), "not_found")
}

func TestWideDirectoryPaging(t *testing.T) {
	d := dataset.Generate(dataset.Spec{Seed: 3, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1, WideDirFiles: 10000, Mailboxes: 1})
	s := start(t, Options{Data: d})
	tok := s.IssueToken()
	wide := findNode(t, d, 100001, "/Private/wide")
	base := fmt.Sprintf("/3/drive/100001/files/%d/files", wide.ID)
	seen := map[float64]bool{}
	cursor := ""
	calls := 0
	for {
		q := base + "?limit=1000&with=path"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		e := api(t, s, tok, q, 200)
		calls++
		for _, f := range decode[[]map[string]any](t, e.Data) {
			if seen[f["id"].(float64)] {
				t.Fatalf("id %v twice", f["id"])
			}
			seen[f["id"].(float64)] = true
		}
		if e.ResponseAt == 0 || e.Cursor == "" {
			t.Fatalf("missing response_at or cursor")
		}
		if !e.HasMore {
			break
		}
		cursor = e.Cursor
	}
	if calls != 10 || len(seen) != 10000 || s.Count(EpList) != 10 {
		t.Fatalf("%d calls (%d counted) for %d entries; want 10 for 10000", calls, s.Count(EpList), len(seen))
	}
	for _, bad := range []string{"4", "1001", "x"} {
		e := api(t, s, tok, base+"?limit="+bad, 422)
		wantCode(t, e, "validation_failed")
	}
	wantCode(t, api(t, s, tok, base+"?limit=10&cursor=garbage", 422), "validation_failed")
	wantCode(t, api(t, s, tok, base+"?order_by=colour", 422), "validation_failed")

	// v2 pages; default page size 10.
	e := api(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/files?per_page=1000&page=10", wide.ID), 200)
	if e.Total != 10000 || e.Pages != 10 || len(decode[[]any](t, e.Data)) != 1000 {
		t.Fatalf("v2 page: total %d pages %d", e.Total, e.Pages)
	}
	if n := len(decode[[]any](t, api(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/files", wide.ID), 200).Data)); n != 10 {
		t.Fatalf("default per_page gave %d", n)
	}
}

func TestListOrder(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	priv := findNode(t, s.Data(), 100001, "/Private")
	q := fmt.Sprintf("/3/drive/100001/files/%d/files?limit=1000&order_by=type,name&order_for[name]=desc", priv.ID)
	files := decode[[]map[string]any](t, api(t, s, tok, q, 200).Data)
	if len(files) < 3 {
		t.Fatalf("only %d entries", len(files))
	}
	for i := 1; i < len(files); i++ {
		a, b := files[i-1], files[i]
		if a["type"].(string) > b["type"].(string) ||
			(a["type"] == b["type"] && lower(a["name"]) < lower(b["name"])) {
			t.Fatalf("order broken at %d: %v/%v then %v/%v", i, a["type"], a["name"], b["type"], b["name"])
		}
	}
	dirs := decode[[]map[string]any](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d/files?limit=1000&type[]=dir", priv.ID), 200).Data)
	for _, f := range dirs {
		if f["type"] != "dir" {
			t.Fatalf("type[]=dir returned %v", f["name"])
		}
	}
	all := decode[[]map[string]any](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d/files?limit=1000&depth=unlimited&with=path", priv.ID), 200).Data)
	want := 0
	s.Data().Walk(100001, func(n dataset.Node) bool {
		if p := s.Data().Path(100001, n.ID); len(p) > len("/Private/") && p[:len("/Private/")] == "/Private/" {
			want++
		}
		return true
	})
	if len(all) != min(want, 1000) {
		t.Fatalf("depth=unlimited: %d entries, want %d", len(all), want)
	}
}

func lower(v any) string {
	b := []byte(v.(string))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
