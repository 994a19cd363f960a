package emulator

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Config is the command line of infomaniak-emulator; Options turns it into
// the Server's Options.
type Config struct {
	Addr, NotifyAddr                    string
	ClientID, ClientSecret, RedirectURI string
	Latency                             time.Duration
	Bandwidth                           string // a size per second, "100MiB"
	Rate                                string // "1/s", "60/min"
	Faults                              []string
	TokenTTL                            time.Duration
	RotateRefresh                       bool
	PrintToken                          bool
	// Watch follows Data.Dir while serving, every WatchInterval.
	Quota         string // every drive's size, "10GiB"; "" keeps the data set's
	Watch         bool
	WatchInterval time.Duration
	Data          DataConfig
}

// DataConfig chooses the data set: a local tree, or generated from a seed.
type DataConfig struct {
	Seed       int64
	Dir        string
	BigFiles   []string
	WideDir    int
	SmallFiles int
	BigFolder  int
}

// AddFlags registers the server's flags (the data flags included).
func (c *Config) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.NotifyAddr, "notify-addr", "127.0.0.1:0", "listen address of the notify host (the long poll; it is also served on --addr)")
	fs.StringVar(&c.ClientID, "client-id", "", "OAuth client id (env INFOMANIAK_CLIENT_ID; default "+DefaultClientID+")")
	fs.StringVar(&c.ClientSecret, "client-secret", "", "OAuth client secret (prefer env INFOMANIAK_CLIENT_SECRET; default: none required)")
	fs.StringVar(&c.RedirectURI, "redirect-uri", "", "registered redirect URI (env INFOMANIAK_REDIRECT_URI; default "+DefaultRedirectURI+")")
	fs.DurationVar(&c.Latency, "latency", 0, "delay before each response's first byte, e.g. 20ms")
	fs.StringVar(&c.Bandwidth, "bandwidth", "0", "bytes per second over all response bodies, e.g. 100MiB (0 = unlimited)")
	fs.StringVar(&c.Rate, "rate", "", "API request rate limit, e.g. 1/s or 60/min (empty = off)")
	fs.StringArrayVar(&c.Faults, "fault", nil, "inject a fault: KIND[@ENDPOINT][,skip=N][,times=N][,retry-after=S]; KIND is 429, 500, reset, stall, 401 or login-redirect (repeatable)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", DefaultTokenTTL, "access token lifetime")
	fs.BoolVar(&c.RotateRefresh, "rotate-refresh", false, "issue a new refresh token on every refresh and invalidate the old one")
	fs.BoolVar(&c.PrintToken, "print-token", false, "also print 'token: <personal token>' for scripts")
	fs.StringVar(&c.Quota, "quota", "", "every drive's quota, e.g. 10GiB: uploads beyond it get quota_exceeded_error (default: the data set's, 2 TiB)")
	fs.BoolVar(&c.Watch, "watch", false, "with --data: follow changes made to DIR while serving and report them in the change feeds")
	fs.DurationVar(&c.WatchInterval, "watch-interval", DefaultWatchInterval, "with --watch: how often DIR is rescanned")
	c.Data.AddFlags(fs)
}

// AddFlags registers the data set flags (also used by `generate`).
func (d *DataConfig) AddFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&d.Seed, "seed", 1, "seed of the generated data set")
	fs.StringVar(&d.Dir, "data", "", "serve DIR/kdrive/<drive>/... and DIR/mail/<address>/<folder>/<uid>.eml instead of generated data")
	fs.StringSliceVar(&d.BigFiles, "big-file", nil, "extra big files in drive 1's Private/, e.g. 256MiB,1GiB")
	fs.IntVar(&d.WideDir, "wide-dir", 0, "files in drive 1's Private/wide/")
	fs.IntVar(&d.SmallFiles, "small-files", 0, "files in drive 1's Private/small/")
	fs.IntVar(&d.BigFolder, "big-folder", 0, "messages in mailbox 1's Archives/Big")
}

// Spec is the generation spec the flags describe.
func (d *DataConfig) Spec() (dataset.Spec, error) {
	s := dataset.Spec{Seed: d.Seed, WideDirFiles: d.WideDir, SmallFiles: d.SmallFiles, BigFolderMessages: d.BigFolder}
	for _, b := range d.BigFiles {
		n, err := ParseSize(b)
		if err != nil {
			return s, fmt.Errorf("--big-file: %w", err)
		}
		s.BigFiles = append(s.BigFiles, n)
	}
	return s, nil
}

