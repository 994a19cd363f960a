// Command infomaniak-emulator serves the Infomaniak API emulator (OAuth,
// profile, kDrive, Mail on one address) for manual tests and benchmarks,
// or writes its generated data set to disk:
//
//	infomaniak-emulator [--addr 127.0.0.1:8080] [--seed N | --data DIR [--watch]] [knobs...]
//	infomaniak-emulator generate --out DIR [--seed N] [size flags]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "generate" {
		return generate(args[1:], stdout, stderr)
	}
	fs := pflag.NewFlagSet("infomaniak-emulator", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var c emulator.Config
	c.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "infomaniak-emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	c.ApplyEnv(getenv)
	o, err := c.Options()
	if err != nil {
		fmt.Fprintln(stderr, "infomaniak-emulator:", err)
		return 2
	}
	s, err := emulator.Listen(o, c.Addr)
	if err != nil {
		fmt.Fprintln(stderr, "infomaniak-emulator:", err)
		return 1
	}
	defer s.Close()
	for _, f := range c.ParsedFaults() {
		s.AddFault(f)
	}
	if c.Watch {
		if err := s.Watch(c.Data.Dir, c.WatchInterval); err != nil {
			fmt.Fprintln(stderr, "infomaniak-emulator:", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "listening on %s\n", s.URL())
	fmt.Fprintf(stdout, "notify on %s\n", s.NotifyURL())
	if c.PrintToken {
		fmt.Fprintf(stdout, "token: %s\n", s.IssueToken())
	}
	<-ctx.Done()
	return 0
}

func generate(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("infomaniak-emulator generate", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var d emulator.DataConfig
	d.AddFlags(fs)
	out := fs.String("out", "", "directory to write the data set to (required)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" || d.Dir != "" {
		fmt.Fprintln(stderr, "infomaniak-emulator generate: --out DIR is required (and --data makes no sense here)")
		return 2
	}
	ds, err := d.Dataset()
	if err == nil {
		err = ds.WriteTo(*out)
	}
	if err != nil {
		fmt.Fprintln(stderr, "infomaniak-emulator generate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return 0
}
