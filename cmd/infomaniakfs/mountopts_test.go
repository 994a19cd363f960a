package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestMapOptions(t *testing.T) {
	mountFlags := commandFlags(command{name: "mount", run: runMount})
	tests := []struct {
		opts    string
		want    []string
		wantErr string
	}{
		{"ro", []string{"--read-only"}, ""},
		{"rw", nil, ""},
		{"defaults", nil, ""},
		{"allow_other,uid=1000,gid=1000", []string{"--allow-other", "--uid=1000", "--gid=1000"}, ""},
		{"config_dir=/home/ana/.config/infomaniakfs,cache_dir=/var/cache/ifs",
			[]string{"--config-dir=/home/ana/.config/infomaniakfs", "--cache-dir=/var/cache/ifs"}, ""},
		{"rw,noauto,nofail,_netdev,x-systemd.automount,x-systemd.idle-timeout=60,user,users,exec,noexec,suid,nosuid,dev,nodev,auto,comment=x",
			nil, ""},
		{"dir_cache_time=10m,disk-cache-size=1GiB,no_snapshot", []string{"--dir-cache-time=10m", "--disk-cache-size=1GiB", "--no-snapshot"}, ""},
		{"debug", []string{"--debug"}, ""},
		{"allow_other=true", []string{"--allow-other=true"}, ""},
		{"cache_dir", nil, `"cache_dir" needs a value`},
		{"bogus=1", nil, `unknown option "bogus=1"`},
		{"help", nil, `unknown option "help"`},
		{"rox", nil, `unknown option "rox"`},
	}
	for _, tc := range tests {
		t.Run(tc.opts, func(t *testing.T) {
			got, err := mapOptions(splitOptions(tc.opts), mountFlags)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			// Whatever it maps to parses as mount's flags.
			if err := commandFlags(command{name: "mount", run: runMount}).Parse(append(got, "/mnt")); err != nil {
				t.Errorf("mapped flags do not parse: %v", err)
			}
		})
	}
}

func TestParseHelperArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    helperArgs
		wantErr bool
	}{
		{[]string{"infomaniak", "/mnt", "-o", "ro,uid=1"}, helperArgs{"infomaniak", "/mnt", []string{"ro", "uid=1"}, false}, false},
		{[]string{"infomaniak", "/mnt", "-n", "-o", "rw", "-t", "fuse.infomaniakfs"}, helperArgs{"infomaniak", "/mnt", []string{"rw"}, false}, false},
		{[]string{"-f", "src", "/mnt", "-oro"}, helperArgs{"src", "/mnt", []string{"ro"}, true}, false},
		{[]string{"src", "/mnt"}, helperArgs{"src", "/mnt", nil, false}, false},
		{[]string{"src", "/mnt", "-o", `comment=a\,b,ro`}, helperArgs{"src", "/mnt", []string{"comment=a,b", "ro"}, false}, false},
		{[]string{"/mnt", "-o", "ro"}, helperArgs{}, true},
		{[]string{"src", "/mnt", "-o"}, helperArgs{}, true},
		{[]string{"src", "/mnt", "-N", "/proc/1/ns/mnt"}, helperArgs{}, true},
	}
	for _, tc := range tests {
		got, err := parseHelperArgs(tc.args)
		if (err != nil) != tc.wantErr || (!tc.wantErr && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%q: got %+v, %v; want %+v (err %v)", tc.args, got, err, tc.want, tc.wantErr)
		}
	}
	for name, want := range map[string]bool{"/sbin/mount.infomaniakfs": true, "mount.fuse.infomaniakfs": true, "infomaniakfs": false, "/sbin/mount.fuse": false} {
		if isMountHelper(name) != want {
			t.Errorf("isMountHelper(%q) = %v", name, !want)
		}
	}
}
