#!/usr/bin/env bash
# test-lock: none
# Every BPF program times itself (PS_RUN, docs/design.md): the run time in a
# recording's cost line and stats records is the sum of what the programs
# measured, so a program left out is cost nobody sees.  Each SEC() program
# of bpf/*.bpf.c must wrap its body in PS_RUN, except alloc_calib, the stub
# that measures a uprobe hit before recording starts.
# Needs no root and builds nothing.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || fail "cannot cd to $ROOT"

untimed=$(awk '
	/^SEC\("/ && !/"license"|"\.maps"/ { prog = FILENAME ": " $0; inprog = 1; body = ""; next }
	inprog { body = body $0 "\n" }
	inprog && /^}/ {
		inprog = 0
		if (body !~ /PS_RUN\(/ && body !~ /^int alloc_calib\(/)
			print prog " " substr(body, 1, index(body, "\n") - 1)
	}' bpf/*.bpf.c)
progs=$(grep -c '^SEC("' bpf/*.bpf.c | awk -F: '{ s += $2 } END { print s }')
note "$progs SEC() entries in bpf/*.bpf.c (license and map sections included)"
[ "$progs" -gt 30 ] || fail "found only $progs SEC() entries: the parse is wrong"
[ -z "$untimed" ] || fail "programs that do not time themselves with PS_RUN: $untimed"
exit 0
