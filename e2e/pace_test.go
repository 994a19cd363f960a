package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestPacedByDefault: with the default settings the daemon paces itself
// under Infomaniak's documented budget. Against an emulator limited to
// that budget (--rate 60/min: a bucket of 60 refilled at 1/s) from the
// start, mounting and walking the mail tree, more API requests than the
// default burst, draws no 429, and `status` shows the budget left.
func TestPacedByDefault(t *testing.T) {
	perSec, burst, err := emulator.ParseRate("60/min")
	if err != nil {
		t.Fatal(err)
	}
	data := dataset.Generate(dataset.Spec{Seed: 21, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2,
		Mailboxes: 1, MessagesPerFolder: 2})
	srv := startLive(t, emulator.Options{Data: data})
	// The bucket starts nearly empty, as after a busy minute: only a
	// daemon that spaces its calls gets through without a 429.
	srv.SetRate(perSec, burst)
	tok := srv.IssueToken()
	for range burst - 12 {
		req, _ := http.NewRequest("GET", srv.URL()+"/2/profile", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.ResetCounts()
	runDir := t.TempDir()
	env := []string{"XDG_RUNTIME_DIR=" + runDir}
	d := mountWith(t, srv, mountSpec{paced: true, env: env})
	t0 := time.Now()
	if err := filepath.WalkDir(d.dir, func(p string, e os.DirEntry, err error) error { return err }); err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	c := srv.Counters()
	api := c.Total - c.Endpoints["content"]
	t.Logf("walk: %s; %d API requests, %d answered 429", took, api, c.RateLimited)
	if c.RateLimited != 0 {
		t.Errorf("%d requests answered 429 under the default pace", c.RateLimited)
	}
	if api <= 12 {
		t.Fatalf("only %d API requests: the test does not exceed the burst", api)
	}
	cmd := exec.Command(binary, "status", "--config-dir", t.TempDir(),
		"--api-url", srv.URL(), "--mail-url", srv.URL(), "--login-url", srv.URL())
	cmd.Env = append(cleanEnv(), append(env, "INFOMANIAK_TOKEN="+srv.IssueToken())...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "requests may go now, then 50/min") {
		t.Errorf("status shows no budget:\n%s", out)
	}
}
