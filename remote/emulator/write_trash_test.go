package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTrashRoutes(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	dir, _ := d.AddDir(100001, priv.ID, "bin")
	inner, _ := d.AddFile(100001, dir.ID, "inner.txt", 7)
	loose, _ := d.AddFile(100001, priv.ID, "loose.txt", 5)
	used := d.Drives()[0].UsedSize
	for _, id := range []int64{dir.ID, loose.ID} {
		post(t, s, tok, http.MethodDelete, fmt.Sprintf("/2/drive/100001/files/%d", id), "", nil, 200)
	}
	cur := fullCursor(t, s, tok)

	type item struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		Status    string `json:"status"`
		DeletedAt int64  `json:"deleted_at"`
	}
	e := api(t, s, tok, "/3/drive/100001/trash?limit=5", 200)
	list := decode[[]item](t, e.Data)
	if len(list) != 2 || list[0].ID != dir.ID || list[0].Status != "trashed" || list[0].DeletedAt == 0 || e.HasMore {
		t.Fatalf("trash %+v", list)
	}
	if v2 := decode[[]item](t, api(t, s, tok, "/2/drive/100001/trash?per_page=1&page=2", 200).Data); len(v2) != 1 || v2[0].ID != loose.ID {
		t.Fatalf("v2 page 2: %+v", v2)
	}
	kids := decode[[]item](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/trash/%d/files", dir.ID), 200).Data)
	if len(kids) != 1 || kids[0].ID != inner.ID || kids[0].Status != "trash_inherited" {
		t.Fatalf("trashed folder holds %+v", kids)
	}
	if one := decode[item](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/trash/%d", loose.ID), 200).Data); one.Name != "loose.txt" {
		t.Fatalf("trash item %+v", one)
	}
	wantCode(t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/trash/%d", priv.ID), 404), "object_not_found")

	// Restore: back where it was (renamed if the name was taken meanwhile), or elsewhere.
	if _, err := d.AddFile(100001, priv.ID, "loose.txt", 1); err != nil {
		t.Fatal(err)
	}
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/trash/%d/restore", loose.ID), "", nil, 200)
	if n, _ := d.Item(100001, loose.ID); d.Path(100001, n.ID) != "/Private/loose(1).txt" {
		t.Fatalf("restored to %q", d.Path(100001, n.ID))
	}
	common := findNode(t, d, 100001, "/Common documents")
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/trash/%d/restore", inner.ID), "application/json",
		[]byte(fmt.Sprintf(`{"destination_directory_id":%d}`, common.ID)), 200)
	if n, ok := d.Item(100001, inner.ID); !ok || d.Path(100001, n.ID) != "/Common documents/inner.txt" {
		t.Fatalf("restored inner to %q", d.Path(100001, n.ID))
	}
	wantCode(t, post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/trash/%d/restore", loose.ID), "", nil, 404), "object_not_found")

	// Delete for ever, empty.
	other, _ := d.AddFile(100001, priv.ID, "other.txt", 3)
	post(t, s, tok, http.MethodDelete, fmt.Sprintf("/2/drive/100001/files/%d", other.ID), "", nil, 200)
	if e := post(t, s, tok, http.MethodDelete, fmt.Sprintf("/2/drive/100001/trash/%d", dir.ID), "", nil, 200); string(e.Data) != "true" {
		t.Fatalf("delete answered %s", e.Data)
	}
	post(t, s, tok, http.MethodDelete, "/2/drive/100001/trash", "", nil, 200)
	if left := decode[[]item](t, api(t, s, tok, "/3/drive/100001/trash", 200).Data); len(left) != 0 {
		t.Fatalf("trash after empty: %+v", left)
	}
	if got := d.Drives()[0].UsedSize; got != used+1 { // bin/ purged; inner (7) and loose (5) restored; +1 new loose.txt
		t.Fatalf("used size %d, want %d", got, used+1)
	}
	want := "file_create /Private/loose.txt; file_restore /Private/loose(1).txt; file_restore /Common documents/inner.txt; " +
		"file_create /Private/other.txt; file_trash /Private/other.txt; file_delete /Private/bin; file_delete /Private/other.txt"
	if got := feed(t, s, tok, &cur); got != want {
		t.Fatalf("feed\n%q\nwant\n%q", got, want)
	}
}

func TestPublicLink(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	f := firstFile(t, s.Data(), 100001, 1)
	u := fmt.Sprintf("/2/drive/100001/files/%d/link", f.ID)
	wantCode(t, api(t, s, tok, u, 404), "object_not_found")
	type link struct {
		URL        string `json:"url"`
		FileID     int64  `json:"file_id"`
		ValidUntil *int64 `json:"valid_until"`
	}
	created := decode[link](t, post(t, s, tok, http.MethodPost, u, "application/json", []byte(`{"right":"public"}`), 200).Data)
	if !strings.HasPrefix(created.URL, s.URL()+"/app/share/100001/") || created.FileID != f.ID || created.ValidUntil != nil {
		t.Fatalf("created %+v", created)
	}
	wantCode(t, post(t, s, tok, http.MethodPost, u, "application/json", []byte(`{"right":"public"}`), 409), "file_share_link_already_exists")
	if e := post(t, s, tok, http.MethodPut, u, "application/json", []byte(`{"valid_until":2000000000}`), 200); string(e.Data) != "true" {
		t.Fatalf("update answered %s", e.Data)
	}
	got := decode[link](t, api(t, s, tok, u, 200).Data)
	if got.URL != created.URL || got.ValidUntil == nil || *got.ValidUntil != 2000000000 {
		t.Fatalf("read back %+v", got)
	}
	post(t, s, tok, http.MethodDelete, u, "", nil, 200)
	wantCode(t, api(t, s, tok, u, 404), "object_not_found")
	wantCode(t, post(t, s, tok, http.MethodDelete, u, "", nil, 404), "object_not_found")
}
