#!/usr/bin/env bash
# 2000 one-byte writes next to 8 bulk writes: the report names the function
# doing the tiny writes as a syscall storm, and not the bulk writer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock

rec "$T/storm.pb.gz" "$PROGS/net_storm" "$T/go" "$(pick_port)"
net_json "$T/storm.pb.gz" >"$T/storm.json"
jq -e '[.storms[] | select(.dir == "tx" and .function == "tiny_writes" and .messages == 2000 and .avg_bytes == 1)] | length == 1' \
	"$T/storm.json" >/dev/null || fail "tiny_writes not reported as a write storm: $(jq -c '.storms' "$T/storm.json")"
jq -e '[.storms[] | select(.function == "bulk_writes")] | length == 0' "$T/storm.json" >/dev/null ||
	fail "bulk_writes reported as a storm"
"$PS" report "$T/storm.pb.gz" --net | grep -A3 "Syscall storms" | grep -q tiny_writes ||
	fail "text report does not name tiny_writes under Syscall storms"
exit 0
