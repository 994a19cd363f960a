package emulator

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// archiveOf builds an archive from body and downloads it.
func archiveOf(t *testing.T, s *Server, tok, body string) (*zip.Reader, []byte) {
	t.Helper()
	e := post(t, s, tok, http.MethodPost, "/2/drive/100001/files/archives", "application/json", []byte(body), 201)
	a := decode[struct {
		UUID string `json:"uuid"`
		N    int    `json:"number_of_files"`
		Inf  []any  `json:"infected_files"`
		PUA  []any  `json:"pua_files"`
	}](t, e.Data)
	if a.UUID == "" || a.Inf == nil || a.PUA == nil {
		t.Fatalf("archive answer %s", e.Data)
	}
	resp, b := get(t, s, tok, "/2/drive/100001/files/archives/"+a.UUID)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if files := countZipFiles(zr); files != a.N {
		t.Fatalf("number_of_files %d, zip holds %d", a.N, files)
	}
	return zr, b
}

func countZipFiles(zr *zip.Reader) int {
	n := 0
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			n++
		}
	}
	return n
}

func TestArchiveOfFileIDs(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	kids, _ := d.Children(100001, priv.ID)
	var ids []string
	want := map[string][]byte{}
	for _, k := range kids {
		ids = append(ids, fmt.Sprintf("%d", k.ID))
		if !k.IsDir {
			want[k.Name] = contentOf(t, d, k)
		}
	}
	// One id as a JSON string: accepted.
	ids[0] = `"` + ids[0] + `"`
	zr, _ := archiveOf(t, s, tok, `{"file_ids":[`+strings.Join(ids, ",")+`]}`)
	got := map[string]bool{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if w, ok := want[f.Name]; ok {
			if !bytes.Equal(b, w) {
				t.Errorf("%s: %d bytes differ from the file's %d", f.Name, len(b), len(w))
			}
			got[f.Name] = true
		} else if !strings.Contains(f.Name, "/") {
			t.Errorf("unexpected top-level entry %q", f.Name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("zip has %d of the %d files", len(got), len(want))
	}
	if s.Count(EpArchiveBuild) != 1 || s.Count(EpArchiveDownload) != 1 {
		t.Errorf("counters %v", s.Counts())
	}
}

func TestArchiveOfParentExcept(t *testing.T) {
	s := start(t, Options{Data: dataset.Generate(dataset.Spec{Seed: 7, SmallFiles: 30, SmallFileSize: 100})})
	tok := s.IssueToken()
	d := s.Data()
	small := findNode(t, d, 100001, "/Private/small")
	kids, _ := d.Children(100001, small.ID)
	body := fmt.Sprintf(`{"parent_id":%d,"except_file_ids":[%d,%d]}`, small.ID, kids[0].ID, kids[1].ID)
	zr, _ := archiveOf(t, s, tok, body)
	if len(zr.File) != 28 {
		t.Fatalf("%d entries, want 28", len(zr.File))
	}
	for _, f := range zr.File {
		if f.Name == kids[0].Name || f.Name == kids[1].Name {
			t.Errorf("excepted %s is in the zip", f.Name)
		}
	}
}

func TestArchiveErrors(t *testing.T) {
	s := start(t, Options{Data: dataset.Generate(dataset.Spec{Seed: 7, SmallFiles: 3, SmallFileSize: 100})})
	tok := s.IssueToken()
	d := s.Data()
	small := findNode(t, d, 100001, "/Private/small")
	kids, _ := d.Children(100001, small.ID)
	other := firstFile(t, d, 100001, 1)
	const path = "/2/drive/100001/files/archives"
	for _, c := range []struct {
		body   string
		status int
		code   string
	}{
		{`{}`, 400, "validation_failed"},
		{`not json`, 400, "bad_request_error"},
		{fmt.Sprintf(`{"file_ids":[%d],"parent_id":%d}`, kids[0].ID, small.ID), 400, "validation_failed"},
		{fmt.Sprintf(`{"file_ids":[%d,%d]}`, kids[0].ID, other.ID), 400, "validation_failed"},
		{`{"file_ids":[999999999]}`, 404, "object_not_found"},
		{fmt.Sprintf(`{"parent_id":%d,"except_file_ids":[%d,%d,%d]}`, small.ID, kids[0].ID, kids[1].ID, kids[2].ID), 400, "validation_failed"},
	} {
		if c.status == 400 && other.ParentID == small.ID {
			t.Fatal("test data: other file is in small/")
		}
		wantCode(t, post(t, s, tok, http.MethodPost, path, "application/json", []byte(c.body), c.status), c.code)
	}
	resp, b := get(t, s, tok, path+"/no-such-uuid")
	wantCode(t, decodeEnv(t, resp, b, 404), "object_not_found")
	// The other drive's archive is not this one's.
	e := post(t, s, tok, http.MethodPost, path, "application/json", []byte(fmt.Sprintf(`{"file_ids":[%d]}`, kids[0].ID)), 201)
	uuid := decode[map[string]any](t, e.Data)["uuid"].(string)
	resp, b = get(t, s, tok, "/2/drive/100002/files/archives/"+uuid)
	wantCode(t, decodeEnv(t, resp, b, 404), "object_not_found")
}

// The download is ranged (a broken one resumes) and the fault knobs apply
// under its own endpoint name: a reset cuts the body mid-way.
func TestArchiveRangeAndFaults(t *testing.T) {
	s := start(t, Options{Data: dataset.Generate(dataset.Spec{Seed: 7, SmallFiles: 20, SmallFileSize: 4000})})
	tok := s.IssueToken()
	small := findNode(t, s.Data(), 100001, "/Private/small")
	e := post(t, s, tok, http.MethodPost, "/2/drive/100001/files/archives", "application/json",
		[]byte(fmt.Sprintf(`{"parent_id":%d}`, small.ID)), 201)
	uuid := decode[map[string]any](t, e.Data)["uuid"].(string)
	u := s.URL() + "/2/drive/100001/files/archives/" + uuid
	_, whole := call(t, http.MethodGet, u, tok, nil)
	resp, part := call(t, http.MethodGet, u, tok, nil, "Range", "bytes=100-")
	if resp.StatusCode != 206 || !bytes.Equal(part, whole[100:]) {
		t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(part))
	}
	s.AddFault(Fault{Endpoint: EpArchiveDownload, Kind: FaultReset, Times: 1})
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := io.ReadAll(r2.Body)
	r2.Body.Close()
	if err == nil || len(cut) == 0 || len(cut) >= len(whole) || !bytes.Equal(cut, whole[:len(cut)]) {
		t.Fatalf("reset: %d of %d bytes, err %v", len(cut), len(whole), err)
	}
	s.AddFault(Fault{Endpoint: EpArchiveBuild, Kind: Fault500, Times: 1})
	wantCode(t, post(t, s, tok, http.MethodPost, "/2/drive/100001/files/archives", "application/json",
		[]byte(fmt.Sprintf(`{"parent_id":%d}`, small.ID)), 500), "unexpected_error")
	if n := s.Count(EpArchiveDownload); n != 3 {
		t.Errorf("%d archive downloads counted, want 3", n)
	}
}
