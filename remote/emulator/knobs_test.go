package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

func TestFaultKinds(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	cases := []struct {
		f      Fault
		status int
		check  func(*http.Response, []byte) bool
	}{
		{Fault{Kind: Fault429, RetryAfter: 7}, 429, func(r *http.Response, b []byte) bool {
			return r.Header.Get("Retry-After") == "7" && strings.Contains(string(b), `"too_many_requests"`)
		}},
		{Fault{Kind: Fault500}, 500, func(r *http.Response, b []byte) bool { return strings.Contains(string(b), `"unexpected_error"`) }},
		{Fault{Kind: Fault401}, 401, func(r *http.Response, b []byte) bool { return strings.Contains(string(b), `"not_authorized"`) }},
		{Fault{Kind: FaultLoginRedirect}, 302, func(r *http.Response, b []byte) bool {
			return strings.HasPrefix(r.Header.Get("Location"), s.URL()+"/authorize?")
		}},
	}
	for _, c := range cases {
		t.Run(c.f.Kind.String(), func(t *testing.T) {
			s.ClearFaults()
			c.f.Endpoint = EpProfile
			s.AddFault(c.f)
			api(t, s, tok, "/2/drive/init", 200) // another endpoint: untouched
			resp, body := get(t, s, tok, "/2/profile")
			if resp.StatusCode != c.status || !c.check(resp, body) {
				t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
			}
		})
	}
}

func TestFaultSkipTimes(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	s.AddFault(Fault{Endpoint: EpProfile, Kind: Fault500, Skip: 2, Times: 2})
	var got []int
	for range 6 {
		resp, _ := get(t, s, tok, "/2/profile")
		got = append(got, resp.StatusCode)
	}
	if fmt.Sprint(got) != "[200 200 500 500 200 200]" {
		t.Fatalf("statuses %v", got)
	}
	if s.Count(EpProfile) != 6 {
		t.Fatalf("faulted requests must be counted: %d", s.Count(EpProfile))
	}
}

func TestFaultResetAndStall(t *testing.T) {
	d := dataset.Generate(dataset.Spec{Seed: 2, Drives: 1, Depth: 1, BigFiles: []int64{1 << 20}})
	s := start(t, Options{Data: d})
	tok := s.IssueToken()
	big := firstFile(t, d, 100001, 1<<20)
	u := contentURL(t, s, tok, big)

	s.AddFault(Fault{Endpoint: EpContent, Kind: FaultReset, Times: 1})
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(b) != 1<<19 {
		t.Fatalf("reset: read %d bytes, err %v; want half the body and an error", len(b), err)
	}
	if resp, _ := call(t, http.MethodGet, u, "", nil); resp.StatusCode != 200 {
		t.Fatalf("Times=1 fault did not expire: %d", resp.StatusCode)
	}

	// A reset of a JSON answer, and of the 302 (no body: cut before any byte).
	s.AddFault(Fault{Endpoint: EpDownload, Kind: FaultReset, Times: 1})
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/2/drive/100001/files/%d/download", s.URL(), big.ID), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	// A fresh connection: on a reused one Go's transport retries a GET cut
	// before any byte, and the retry (a second request) passes.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset download: status %d, no error", resp.StatusCode)
	}
	s.AddFault(Fault{Endpoint: EpProfile, Kind: FaultReset, Times: 1})
	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/2/profile", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(fmt.Sprint(err), "reset") {
			t.Fatalf("reset JSON answer: read error %v", err)
		}
	}

	// Stall: headers and first bytes arrive, then nothing until the client gives up.
	s.AddFault(Fault{Endpoint: EpContent, Kind: FaultStall, Times: 1})
	client := &http.Client{Timeout: 400 * time.Millisecond}
	t0 := time.Now()
	resp, err = client.Get(u)
	if err == nil {
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || time.Since(t0) > 3*time.Second {
		t.Fatalf("stall: err %v after %v", err, time.Since(t0))
	}

	// Close ends a stall that no client gives up on.
	s.AddFault(Fault{Kind: FaultStall})
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(u)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("stalled read completed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the stall")
	}
}

