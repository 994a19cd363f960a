package main

import (
	"io"
	"sync"

	"github.com/spf13/pflag"
)

// The completion scripts and the man page are generated from the very
// flag sets the commands parse: each command is run with --help while
// newFlagSet records what it builds, so a flag has one source.
var captured flagRecorder

type flagRecorder struct {
	serial sync.Mutex // one capture at a time
	mu     sync.Mutex
	on     bool
	sets   []*pflag.FlagSet
}

// record keeps fs if a capture is under way (newFlagSet calls it).
func (r *flagRecorder) record(fs *pflag.FlagSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.sets = append(r.sets, fs)
	}
}

// commandFlags returns the flag set command c parses, or an empty one.
// c.run sees only --help, which every command answers by parsing its
// flags and returning before doing anything.
func commandFlags(c command) *pflag.FlagSet {
	r := &captured
	r.serial.Lock()
	defer r.serial.Unlock()
	r.mu.Lock()
	r.on, r.sets = true, nil
	r.mu.Unlock()
	c.run([]string{"--help"}, io.Discard, io.Discard)
	r.mu.Lock()
	sets := r.sets
	r.on, r.sets = false, nil
	r.mu.Unlock()
	if len(sets) == 0 {
		return pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	}
	return sets[0]
}

// flagList is the flags of fs in registration order, without --help
// (which pflag adds on its own and which every command has).
func flagList(fs *pflag.FlagSet) []*pflag.Flag {
	var out []*pflag.Flag
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && !f.Hidden {
			out = append(out, f)
		}
	})
	return out
}

// takesValue says whether the flag needs an argument.
func takesValue(f *pflag.Flag) bool { return f.NoOptDefVal == "" }
