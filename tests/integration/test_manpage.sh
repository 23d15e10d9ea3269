#!/usr/bin/env bash
# test-lock: none
# The man page (docs/peerscope.1): renders without one groff warning, names
# every long option that 'peerscope <cmd> --help' prints in that command's
# subsection (so the page cannot drift from --help), and 'make install' puts
# it where 'man peerscope' (which the main --help promises) finds it.
# Needs no root; builds nothing (make install -o BIN installs what is built).
. "$(dirname "$0")/lib.sh"
need_cmd groff
need_cmd man
need_cmd make

PAGE=$ROOT/docs/peerscope.1
CMDS="record report flame diff stat rules agent"
[ -r "$PAGE" ] || fail "no man page $PAGE"
[ -x "$PS" ] || fail "no $PS (build it first: make BUILD=$BUILD)"
export LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat MANWIDTH=80
unset MANPATH MANOPT

# render FILE > text: man -l with groff's warnings on; formatting stripped
# and hyphen/minus glyphs folded to '-' so options read as typed.
render() {
	man --warnings=w -l "$1" 2>"$T/render.err" | sed 's/.\x08//g; s/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g'
}

# --- 1. no warning from groff, nor from man -l ---------------------------
groff -man -ww -z -Tutf8 "$PAGE" 2>"$T/groff.err" || fail "groff failed on $PAGE"
[ ! -s "$T/groff.err" ] || fail "groff warns: $(head -n 3 "$T/groff.err" | tr '\n' ' ')"
render "$PAGE" >"$T/page.txt"
[ ! -s "$T/render.err" ] || fail "man -l warns: $(head -n 3 "$T/render.err" | tr '\n' ' ')"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS COLLECTORS "PATH RULES" "EXIT STATUS" \
	ENVIRONMENT FILES NOTES EXAMPLES "SEE ALSO"; do
	grep -q "^$sec\$" "$T/page.txt" || fail "section $sec missing from the rendered page"
done
lines=$(wc -l <"$T/page.txt")
[ "$lines" -gt 300 ] || fail "rendered page is only $lines lines"

# --- 2. every long option of every --help is in its subsection -----------
# A subsection starts at its heading "   peerscope CMD ..." and ends at the
# next subsection or section heading.
subsection() {
	awk -v c="$1" '
		/^[A-Z]/ { on = 0 }
		/^   [^ ]/ { on = ($1 == "peerscope" && $2 == c) }
		on' "$T/page.txt"
}
checked=0
for cmd in $CMDS; do
	"$PS" "$cmd" --help >"$T/help.$cmd" 2>&1 || fail "peerscope $cmd --help: exit $?"
	subsection "$cmd" >"$T/sub.$cmd"
	[ -s "$T/sub.$cmd" ] || fail "no subsection 'peerscope $cmd' under COMMANDS"
	sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' "$T/page.txt" | grep -q "peerscope $cmd " ||
		fail "SYNOPSIS lacks peerscope $cmd"
	opts=$(grep -oE -- '--[a-z][a-z0-9-]*' "$T/help.$cmd" | sort -u)
	[ -n "$opts" ] || fail "peerscope $cmd --help lists no long option"
	for o in $opts; do
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$T/sub.$cmd" ||
			fail "$o (from 'peerscope $cmd --help') is not in the man page's 'peerscope $cmd' subsection"
		checked=$((checked + 1))
	done
done
[ "$checked" -ge 60 ] || fail "only $checked options checked: --help parsing broke?"
note "$checked long options of the --help texts of: $CMDS"
# Exit codes of docs/conventions.md.
for code in 0 1 2 3 4; do
	sed -n '/^EXIT STATUS/,/^[A-Z][A-Z]*$/p' "$T/page.txt" | grep -qE "^       $code( |\$)" ||
		fail "EXIT STATUS does not list $code"
done

# --- 3. make install puts the binary and the page in place ----------------
case $BUILD in "$ROOT"/*) rel=${BUILD#"$ROOT"/} ;; *) rel=$BUILD ;; esac
check_install() {	# check_install ROOT_OF_INSTALL WHAT
	local bin=$1/bin/peerscope man1=$1/share/man/man1/peerscope.1
	[ -x "$bin" ] || fail "$2: no executable $bin"
	[ -f "$man1" ] || fail "$2: no $man1"
	cmp -s "$man1" "$PAGE" || fail "$2: $man1 differs from docs/peerscope.1"
	"$bin" --help >/dev/null || fail "$2: installed $bin --help failed"
	render "$man1" >"$T/installed.txt"
	grep -q "peerscope record" "$T/installed.txt" ||
		fail "$2: man -l $man1 does not show 'peerscope record'"
}
# -o: take the binary as built, never rebuild it here.
make -C "$ROOT" --no-print-directory -o "$rel/peerscope" install BUILD="$rel" \
	PREFIX="$T/prefix" >"$T/make.log" 2>&1 ||
	fail "make install PREFIX=$T/prefix failed: $(tail -n 3 "$T/make.log" | tr '\n' ' ')"
check_install "$T/prefix" "make install PREFIX"
make -C "$ROOT" --no-print-directory -o "$rel/peerscope" install BUILD="$rel" \
	DESTDIR="$T/dest" PREFIX=/usr/local >"$T/make.log" 2>&1 ||
	fail "make install DESTDIR=$T/dest failed: $(tail -n 3 "$T/make.log" | tr '\n' ' ')"
check_install "$T/dest/usr/local" "make install DESTDIR"

# The main --help sends readers to 'man peerscope': with the installed bin
# directory on PATH, man must find the installed page by that name.
"$PS" --help >"$T/help.main" || fail "peerscope --help: exit $?"
if grep -q "man peerscope" "$T/help.main"; then
	found=$(PATH="$T/prefix/bin:$PATH" man -w peerscope 2>&1)
	[ "$found" = "$T/prefix/share/man/man1/peerscope.1" ] ||
		fail "--help says 'man peerscope' but after install man finds '$found'"
	PATH="$T/prefix/bin:$PATH" man peerscope 2>/dev/null | grep -q "peerscope record" ||
		fail "--help says 'man peerscope' but 'man peerscope' does not show the page"
fi
exit 0
