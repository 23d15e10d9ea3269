# shellcheck shell=bash
# Helpers of the rough-handling tests (test_record_fork_storm, _exec,
# _thread_churn, _exit_attach): reading a recording with Go's pprof.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$PS" ] || skip "no $PS (run make)"
[ -x "$PROGS/rough" ] || skip "no $PROGS/rough (run make)"
[ -x "$PPROF" ] || skip "no pprof at $PPROF (make deps)"

# cum_pct FILE NAME: NAME's cumulative share of the samples, percent (0 if absent)
cum_pct() {
	"$PPROF" -top -cum -sample_index=samples -symbolize=none -nodecount=500 "$1" 2>/dev/null |
		awk -v n="$2" '$NF == n { sub("%", "", $5); v = $5 } END { print v + 0 }'
}

# total FILE: samples in FILE
total() {
	"$PPROF" -top -sample_index=samples -symbolize=none "$1" 2>/dev/null |
		sed -n 's/.* of \([0-9]*\) total.*/\1/p'
}

# map_full FILE: map_full summed over the stats records of every collector
map_full() {
	"$PPROF" -raw "$1" 2>/dev/null |
		awk '/peerscope:stats / { for (i = 2; i <= NF; i++) if ($i ~ /^map_full=/) { sub("map_full=", "", $i); s += $i } }
		     END { print s + 0 }'
}
