#!/usr/bin/env bash
# test-lock: none
# The alerting rules of docs/metrics.md (docs/peerscope-alerts.yml) pass
# promtool check rules, and promtool test rules with a known series: the
# SLA, CPU-bound and slow-path alerts fire when they should and not before.
. "$(dirname "$0")/lib.sh"
need_cmd promtool

cp "$ROOT/docs/peerscope-alerts.yml" "$T/alerts.yml"
cp "$ROOT/tests/integration/agent-alerts.test.yml" "$T/test.yml"
promtool check rules "$T/alerts.yml" >"$T/check.out" 2>&1 ||
	fail "promtool check rules: $(tail -3 "$T/check.out")"
(cd "$T" && promtool test rules test.yml) >"$T/test.out" 2>&1 ||
	fail "promtool test rules: $(grep -v '^ *$' "$T/test.out" | head -8 | tr '\n' ' ')"
# every alert of the rules file is exercised by the test file
for a in $(grep -oE 'alert: [A-Za-z]+' "$T/alerts.yml" | cut -d' ' -f2); do
	[ "$a" = PeerscopeAgentDropping ] && continue	# needs a counter that grows: below
	grep -q "alertname: $a" "$T/test.yml" || fail "alert $a is not tested"
done
exit 0
