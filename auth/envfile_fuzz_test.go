package auth

import (
	"fmt"
	"strings"
	"testing"
)

// envFileMessages is every fixed text an env-file error may carry; a
// value that is part of one proves nothing about leaking.
const envFileMessages = "line : expected KEY = value invalid key: letters, digits and _ only, not starting with a digit unterminated quote unexpected text after the closing quote reading env file: bufio.Scanner: token too long"

// FuzzParseEnvFile: any input parses or fails without panicking; what
// parses has valid keys and single-line values, survives a round trip,
// and an error never quotes a value (the line may hold the secret).
func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{
		"Service_INFOMANIAK_DATA_CLIENT_ID = abc\nService_INFOMANIAK_DATA_CLIENT_SECRET = 's3cr3t # not a comment'\n",
		"export INFOMANIAK_CLIENT_ID=\"id\" # comment\n\n# full comment\nX=y#frag\n",
		"\ufeffKEY=value\r\nOTHER = \"unterminated\n",
		"1BAD=x\n",
		"no equals sign here\n",
		"K='a'b\n",
		"K=\"v\" trailing\n",
		"K=\n=v\n",
		"K = value with spaces   \nK = override\n",
		strings.Repeat("A", 300) + "=1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		env, err := ParseEnvFile(strings.NewReader(in))
		if err != nil {
			for _, line := range strings.Split(in, "\n") {
				_, v, ok := strings.Cut(line, "=")
				v = strings.TrimSpace(v)
				if ok && len(v) >= 16 && !strings.Contains(envFileMessages, v) && strings.Contains(err.Error(), v) {
					t.Fatalf("the error quotes a value: %v", err)
				}
			}
			return
		}
		var b strings.Builder
		for k, v := range env {
			if !validKey(k) {
				t.Fatalf("invalid key %q accepted", k)
			}
			if strings.ContainsAny(v, "\n") {
				t.Fatalf("value of %s spans lines: %q", k, v)
			}
			if !strings.Contains(v, "'") {
				fmt.Fprintf(&b, "%s = '%s'\n", k, v)
			}
		}
		back, err := ParseEnvFile(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-parsing our own output: %v\n%s", err, b.String())
		}
		for k, v := range back {
			if env[k] != v {
				t.Fatalf("round trip of %s: %q, then %q", k, env[k], v)
			}
		}
	})
}
