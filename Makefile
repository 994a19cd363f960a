GO ?= go
PKGS := ./...

.PHONY: all build test test-faults fuzz vet fmt demo bench bench-quick clean man completions install

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
