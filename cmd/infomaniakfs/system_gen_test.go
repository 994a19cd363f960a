package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// Every flag of every command, found through the same flag sets the
// commands parse; a command that parses none would make the tests below
// pass vacuously, so mount's must be there.
func allFlags(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, c := range commands() {
		for _, f := range flagList(commandFlags(c)) {
			out[c.name] = append(out[c.name], f.Name)
		}
	}
	if !strings.Contains(strings.Join(out["mount"], " "), "cache-dir") {
		t.Fatalf("mount's flags were not captured: %v", out["mount"])
	}
	return out
}

func TestCompletionMentionsEveryFlag(t *testing.T) {
	flags := allFlags(t)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			script, errOut, code := cli(t, nil, "completion", shell)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for cmd, names := range flags {
				if !strings.Contains(script, cmd) {
					t.Errorf("command %s missing", cmd)
				}
				for _, n := range names {
					if !regexp.MustCompile(`(--|-l )` + regexp.QuoteMeta(n) + `\b`).MatchString(script) {
						t.Errorf("%s --%s missing", cmd, n)
					}
				}
			}
			if sh, err := exec.LookPath(shell); err == nil {
				f := filepath.Join(t.TempDir(), "completion")
				os.WriteFile(f, []byte(script), 0o600)
				arg := "-n"
				if shell == "fish" {
					arg = "--no-execute"
				}
				if out, err := exec.Command(sh, arg, f).CombinedOutput(); err != nil {
					t.Errorf("%s %s rejects the script: %v\n%s", shell, arg, err, out)
				}
			} else if shell == "bash" {
				t.Error("bash is not installed")
			} else {
				t.Logf("%s not installed: syntax not checked", shell)
			}
		})
	}
	if _, _, code := cli(t, nil, "completion", "tcsh"); code != exitUsage {
		t.Errorf("completion tcsh: exit %d, want %d", code, exitUsage)
	}
}

func TestManPageListsEveryFlag(t *testing.T) {
	page, _, code := cli(t, nil, "man")
	if code != 0 || !strings.HasPrefix(page, `.\"`) || !strings.Contains(page, ".TH INFOMANIAKFS 1") {
		t.Fatalf("man: exit %d\n%.200s", code, page)
	}
	for cmd, names := range allFlags(t) {
		if !strings.Contains(page, ".SS infomaniakfs "+cmd) {
			t.Errorf("no section for %s", cmd)
		}
		for _, n := range names {
			if !strings.Contains(page, `.B \-\-`+strings.ReplaceAll(n, "-", `\-`)) {
				t.Errorf("%s --%s missing", cmd, n)
			}
		}
	}
	// The builder's home must not leak into a page installed for everyone.
	if home, _ := os.UserHomeDir(); home != "" && home != "/" && strings.Contains(page, home) {
		t.Errorf("page mentions %s", home)
	}
	if man, err := exec.LookPath("man"); err == nil {
		f := filepath.Join(t.TempDir(), "infomaniakfs.1")
		os.WriteFile(f, []byte(page), 0o600)
		cmd := exec.Command(man, "--warnings", "-l", f)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "MANWIDTH=100")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "--cache-dir") || stderr.Len() > 0 {
			t.Errorf("man -l: %v, warnings %q\n%.300s", err, stderr.String(), out)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, _, code := cli(t, nil, args...)
		if code != 0 || !strings.HasPrefix(out, "infomaniakfs ") || !strings.Contains(out, "linux/") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-11-29T23:00:00Z"},
	}}
	if got := versionLine(bi); !strings.HasPrefix(got, "infomaniakfs v1.2.3 (0123456789ab-dirty 2026-11-29T23:00:00Z) go1.26.8 ") {
		t.Errorf("versionLine = %q", got)
	}
	if got := versionLine(nil); !strings.HasPrefix(got, "infomaniakfs (devel) go") {
		t.Errorf("versionLine(nil) = %q", got)
	}
}
