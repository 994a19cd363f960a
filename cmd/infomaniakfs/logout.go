package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/cache"
)

func runLogout(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("logout", stderr)
	var cfg auth.Config
	cfg.AddFlags(flags)
	var cacheDir string
	cache.AddCacheDirFlag(flags, &cacheDir)
	keepCache := flags.Bool("keep-cache", false, "keep the files and messages cached on disk")
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	if err := cfg.Resolve(os.Getenv); err != nil {
		return fail(stderr, "%s", explain(err, "configuration"))
	}
	// Whoever logs out expects their files gone from this machine too.
	emptied := ""
	if !*keepCache && cacheDir != "" {
		if err := cache.PurgeDisk(cacheDir); errors.Is(err, cache.ErrDiskCacheBusy) {
			fmt.Fprintf(stderr, "infomaniakfs: a mount is using the disk cache in %s; it stays until you unmount and log out again\n", cacheDir)
		} else if err != nil {
			fmt.Fprintf(stderr, "infomaniakfs: deleting the disk cache: %v\n", err)
		} else {
			emptied = ", disk cache emptied"
		}
	}
	st := &auth.Store{Dir: cfg.ConfigDir}
	tok, err := st.Load()
	if err != nil {
		fmt.Fprintf(stdout, "Not logged in%s.\n", emptied)
		return exitOK
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := auth.Revoke(ctx, &cfg, tok.AccessToken); err != nil {
		// The local token goes anyway: a user who logs out must not stay logged in here.
		fmt.Fprintf(stderr, "infomaniakfs: could not revoke the token at Infomaniak (%v); deleting it locally anyway\n", err)
	}
	if err := st.Delete(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(stderr, "deleting the stored token: %v", err)
	}
	fmt.Fprintf(stdout, "Logged out: token revoked and deleted%s.\n", emptied)
	return exitOK
}
