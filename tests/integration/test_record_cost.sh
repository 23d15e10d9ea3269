#!/usr/bin/env bash
# record stores what it cost and report prints it: the overhead record's
# process CPU and peak memory agree with /usr/bin/time's view of the same
# record process (measured from outside), its BPF map memory with what
# record -v printed from fdinfo, and the report's header has the cost line.
# BPF run time is measured by the programs themselves: it is there, and
# the kernel-wide BPF statistics stay off while recording.  A map the
# work does not need (requests, without transaction rules) is not sized.
# The record process reads its own rusage just before writing the file, so
# its CPU may trail /usr/bin/time's by the write and exit (a few ms).
. "$(dirname "$0")/lib.sh"
need_root
[ -x /usr/bin/time ] || skip "needs /usr/bin/time"

bg "$PROGS/hot" -d 30
hot=$!
sleep 0.5

/usr/bin/time -f "%U %S %M" -o "$T/time" \
	"$PS" record -v -p "$hot" -d 4 -o "$T/r.pb.gz" 2>"$T/err" &
rec=$!
# The programs time themselves: the kernel's own counts of our programs
# stay 0 (they count only while kernel BPF statistics are on), unless
# someone switched those on for the machine.
# run_cnt of every BPF program the record process holds (fdinfo of its fds)
prog_runs() {
	cat /proc/"${ps_pid:-0}"/fdinfo/* 2>/dev/null | awk '
		/^prog_id:/ { progs++ } /^run_cnt:/ { runs += $2 } END { if (progs) print runs + 0 }'
}
stats_sysctl=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 1)
for _ in $(seq 50); do	# attached within a second; the first record after a build makes CO-RE BTF
	ps_pid=$(pgrep -P "$rec" -x peerscope)
	grep -q "attached" "$T/err" 2>/dev/null && [ -n "$(prog_runs)" ] && break
	sleep 0.1
done
sleep 1	# samples, switches and syscalls in every program
kernel_runs=$(prog_runs)
# maps sized to the work: no rule names a transaction id, so the request
# table (an LRU, preallocated whole) has one entry, not 16384
map_ids=$(cat /proc/"${ps_pid:-0}"/fdinfo/* 2>/dev/null | awk '/^map_id:/ { print $2 }' | sort -u | tr '\n' ' ')
reqs_entries=$(bpftool -j map show 2>/dev/null | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1].split())
print(" ".join(str(m["max_entries"]) for m in json.load(sys.stdin)
               if m.get("name") == "reqs" and m.get("id") in ids))' "$map_ids")
wait $rec || fail "record failed: $(tail -1 "$T/err")"
note "kernel-counted runs of its programs while recording: ${kernel_runs:-?}"
[ -n "$kernel_runs" ] || fail "no BPF program in the fds of the record process ${ps_pid:-?}"
[ "$stats_sysctl" = 1 ] || [ "$kernel_runs" = 0 ] || fail "kernel BPF statistics were on while recording"
note "request table of the sock collector: ${reqs_entries:-?} entries"
[ "$reqs_entries" = 1 ] || fail "the sock collector's request table has ${reqs_entries:-no} entries without transaction rules"

# the overhead record, as report --format json shows it
"$PS" report --format json "$T/r.pb.gz" >"$T/r.json" 2>"$T/rerr" || fail "report failed: $(cat "$T/rerr")"
read -r user_ns sys_ns rss_kb map_bytes attach_ns bpf_ns < <(python3 - "$T/r.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["meta"]["cost"]
print(c["user_ns"], c["sys_ns"], c["peak_rss_kb"], c["bpf_map_bytes"], c["attach_ns"], c["bpf_run_ns"])
PY
) || fail "no meta.cost in the report's JSON"
read -r t_user t_sys t_rss <"$T/time"

in_cpu=$(awk -v u="$user_ns" -v s="$sys_ns" 'BEGIN { printf "%.3f", (u + s) / 1e9 }')
out_cpu=$(awk -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.3f", u + s }')
note "CPU: recorded $in_cpu s, /usr/bin/time $out_cpu s; peak RSS recorded $rss_kb KiB, /usr/bin/time $t_rss KiB"
# rusage ticks are 10 ms; the write and exit come after the reading
assert_between "$in_cpu" "$(awk -v o="$out_cpu" 'BEGIN { print o * 0.8 - 0.03 }')" \
	"$(awk -v o="$out_cpu" 'BEGIN { print o + 0.03 }')" "recorded CPU vs /usr/bin/time"
assert_between "$rss_kb" "$(awk -v r="$t_rss" 'BEGIN { print r * 0.8 }')" "$t_rss" \
	"recorded peak RSS vs /usr/bin/time"

# ~400 samples of a busy target, each a program run of a few microseconds
note "BPF run time recorded: $bpf_ns ns"
assert_between "$bpf_ns" 100000 1000000000 "recorded BPF run time (ns)"
cpu_runs=$(sed -n 's/.*debug: cpu: .* bpf [0-9.]* ms in \([0-9]*\) runs.*/\1/p' "$T/err")
assert_between "${cpu_runs:-0}" 300 100000 "cpu program runs counted"

mib=$(sed -n 's/.*BPF maps: [0-9]*, \([0-9.]*\) MiB.*/\1/p' "$T/err")
[ -n "$mib" ] || fail "record -v printed no BPF map memory"
note "BPF maps: recorded $map_bytes bytes, record -v said $mib MiB after attach"
assert_between "$(awk -v b="$map_bytes" 'BEGIN { print b / 1048576 }')" \
	"$(awk -v m="$mib" 'BEGIN { print m * 0.9 }')" "$(awk -v m="$mib" 'BEGIN { print m * 1.1 + 1 }')" \
	"recorded BPF map memory vs record -v"
attach_ms=$(sed -n 's/.*attached .* in \([0-9.]*\) ms.*/\1/p' "$T/err")
assert_between "$(awk -v a="$attach_ns" 'BEGIN { print a / 1e6 }')" \
	"$(awk -v a="$attach_ms" 'BEGIN { print a - 1 }')" "$(awk -v a="$attach_ms" 'BEGIN { print a + 1 }')" \
	"recorded attach time vs record -v"

"$PS" report "$T/r.pb.gz" >"$T/r.txt" 2>&1 || fail "report failed"
grep -q "^  cost  *[0-9.]* [mu]*s CPU (.* % of one CPU): user .*, sys .*, BPF .*; attach .*; peak memory " "$T/r.txt" ||
	fail "no cost line in the report header: $(sed -n 1,14p "$T/r.txt" | tr '\n' '|')"
exit 0
