// Package cache holds decorators over the remote contracts: a metadata TTL
// cache with singleflight, and a content cache of fixed-size blocks (kDrive)
// and whole messages (Mail) kept in ristretto under a byte budget, with
// parallel read-ahead for sequential readers. It knows nothing of FUSE or
// HTTP: it takes a remote.Drives or remote.Mail and is one again.
package cache

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Defaults of Options; a zero field means its default.
const (
	DefaultDirCacheTime        = 5 * time.Minute
	DefaultNegativeTTL         = 30 * time.Second
	DefaultCacheSize           = 256 << 20
	DefaultBlockSize           = 4 << 20
	DefaultReadAhead           = 8
	DefaultParallel            = 8
	DefaultMailSizeConcurrency = 8
	DefaultFetchTimeout        = 5 * time.Minute
	DefaultMaxEntries          = 1 << 18
	DefaultDiskCacheSize       = 4 << 30
	DefaultPollInterval        = 30 * time.Second
	DefaultLongPollRetry       = 5 * time.Minute
	DefaultMailPoll            = 30 * time.Second
	DefaultMailActive          = 30 * time.Minute
	DefaultMailPollFolders     = 1
	DefaultMailFolderPoll      = 10 * time.Minute
	DefaultArchiveMax          = 64 << 20
	DefaultArchiveFiles        = 1000
	DefaultArchiveWait         = 30 * time.Second
)

// Options tune both decorators. The zero value is usable: every zero field
// takes its default.
type Options struct {
	// DirCacheTime is how long listings and stats are trusted; negative
	// disables caching them (concurrent calls are still shared).
	DirCacheTime time.Duration
	// NegativeTTL is how long "not found" is trusted; negative disables it.
	NegativeTTL time.Duration
	// CacheSize is the byte budget of the content cache of each decorator
	// (kDrive blocks, Mail messages); negative keeps only the small working
	// set a reader needs (the flag's "0").
	CacheSize int64
	// BlockSize is the unit of kDrive content fetches and of caching.
	BlockSize int64
	// ReadAhead is how many blocks are fetched ahead of a sequential reader,
	// lowered when the budget cannot hold them; negative disables it.
	ReadAhead int
	// Parallel bounds the concurrent block fetches of one file.
	Parallel int
	// MailSizeConcurrency bounds concurrent downloads learning exact sizes.
	MailSizeConcurrency int
	// ExactMailSizes makes stat of a message wait for its exact size (a
	// download) instead of reporting the listed one.
	ExactMailSizes bool
	// MailPoll is how often the folders a user looked at are asked for
	// changes (mail activities); negative turns mail polling off.
	MailPoll time.Duration
	// MailActive is how long a folder listed or opened stays polled;
	// negative polls only each mailbox's INBOX.
	MailActive time.Duration
	// MailPollFolders is how many folders in use besides each INBOX one
	// poll round asks for changes, taking turns; negative: INBOXes only.
	MailPollFolders int
	// MailFolderPoll is how often the polled mailboxes' folder trees are
	// read again.
	MailFolderPoll time.Duration
	// FetchTimeout bounds one shared fetch (a block, a message, a listing),
	// which no single reader's cancellation may stop.
	FetchTimeout time.Duration
	// MaxEntries bounds the metadata entries kept (stats, listings, ...).
	MaxEntries int
	// Disk, when set, is the disk tier under both content caches; the
	// caller opens it (OpenDisk) from DiskDir and DiskCacheSize, which
	// only carry the flags, and closes it after the decorators.
	Disk *Disk
	// DiskDir is the --cache-dir flag; "" means no disk tier.
	DiskDir string
	// DiskCacheSize is the --disk-cache-size flag; negative means no disk
	// tier.
	DiskCacheSize int64
	// NoSnapshot lists every directory on its own even when the source can
	// list a whole drive in one call (see Snapshotter).
	NoSnapshot bool
	// PollInterval is how often a snapshotted drive's change feed is read
	// when its long poll cannot be used (the notify host unreachable);
	// negative turns following off: listings then expire on DirCacheTime.
	PollInterval time.Duration
	// LongPollRetry is how long a drive followed by PollInterval waits
	// before trying its long poll again.
	LongPollRetry time.Duration
	// ArchiveMax bounds the bytes of one archive: when a reader goes
	// through a directory's small files, the rest of them (each at most
	// BlockSize) come in one zip of at most this many bytes (and
	// ArchiveFiles files), when the source is an Archiver; negative: every
	// file is fetched on its own. Also bounded by the memory the cache
	// keeps for recent blocks.
	ArchiveMax int64
	// ArchiveFiles bounds the files of one archive (the API takes 20,000).
	ArchiveFiles int
	// ArchiveWait is how long a reader of a file an archive is bringing
	// waits for it before fetching the file itself.
	ArchiveWait time.Duration
	// Online reports whether the remote answers (remote.Client.Online);
	// while it does not, expired listings and stats are served at once,
	// as they were. nil: the remote is taken to answer (an expired entry
	// is still served when its reload fails for an outage).
	Online func() bool
	// Now is the clock of the metadata TTLs; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// AddFlags registers the cache flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.DiskCacheSize == 0 {
		o.DiskCacheSize = DefaultDiskCacheSize
	}
	AddCacheDirFlag(fs, &o.DiskDir)
	fs.Var((*byteSize)(&o.DiskCacheSize), "disk-cache-size",
		"disk budget of the file block cache in --cache-dir (0 turns it off)")
	if o.DirCacheTime == 0 {
		o.DirCacheTime = DefaultDirCacheTime
	}
	if o.ArchiveMax == 0 {
		o.ArchiveMax = DefaultArchiveMax
	}
	fs.Var((*byteSize)(&o.ArchiveMax), "archive-max",
		"largest zip in which a folder's small files are fetched together when a program reads them in turn (cp -r, rsync, tar; 0: one request per file)")
	fs.Var((*byteSize)(&o.CacheSize), "cache-size",
		"memory budget of the content cache, per service (e.g. 256MiB, 1GiB; 0 keeps only the working set)")
	fs.Var((*ttlFlag)(&o.DirCacheTime), "dir-cache-time",
		"how long directory listings and file attributes are trusted before asking again (0: never)")
	fs.BoolVar(&o.ExactMailSizes, "exact-mail-sizes", false,
		"make stat of a message wait for its exact size (one download per message) instead of reporting the listed size")
	if o.MailPoll == 0 {
		o.MailPoll = DefaultMailPoll
	}
	if o.MailActive == 0 {
		o.MailActive = DefaultMailActive
	}
	if o.MailPollFolders == 0 {
		o.MailPollFolders = DefaultMailPollFolders
	}
	fs.Var((*ttlFlag)(&o.MailPoll), "mail-poll",
		"how often each INBOX (and, taking turns, the other mail folders in use) is asked for new and deleted messages (0: never)")
	fs.Var((*ttlFlag)(&o.MailActive), "mail-active",
		"how long a mail folder stays polled after it was last listed or opened (0: only each INBOX)")
	fs.Var((*countFlag)(&o.MailPollFolders), "mail-poll-folders",
		"how many mail folders in use besides each INBOX one --mail-poll round asks for changes, taking turns (0: only each INBOX)")
	fs.BoolVar(&o.NoSnapshot, "no-snapshot", false,
		"list each kDrive directory when it is opened, instead of fetching a drive's whole tree in one request (changes then show after --dir-cache-time)")
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	fs.Var((*ttlFlag)(&o.PollInterval), "poll-interval",
		"how often to ask for kDrive changes when the long poll on --notify-url fails (0: do not follow changes; listings expire after --dir-cache-time)")
}

