package auth

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// openBrowser opens u with $BROWSER (a colon-separated list of commands,
// "%s" standing for the URL, as xdg-utils read it), else xdg-open.
func openBrowser(u string) error {
	return openWith(os.Getenv("BROWSER"), exec.LookPath, u)
}

func openWith(browserEnv string, lookPath func(string) (string, error), u string) error {
	var errs []error
	for _, cmdline := range strings.Split(browserEnv, ":") {
		args := strings.Fields(cmdline)
		if len(args) == 0 {
			continue
		}
		if err := start(browserArgs(args, u)); err != nil {
			errs = append(errs, err)
			continue
		}
		return nil
	}
	if p, err := lookPath("xdg-open"); err == nil {
		if err := start([]string{p, u}); err == nil {
			return nil
		} else {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return errors.New("no $BROWSER set and no xdg-open on PATH")
	}
	return errors.Join(errs...)
}

func browserArgs(args []string, u string) []string {
	out := make([]string, 0, len(args)+1)
	replaced := false
	for _, a := range args {
		if strings.Contains(a, "%s") {
			a = strings.ReplaceAll(a, "%s", u)
			replaced = true
		}
		out = append(out, a)
	}
	if !replaced {
		out = append(out, u)
	}
	return out
}

// start runs the browser without waiting: many browsers only return when
// their window closes.
func start(args []string) error {
	cmd := exec.Command(args[0], args[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", args[0], err)
	}
	go cmd.Wait()
	return nil
}
