GO ?= go
PKGS := ./...

.PHONY: all build test test-faults fuzz vet fmt demo bench bench-quick bench-desktop clean man completions install uninstall

all: build

build:
	$(GO) build -o bin/infomaniakfs ./cmd/infomaniakfs
	$(GO) build -o bin/infomaniak-emulator ./cmd/infomaniak-emulator

vet:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l .; exit 1)

test: vet
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	$(GO) test -count=1 -run 'Allocs' ./cache   # allocation counts mean nothing under -race

# An execution count, not a duration: Go 1.26's fuzz coordinator can fail a
# duration run at its deadline with no crasher (golang/go#75804).
FUZZTIME ?= 50000x

# The fault, hostile-input and security suite: real mounts driven by the
# emulator's knobs, and the clients' hostile-input tests. `make test` runs
# them too; this target runs them alone.
test-faults:
	$(GO) test -race -count=1 -timeout 10m -run 'TestFault|TestHostile|TestSecurity' ./e2e
	$(GO) test -race -count=1 -run 'TestHostile' ./remote/kdrive ./remote/mail

# Each fuzz target for FUZZTIME; their committed seeds also run in `make test`.
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeEnvelope$$' -fuzztime=$(FUZZTIME) ./remote
	$(GO) test -run='^$$' -fuzz='^FuzzParseEnvFile$$' -fuzztime=$(FUZZTIME) ./auth
	$(GO) test -run='^$$' -fuzz='^FuzzSafeName$$' -fuzztime=$(FUZZTIME) ./fs
	$(GO) test -run='^$$' -fuzz='^FuzzNamer$$' -fuzztime=$(FUZZTIME) ./fs
	$(GO) test -run='^$$' -fuzz='^FuzzMessageName$$' -fuzztime=$(FUZZTIME) ./fs

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin mnt man/infomaniakfs.1 dist/completions

# The man page and the completion scripts are generated from the commands'
# own flag sets, so they cannot drift from them.
man: build
	@mkdir -p man
	bin/infomaniakfs man > man/infomaniakfs.1

completions: build
	@mkdir -p dist/completions
	bin/infomaniakfs completion bash > dist/completions/infomaniakfs.bash
	bin/infomaniakfs completion zsh > dist/completions/_infomaniakfs
	bin/infomaniakfs completion fish > dist/completions/infomaniakfs.fish

# The main job on the embedded default: emulator + login + mount of sample data on ./mnt.
demo: build
	@mkdir -p mnt
	@if mountpoint -q mnt 2>/dev/null; then fusermount3 -u mnt 2>/dev/null || umount -l mnt; fi
	bin/infomaniakfs demo mnt

# Benchmarks are programs, not tests: infomaniakfs vs rclone mount vs direct
# HTTP vs local disk under a simulated WAN; writes bench/RESULTS.md. Needs root.
bench:
	$(GO) run ./bench

bench-quick:
	BENCH_QUICK=1 $(GO) run ./bench

# What opening a folder of 200 photos costs in PCManFM, Thunar and Nautilus
# under Xvfb, with and without --thumbnails. Installs them (apt-get); needs
# root. Not in CI.
bench-desktop:
	bench/desktop/run.sh

# Installs the binary, the systemd user unit template, the man page, the
# completions and the mount helpers. mount(8) looks for mount.TYPE only in
# /sbin (and /sbin/fs.d), whatever the prefix: hence SBINDIR. Packagers
# set DESTDIR (and PREFIX=/usr).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= /sbin
MANDIR ?= $(PREFIX)/share/man
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

install: build man completions
	install -Dm755 bin/infomaniakfs $(DESTDIR)$(BINDIR)/infomaniakfs
	install -d $(DESTDIR)$(USERUNITDIR)
	sed 's|/usr/local/bin/infomaniakfs|$(BINDIR)/infomaniakfs|' dist/systemd/infomaniakfs@.service > $(DESTDIR)$(USERUNITDIR)/infomaniakfs@.service
	chmod 644 $(DESTDIR)$(USERUNITDIR)/infomaniakfs@.service
	install -Dm644 man/infomaniakfs.1 $(DESTDIR)$(MANDIR)/man1/infomaniakfs.1
	install -Dm644 dist/completions/infomaniakfs.bash $(DESTDIR)$(BASHCOMPDIR)/infomaniakfs
	install -Dm644 dist/completions/_infomaniakfs $(DESTDIR)$(ZSHCOMPDIR)/_infomaniakfs
	install -Dm644 dist/completions/infomaniakfs.fish $(DESTDIR)$(FISHCOMPDIR)/infomaniakfs.fish
	install -d $(DESTDIR)$(SBINDIR)
	ln -sf $(BINDIR)/infomaniakfs $(DESTDIR)$(SBINDIR)/mount.infomaniakfs
	ln -sf $(BINDIR)/infomaniakfs $(DESTDIR)$(SBINDIR)/mount.fuse.infomaniakfs

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/infomaniakfs $(DESTDIR)$(USERUNITDIR)/infomaniakfs@.service \
		$(DESTDIR)$(MANDIR)/man1/infomaniakfs.1 $(DESTDIR)$(BASHCOMPDIR)/infomaniakfs \
		$(DESTDIR)$(ZSHCOMPDIR)/_infomaniakfs $(DESTDIR)$(FISHCOMPDIR)/infomaniakfs.fish \
		$(DESTDIR)$(SBINDIR)/mount.infomaniakfs $(DESTDIR)$(SBINDIR)/mount.fuse.infomaniakfs
