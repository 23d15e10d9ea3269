#!/usr/bin/env bash
# Without libpfm4 and libmicrohttpd (hidden by an overlay in a private mount
# namespace): every command still starts, since they are loaded at run time
# (core/dl-lib.c); stat counts perf's own events and -v says why libpfm4's
# are unknown; agent --metrics fails in one line naming the library and the
# package, exit 1.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (a mount namespace)"
need_cmd unshare
pfm=$(ldconfig -p | awk '$1 == "libpfm.so.4" { print $NF; exit }')
[ -n "$pfm" ] || skip "libpfm.so.4 is not installed: nothing to hide"
dir=$(dirname "$(readlink -f "$pfm")")
mkdir "$T/ov"

# without: run "$@" with libpfm.so.4 and libmicrohttpd.so.12 whited out of $dir
without() {
	unshare -m --propagation private bash -c '
		set -e
		mount -t tmpfs none "$1"
		mkdir "$1/up" "$1/work"
		mknod "$1/up/libpfm.so.4" c 0 0
		mknod "$1/up/libmicrohttpd.so.12" c 0 0
		mount -t overlay overlay -o "lowerdir=$2,upperdir=$1/up,workdir=$1/work" "$2"
		shift 2
		exec "$@"' without "$T/ov" "$dir" "$@"
}
without sh -c "! [ -e '$pfm' ] && ! [ -e '$dir/libmicrohttpd.so.12' ]" 2>/dev/null ||
	skip "cannot hide the libraries (no overlayfs or mount namespace here)"

without "$PS" --version >/dev/null 2>"$T/version.err" ||
	fail "--version does not start without the libraries: $(cat "$T/version.err")"

without "$PS" stat -v -e task-clock -o "$T/stat.txt" -- true 2>"$T/stat.err" ||
	fail "stat -e task-clock failed without libpfm4: $(cat "$T/stat.err")"
grep -q "task-clock" "$T/stat.txt" || fail "task-clock not counted: $(cat "$T/stat.txt")"
grep -q "debug: libpfm4 not loaded: libpfm.so.4: .*(apt install libpfm4)$" "$T/stat.err" ||
	fail "-v does not say why libpfm4 is not there: $(cat "$T/stat.err")"
"$PS" stat -v -e task-clock -o "$T/stat2.txt" -- true 2>"$T/stat2.err"
grep -q "libpfm4 not loaded" "$T/stat2.err" && fail "with libpfm4: $(cat "$T/stat2.err")"

# libpfm4's names are unknown, as when it does not initialise
without "$PS" stat -e INST_RETIRED -o "$T/x.txt" -- true 2>"$T/pfm.err"
rc=$?
[ $rc = 2 ] || fail "a libpfm4 event without libpfm4: want exit 2, got $rc: $(cat "$T/pfm.err")"
grep -q "unknown event 'INST_RETIRED'" "$T/pfm.err" || fail "$(cat "$T/pfm.err")"
without "$PS" stat --list >"$T/list.txt" 2>&1 || fail "stat --list failed: $(cat "$T/list.txt")"
grep -q "task-clock" "$T/list.txt" && grep -q "libpfm4 did not initialise" "$T/list.txt" ||
	fail "stat --list without libpfm4: $(tail -3 "$T/list.txt")"

# agent --metrics: one line, exit 1, before anything is attached (so before
# the port is bound: no port is taken)
sleep 60 &
BG_PIDS+=($!)
without "$PS" agent -p "$!" --dir "$T/agent" --metrics 127.0.0.1:19464 2>"$T/agent.err"
rc=$?
[ $rc = 1 ] || fail "agent --metrics without libmicrohttpd: want exit 1, got $rc"
[ "$(wc -l <"$T/agent.err")" = 1 ] || fail "not one line: $(cat "$T/agent.err")"
grep -q '^peerscope: agent: --metrics needs libmicrohttpd: libmicrohttpd.so.12: .*(apt install libmicrohttpd12)$' \
	"$T/agent.err" || fail "$(cat "$T/agent.err")"
exit 0