func TestRateLimit(t *testing.T) {
	s := start(t, Options{Rate: 0.5, Burst: 2})
	tok := s.IssueToken()
	api(t, s, tok, "/2/profile", 200)
	api(t, s, tok, "/2/drive/init", 200)
	resp, body := get(t, s, tok, "/2/profile")
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != 429 || ra < 1 || ra > 2 || !strings.Contains(string(body), `"too_many_requests"`) {
		t.Fatalf("over the limit: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// OAuth and content are not API requests.
	if resp, _ := get(t, s, "", "/authorize?client_id=nope"); resp.StatusCode != 400 {
		t.Fatalf("authorize under rate limit: %d", resp.StatusCode)
	}
	s.SetRate(0, 0)
	api(t, s, tok, "/2/profile", 200)
	if s.Count(EpProfile) != 3 {
		t.Fatalf("profile counted %d", s.Count(EpProfile))
	}
}

func TestCounters(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	api(t, s, "", "/2/profile", 401) // not authenticated: not counted
	api(t, s, tok, "/2/profile", 200)
	api(t, s, tok, "/1/profile", 200)
	api(t, s, tok, "/3/drive/100001/files/1", 200)
	api(t, s, tok, "/3/drive/100001/files/424242", 404)
	want := map[string]int64{EpProfile: 2, EpStat: 2}
	if got := s.Counts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	s.ResetCounts()
	if len(s.Counts()) != 0 || s.Count(EpProfile) != 0 {
		t.Fatalf("after reset: %v", s.Counts())
	}
}

func TestLatencyAndBandwidth(t *testing.T) {
	d := dataset.Generate(dataset.Spec{Seed: 2, Drives: 1, Depth: 1, BigFiles: []int64{512 << 10}})
	s := start(t, Options{Data: d, Latency: 150 * time.Millisecond})
	tok := s.IssueToken()
	t0 := time.Now()
	api(t, s, tok, "/2/profile", 200)
	if el := time.Since(t0); el < 150*time.Millisecond {
		t.Fatalf("latency: answered in %v", el)
	}
	s.SetLatency(0)
	u := contentURL(t, s, tok, firstFile(t, d, 100001, 512<<10))
	s.SetBandwidth(256 << 10)
	t0 = time.Now()
	resp, body := call(t, http.MethodGet, u, "", nil)
	// 512 KiB at 256 KiB/s with a 32 KiB burst: at least ~1.9 s.
	if el := time.Since(t0); resp.StatusCode != 200 || len(body) != 512<<10 || el < 1800*time.Millisecond || el > 10*time.Second {
		t.Fatalf("bandwidth: %d bytes in %v", len(body), el)
	}
	// Without the cap the same body must come clearly faster (the margin
	// is wide: CI machines are shared and -race is slow).
	s.SetBandwidth(0)
	t0 = time.Now()
	if call(t, http.MethodGet, u, "", nil); time.Since(t0) > 1200*time.Millisecond {
		t.Fatalf("unlimited took %v", time.Since(t0))
	}
}

func TestParsers(t *testing.T) {
	sizes := map[string]int64{"64k": 64 << 10, "100MiB": 100 << 20, "1G": 1 << 30, "1.5GB": 3 << 29, "0": 0, "512": 512, "2 MiB": 2 << 20}
	for in, want := range sizes {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "k", "-1k", "12 parsecs"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	rates := []struct {
		in    string
		per   float64
		burst int
	}{{"1/s", 1, 1}, {"60/min", 1, 60}, {"3600/h", 1, 3600}, {"5", 5, 5}, {"", 0, 0}, {"0.5/s", 0.5, 1}}
	for _, r := range rates {
		if per, burst, err := ParseRate(r.in); err != nil || per != r.per || burst != r.burst {
			t.Errorf("ParseRate(%q) = %v, %d, %v", r.in, per, burst, err)
		}
	}
	for _, bad := range []string{"x/s", "1/fortnight", "-1/s"} {
		if _, _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
	faults := map[string]Fault{
		"429":                                 {Kind: Fault429},
		"reset@content,skip=2,times=1":        {Kind: FaultReset, Endpoint: EpContent, Skip: 2, Times: 1},
		"429@list,retry-after=9":              {Kind: Fault429, Endpoint: EpList, RetryAfter: 9},
		"login-redirect@mail.mailboxes":       {Kind: FaultLoginRedirect, Endpoint: EpMailboxes},
		"stall@download,times=3":              {Kind: FaultStall, Endpoint: EpDownload, Times: 3},
		"401@profile":                         {Kind: Fault401, Endpoint: EpProfile},
		"500@listing.continue,skip=1,times=0": {Kind: Fault500, Endpoint: EpListingContinue, Skip: 1},
	}
	for in, want := range faults {
		if got, err := ParseFault(in); err != nil || got != want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "teapot", "429,skip=x", "500,sometimes=1"} {
		if _, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) accepted", bad)
		}
	}
}

func TestCountersRoute(t *testing.T) {
	s := start(t, Options{Rate: 0.001, Burst: 2})
	tok := s.IssueToken()
	api(t, s, tok, "/2/profile", 200)
	api(t, s, tok, "/2/drive/init", 200)
	api(t, s, tok, "/2/profile", 429) // over the rate limit
	s.SetRate(0, 0)
	s.AddFault(Fault{Endpoint: EpStat, Kind: Fault429, Times: 1})
	api(t, s, tok, "/3/drive/100001/files/1", 429)
	api(t, s, tok, "/3/drive/100001/files/1", 200)
	s.AddFault(Fault{Endpoint: EpStat, Kind: Fault500, Times: 1})
	api(t, s, tok, "/3/drive/100001/files/1", 500)
	for range 2 { // reading the counters costs nothing
		resp, body := get(t, s, "", "/_emulator/counters")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("counters: %d %s", resp.StatusCode, body)
		}
		got := decode[CounterSnapshot](t, body)
		want := CounterSnapshot{
			Total:                6,
			Endpoints:            map[string]int64{EpProfile: 2, EpDrives: 1, EpStat: 3},
			RateLimited:          2,
			RateLimitedEndpoints: map[string]int64{EpProfile: 1, EpStat: 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counters %+v, want %+v", got, want)
		}
	}
	s.ResetCounts()
	_, body := get(t, s, "", "/_emulator/counters")
	if got := string(body); got != `{"total":0,"endpoints":{},"rate_limited":0,"rate_limited_endpoints":{}}`+"\n" {
		t.Fatalf("after reset: %s", got)
	}
}
