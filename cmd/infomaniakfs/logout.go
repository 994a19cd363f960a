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
)

func runLogout(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("logout", stderr)
	var cfg auth.Config
	cfg.AddFlags(flags)
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	if err := cfg.Resolve(os.Getenv); err != nil {
		return fail(stderr, "%s", explain(err, "configuration"))
	}
	st := &auth.Store{Dir: cfg.ConfigDir}
	tok, err := st.Load()
	if err != nil {
		fmt.Fprintln(stdout, "Not logged in: nothing to do.")
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
	fmt.Fprintln(stdout, "Logged out: token revoked and deleted.")
	return exitOK
}