// Dataset loads --data or generates from the spec.
func (d *DataConfig) Dataset() (*dataset.Dataset, error) {
	if d.Dir != "" {
		return dataset.Load(d.Dir)
	}
	s, err := d.Spec()
	if err != nil {
		return nil, err
	}
	return dataset.Generate(s), nil
}

// ApplyEnv fills the OAuth settings the flags left empty from the
// environment, so the secret need not appear in argv.
func (c *Config) ApplyEnv(getenv func(string) string) {
	for _, v := range []struct {
		dst *string
		key string
	}{
		{&c.ClientID, "INFOMANIAK_CLIENT_ID"},
		{&c.ClientSecret, "INFOMANIAK_CLIENT_SECRET"},
		{&c.RedirectURI, "INFOMANIAK_REDIRECT_URI"},
	} {
		if *v.dst == "" {
			*v.dst = getenv(v.key)
		}
	}
}

// Options builds the Server options, loading or generating the data.
func (c *Config) Options() (Options, error) {
	o := Options{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURI: c.RedirectURI,
		AccessTokenTTL: c.TokenTTL, RotateRefresh: c.RotateRefresh, Latency: c.Latency,
		NotifyAddr: c.NotifyAddr,
	}
	if c.NotifyAddr == "" {
		return o, errors.New("--notify-addr: empty (use 127.0.0.1:0 for any free port)")
	}
	var err error
	if o.Bandwidth, err = ParseSize(c.Bandwidth); err != nil {
		return o, fmt.Errorf("--bandwidth: %w", err)
	}
	if o.Rate, o.Burst, err = ParseRate(c.Rate); err != nil {
		return o, fmt.Errorf("--rate: %w", err)
	}
	for _, f := range c.Faults {
		if _, err := ParseFault(f); err != nil {
			return o, fmt.Errorf("--fault: %w", err)
		}
	}
	if c.Watch && c.Data.Dir == "" {
		return o, errors.New("--watch needs --data DIR")
	}
	if c.Watch && c.WatchInterval <= 0 {
		return o, fmt.Errorf("--watch-interval %v: must be positive", c.WatchInterval)
	}
	var quota int64
	if c.Quota != "" {
		if quota, err = ParseSize(c.Quota); err != nil {
			return o, fmt.Errorf("--quota: %w", err)
		}
	}
	if o.Data, err = c.Data.Dataset(); err != nil {
		return o, err
	}
	if c.Quota != "" {
		o.Data.SetQuota(quota)
	}
	return o, nil
}

// ParsedFaults returns the --fault flags parsed (Options validated them).
func (c *Config) ParsedFaults() []Fault {
	var out []Fault
	for _, s := range c.Faults {
		if f, err := ParseFault(s); err == nil {
			out = append(out, f)
		}
	}
	return out
}

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1},
}

// ParseSize reads "100MiB", "1G", "64k", "1.5GB" or a plain byte count;
// every unit is binary (k = 1024).
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || f*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("bad size %q (want e.g. 64k, 100MiB, 1G)", s)
	}
	return int64(f * mult), nil
}

// ParseRate reads "N/s", "N/min", "N/h" or "N" (per second); the burst is
// N (at least 1). "" and "0" mean no limit.
func ParseRate(s string) (perSec float64, burst int, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, 0, nil
	}
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n <= 0 {
		return 0, 0, fmt.Errorf("bad rate %q (want e.g. 1/s or 60/min)", s)
	}
	per := map[string]float64{"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600}
	d, ok := per[strings.TrimSpace(unit)]
	if !ok {
		return 0, 0, fmt.Errorf("bad rate unit in %q (want s, min or h)", s)
	}
	return n / d, max(int(n), 1), nil
}

// ParseFault reads KIND[@ENDPOINT][,skip=N][,times=N][,retry-after=S].
func ParseFault(s string) (Fault, error) {
	parts := strings.Split(s, ",")
	kind, ep, _ := strings.Cut(strings.TrimSpace(parts[0]), "@")
	f := Fault{Endpoint: ep}
	for k, name := range faultNames {
		if name == kind {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return f, fmt.Errorf("unknown fault kind %q in %q", kind, s)
	}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, fmt.Errorf("bad %q in fault %q", p, s)
		}
		switch k {
		case "skip":
			f.Skip = n
		case "times":
			f.Times = n
		case "retry-after":
			f.RetryAfter = n
		default:
			return f, errors.New("unknown fault option " + strconv.Quote(k))
		}
	}
	return f, nil
}
