#!/usr/bin/env bash
# test-lock: none
# The flame graph SVG works in a real browser: headless Chromium loads it,
# the SVG's own test hook (?fgtest=1, see reports/flame-svg.h) clicks a frame
# to zoom, clicks Reset Zoom, searches, and writes the resulting state into
# the DOM, which --dump-dom prints and tests/flame/check_state.py checks.
. "$(dirname "$0")/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || skip "needs chromium (apt-get install chromium)"
need_cmd python3
[ -x "$PS" ] || fail "no $PS (run make first)"

python3 "$ROOT/tests/flame/gen_folded.py" small > "$T/in.folded" || fail "generator failed"
"$PS" flame "$T/in.folded" -o "$T/flame.svg" || fail "peerscope flame failed"

# dump QUERY: the DOM after the SVG's script ran with ?fgtest=1&QUERY
dump() {
	local prof
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --disable-dev-shm-usage --user-data-dir="$prof" \
		--virtual-time-budget=5000 --dump-dom "file://$T/flame.svg?fgtest=1&$1" \
		2>"$T/chrome.err"
}

check() {
	local query=$1 mode=$2 out
	out=$(dump "$query") || { tail -n 5 "$T/chrome.err" >&2; fail "chromium failed on ?$query"; }
	printf '%s' "$out" | python3 "$ROOT/tests/flame/check_state.py" "$mode" ||
		fail "?$query: state not as expected ($mode)"
	note "ok: ?$query -> $mode"
}

check "" plain
check "z=gossip" zoom
check "z=gossip&u=1" unzoom
# hash: 35 under dht_lookup + 10 under gossip
check "s=hash" "search:45:2"
# main contains loop, which contains everything but idle: counted once, 100 %
check "s=%5E(main%7Cloop)%24" "search:100:2"
# a name with < > & " in it, found through the escaped SVG text
check "s=%3CK%2C%20V%26%3E" "search:5:1"
# an invalid regex falls back to a substring search
check "s=find(%22x" "search:5:1"
# search and zoom together
check "z=gossip&s=hash" "search:45:2"
exit 0
