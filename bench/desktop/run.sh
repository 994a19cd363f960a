#!/usr/bin/env bash
# make bench-desktop: what opening a folder of photos in a file manager
# costs, without and with --thumbnails. Not in CI: it installs (apt-get)
# Xvfb and the file managers, and needs root (FUSE, apt).
#
# For each file manager found (PCManFM, Thunar with tumblerd, Nautilus),
# twice (plain, then --thumbnails): a fresh mount of the emulator serving
# one folder of PHOTOS real JPEGs of SIZE bytes each, over a simulated
# WAN (LATENCY per request, BANDWIDTH for all bodies), a fresh home (empty
# thumbnail cache), the file manager opened on the folder under Xvfb for
# WAIT seconds; then the emulator's request counters and the daemon's
# fetched bytes (/metrics) for that run.
#
#   sudo bench/desktop/run.sh            # or: make bench-desktop
#   FMS="thunar" WAIT=60 bench/desktop/run.sh
set -euo pipefail

PHOTOS=${PHOTOS:-200}
SIZE=${SIZE:-2642412} # 200 × 2.52 MiB = 504 MiB
WAIT=${WAIT:-30}
LATENCY=${LATENCY:-20ms}
BANDWIDTH=${BANDWIDTH:-100MiB}
FMS=${FMS:-"pcmanfm thunar nautilus"}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/infomaniakfs-desktop.XXXXXX)
EMU_PORT=${EMU_PORT:-18931}
METRICS_PORT=${METRICS_PORT:-18932}
EMU=http://127.0.0.1:$EMU_PORT
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for m in "$WORK"/mnt-*; do fusermount3 -uz "$m" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ "${NO_INSTALL:-}" != 1 ]; then
	export DEBIAN_FRONTEND=noninteractive
	# One package at a time: one missing from the distribution is skipped.
	for p in xvfb xauth dbus dbus-x11 pcmanfm thunar tumbler nautilus; do
		apt-get install -y --no-install-recommends "$p" >/dev/null 2>&1 || echo "bench-desktop: $p cannot be installed; skipped" >&2
	done
fi
command -v xvfb-run >/dev/null || { echo "bench-desktop: xvfb-run is missing" >&2; exit 1; }

echo "building..." >&2
(cd "$ROOT" && go build -o "$WORK/infomaniakfs" ./cmd/infomaniakfs && go build -o "$WORK/emulator" ./cmd/infomaniak-emulator)
echo "writing $PHOTOS photos of $SIZE bytes..." >&2
(cd "$ROOT" && go run ./bench/desktop/photos "$WORK/data/kdrive/Photos/Holiday" "$PHOTOS" "$SIZE")

"$WORK/emulator" --addr 127.0.0.1:$EMU_PORT --data "$WORK/data" --latency "$LATENCY" \
	--bandwidth "$BANDWIDTH" --print-token >"$WORK/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^token: ' "$WORK/emulator.log" 2>/dev/null && break; sleep 0.1; done
TOKEN=$(sed -n 's/^token: //p' "$WORK/emulator.log")
[ -n "$TOKEN" ] || { cat "$WORK/emulator.log" >&2; exit 1; }

# counter NAME: one endpoint's requests so far ("total" for all).
counter() {
	curl -s "$EMU/_emulator/counters" | python3 -c '
import json, sys
c = json.load(sys.stdin)
name = sys.argv[1]
print(c["total"] if name == "total" else sum(v for k, v in c["endpoints"].items() if k in name.split(",")))' "$1"
}

# fetched: the daemon's response body bytes so far.
fetched() {
	curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | sed -n 's/^infomaniakfs_fetched_bytes_total //p'
}

run() { # run FM MODE
	local fm=$1 mode=$2 home mnt args=() daemon viewer
	home=$WORK/home-$fm-$mode
	mnt=$WORK/mnt-$fm-$mode
	mkdir -p "$home/.cache" "$home/run" "$mnt"
	chmod 700 "$home/run"
	[ "$mode" = thumbnails ] && args=(--thumbnails)
	HOME=$home XDG_CACHE_HOME=$home/.cache XDG_RUNTIME_DIR=$home/run INFOMANIAK_TOKEN=$TOKEN \
		"$WORK/infomaniakfs" mount "$mnt" --config-dir "$home/cfg" --cache-dir "$home/.cache/infomaniakfs" \
		--api-url "$EMU" --mail-url "$EMU" --login-url "$EMU" --metrics-addr 127.0.0.1:$METRICS_PORT \
		"${args[@]}" >"$home/daemon.log" 2>&1 &
	daemon=$!
	for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.1; done
	mountpoint -q "$mnt" || { cat "$home/daemon.log" >&2; return 1; }
	local req0 dl0 th0 by0
	req0=$(counter total) dl0=$(counter download,content) th0=$(counter thumbnail) by0=$(fetched)
	HOME=$home XDG_CACHE_HOME=$home/.cache XDG_CONFIG_HOME=$home/.config XDG_RUNTIME_DIR=$home/run \
		NO_AT_BRIDGE=1 GTK_A11Y=none setsid dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1000x24" \
		"$fm" "$mnt/kDrive/Photos/Holiday" >"$home/$fm.log" 2>&1 &
	viewer=$!
	sleep "$WAIT"
	local req dl th by
	req=$(($(counter total) - req0)) dl=$(($(counter download,content) - dl0))
	th=$(($(counter thumbnail) - th0)) by=$(($(fetched) - by0))
	kill -- -"$viewer" 2>/dev/null || kill "$viewer" 2>/dev/null || true
	wait "$viewer" 2>/dev/null || true
	kill -INT "$daemon"
	wait "$daemon" || true
	printf '| %s | %s | %d | %d | %d | %.1f MiB | %.1f%% |\n' "$fm" "$mode" "$req" "$dl" "$th" \
		"$(echo "$by / 1048576" | bc -l)" "$(echo "100 * $by / ($PHOTOS * $SIZE)" | bc -l)"
}

echo
echo "Folder of $PHOTOS photos ($(echo "$PHOTOS * $SIZE / 1048576" | bc) MiB), $LATENCY per request, $BANDWIDTH/s, ${WAIT}s after opening:"
echo
echo "| file manager | mount | requests | downloads | thumbnails | fetched | of the folder |"
echo "|---|---|---|---|---|---|---|"
for fm in $FMS; do
	if ! command -v "$fm" >/dev/null; then
		echo "| $fm | not installed | | | | | |"
		continue
	fi
	for mode in plain thumbnails; do
		run "$fm" "$mode" || echo "| $fm | $mode | failed | | | | |"
	done
done