// AddCacheDirFlag registers --cache-dir into dir, by default
// $XDG_CACHE_HOME/infomaniakfs.
func AddCacheDirFlag(fs *pflag.FlagSet, dir *string) {
	if *dir == "" {
		if d, err := os.UserCacheDir(); err == nil {
			*dir = filepath.Join(d, "infomaniakfs")
		}
	}
	fs.StringVar(dir, "cache-dir", *dir,
		"directory of the disk cache of file blocks and messages (mode 0700; one mount at a time)")
}

// ttlFlag is a duration flag whose 0 means "none", kept as a negative
// value since Options' zero means "default".
type ttlFlag time.Duration

func (d *ttlFlag) String() string { return time.Duration(max(0, *d)).String() }
func (d *ttlFlag) Type() string   { return "duration" }

func (d *ttlFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("invalid duration %q (want e.g. 5m, 30s, 0)", s)
	}
	if v == 0 {
		v = -1
	}
	*d = ttlFlag(v)
	return nil
}

// withDefaults returns o with every zero field set.
func (o Options) withDefaults() Options {
	if o.DirCacheTime == 0 {
		o.DirCacheTime = DefaultDirCacheTime
	}
	if o.DirCacheTime < 0 {
		// A snapshot is a cache of the whole tree: with no metadata cache,
		// each listing would download the whole drive again.
		o.NoSnapshot = true
		if o.NegativeTTL == 0 {
			o.NegativeTTL = -1 // nor "not found" remembered
		}
	}
	if o.NegativeTTL == 0 {
		o.NegativeTTL = DefaultNegativeTTL
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.ReadAhead == 0 {
		o.ReadAhead = DefaultReadAhead
	}
	if o.ReadAhead < 0 {
		o.ReadAhead = 0
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.MailSizeConcurrency <= 0 {
		o.MailSizeConcurrency = DefaultMailSizeConcurrency
	}
	if o.MailPoll == 0 {
		o.MailPoll = DefaultMailPoll
	}
	if o.MailActive == 0 {
		o.MailActive = DefaultMailActive
	}
	if o.MailPollFolders == 0 {
		o.MailPollFolders = DefaultMailPollFolders
	}
	if o.MailFolderPoll <= 0 {
		o.MailFolderPoll = DefaultMailFolderPoll
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ArchiveMax == 0 {
		o.ArchiveMax = DefaultArchiveMax
	}
	if o.ArchiveFiles <= 0 {
		o.ArchiveFiles = DefaultArchiveFiles
	}
	if o.ArchiveWait <= 0 {
		o.ArchiveWait = DefaultArchiveWait
	}
	if o.LongPollRetry <= 0 {
		o.LongPollRetry = DefaultLongPollRetry
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// byteSize is a flag value in bytes written with an optional unit: 256MiB,
// 1GiB, 512M (binary), 100MB (decimal), 0.
type byteSize int64

func (b *byteSize) String() string { return formatSize(int64(*b)) }
func (b *byteSize) Type() string   { return "size" }

func (b *byteSize) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	if n == 0 {
		n = -1 // Options' zero means "default"; the user's 0 means "none"
	}
	*b = byteSize(n)
	return nil
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// ParseSize parses a byte count with an optional unit (K, M, G, T and their
// KiB forms are binary; KB, MB, GB, TB decimal). Case does not matter.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if i == 0 || !ok {
		return 0, fmt.Errorf("invalid size %q (want e.g. 256MiB, 1GiB, 0)", s)
	}
	f, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || f < 0 || f*float64(unit) > 1<<62 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 256MiB, 1GiB, 0)", s)
	}
	return int64(f * float64(unit)), nil
}

func formatSize(n int64) string {
	if n <= 0 {
		return "0"
	}
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
