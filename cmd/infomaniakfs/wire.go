package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/kdrive"
	"github.com/infomaniakfs/infomaniakfs/remote/mail"
)

// netOptions are the HTTP client's knobs that a user may need to turn.
type netOptions struct {
	Timeout time.Duration
	Rate    remote.Rate
	Burst   int
}

func (o *netOptions) AddFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&o.Timeout, "timeout", 60*time.Second, "give up on an API request that makes no progress for this long")
	o.Rate = remote.DefaultRate
	fs.Var(&o.Rate, "rate", "pace API requests (not content downloads) to this sustained rate, e.g. 50/min or 2/s; "+
		"the default stays under Infomaniak's documented 60/min in any minute; 0 = no pacing, only back off when answered 429")
	fs.IntVar(&o.Burst, "burst", remote.DefaultBurst, "API requests that may go at once after a quiet spell, on top of --rate "+
		"(with the default rate, burst + 50 stays within 60 a minute)")
}

// check rejects a burst that would stop every paced request.
func (o netOptions) check() error {
	if o.Rate > 0 && o.Burst < 1 {
		return fmt.Errorf("--burst %d: must be at least 1 when --rate is set", o.Burst)
	}
	return nil
}

// services is everything built from a configuration and a token.
type services struct {
	cfg    *auth.Config
	client *remote.Client
	drives driveSource
	mail   *mail.Client
}

// connect resolves the configuration and builds the authenticated clients.
func connect(ctx context.Context, cfg *auth.Config, no netOptions, log *slog.Logger, getenv func(string) string) (*services, error) {
	if err := no.check(); err != nil {
		return nil, err
	}
	if err := cfg.Resolve(getenv); err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokenSource(ctx, cfg, &auth.Store{Dir: cfg.ConfigDir})
	if err != nil {
		return nil, err
	}
	c := remote.NewClient(remote.ClientOptions{
		Tokens:    tokens,
		Rate:      float64(no.Rate),
		Burst:     no.Burst,
		Timeout:   no.Timeout,
		UserAgent: "infomaniakfs",
		Logger:    log,
	})
	kd := kdrive.New(c, cfg.APIURL)
	kd.SetNotifyURL(cfg.NotifyURL)
	return &services{
		cfg:    cfg,
		client: c,
		drives: driveSource{kd},
		mail:   mail.New(c, cfg.MailURL),
	}, nil
}

// driveSource is the kDrive client as the cache takes it: the drive
// contract, the whole-drive snapshot and the change feed.
type driveSource struct{ *kdrive.Client }

var (
	_ cache.DriveFeed   = driveSource{}
	_ cache.Archiver    = driveSource{}
	_ cache.Snapshotter = driveSource{}
)

// DriveChanges is kdrive.Client.Changes in the cache's terms.
func (s driveSource) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]cache.DriveAction, string, error) {
	changes, next, err := s.Changes(ctx, driveID, cursor)
	if err != nil {
		return nil, "", err
	}
	out := make([]cache.DriveAction, len(changes))
	for i, ch := range changes {
		out[i] = cache.DriveAction{Action: ch.Action, Entry: ch.Entry(driveID)}
	}
	return out, next, nil
}

// profile reads the account behind the token (/2/profile).
func (s *services) profile(ctx context.Context) (remote.Profile, error) {
	var p struct {
		ID          int64  `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
	}
	err := s.client.GetJSON(ctx, strings.TrimRight(s.cfg.APIURL, "/")+"/2/profile", &p)
	return remote.Profile{ID: p.ID, Email: p.Email, DisplayName: p.DisplayName}, err
}

// offlineStartWait bounds the account check at start when a saved state
// could stand in for the service: an unreachable Infomaniak then costs a
// few seconds, not the retries of a minute.
const offlineStartWait = 5 * time.Second

// account asks who the token belongs to. When Infomaniak cannot be reached
// (connection errors, 5xx, timeouts) and the cache directory holds a state
// saved for these hosts, it starts offline from it: saved is then what to
// restore, and the client, which saw the outage, reports itself offline
// until the service answers again.
func (s *services) account(ctx context.Context, co cache.Options, log *slog.Logger) (p remote.Profile, saved *cache.State, err error) {
	wait := time.Minute
	keeps := co.DiskDir != "" && co.DiskCacheSize > 0
	if keeps && cache.HasState(co.DiskDir, s.cfg.APIURL, s.cfg.MailURL) {
		wait = offlineStartWait
	}
	pctx, cancel := context.WithTimeout(ctx, wait)
	p, err = s.profile(pctx)
	cancel()
	if err == nil || !keeps || ctx.Err() != nil ||
		!errors.Is(err, remote.ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) {
		return p, nil, err
	}
	st, dir, ok := cache.FindState(co.DiskDir, s.cfg.APIURL, s.cfg.MailURL)
	if !ok {
		return p, nil, err
	}
	log.Warn("offline start: Infomaniak cannot be reached; serving the state saved at "+
		st.Saved.Local().Format("2006-01-02 15:04:05")+" read-only until it answers",
		"err", err, "account", st.Profile.Email, "dir", dir)
	return st.Profile, st, nil
}

// explain turns an error into the one sentence a user needs.
func explain(err error, what string) string {
	if s := auth.Explain(err); s != "" {
		return s
	}
	switch {
	case errors.Is(err, remote.ErrAuth):
		return fmt.Sprintf("%s: %v", what, err)
	case errors.Is(err, remote.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s: Infomaniak cannot be reached (%v); check the network and the --api-url / --mail-url / --login-url settings", what, err)
	}
	return fmt.Sprintf("%s: %v", what, err)
}
