#!/usr/bin/env bash
# The kernel peer table keeps the top peers by cost (docs/peers.md, "Bounded
# peers"), known answer with more peers than slots: a UDP receiver handles
# every datagram alike (the same busy work); 200 light senders start and
# fill the table, then 3 heavy senders send 20 % of the datagrams each and
# the light ones the other 40 %, through a table of 8 slots
# (PEERSCOPE_PEER_SLOTS=8; first come, first served would name none of the
# heavy ones).  Then:
#  - the 3 heavy senders are the 3 top peers by CPU, each named by address,
#    each with a CPU share within 5 percentage points of its share of the
#    datagrams (the sender's own count); the light ones are mostly "other peers";
#  - the peertable record says the table was full and evicted, and its
#    largest overestimate is within space-saving's bound (total cost / slots).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sock-lib.sh"
need_sock
need_cmd python3

port=$(pick_port)
cat >"$T/recv.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)	# a lost "stop" (a full buffer on a busy host) ends it too
open(sys.argv[2], "w").close()
while True:
    try:
        data, addr = s.recvfrom(64)
    except socket.timeout:
        break
    if data == b"stop":
        break
    end = time.perf_counter() + 0.0002	# every datagram costs the same
    while time.perf_counter() < end:
        pass
PY
cat >"$T/send.py" <<'PY'
import json, random, socket, sys, time
port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def sock(ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    return s
heavy = [sock("127.0.0.%d" % (2 + i)) for i in range(3)]
light = [sock("127.0.1.%d" % (1 + i)) for i in range(200)]
rng = random.Random(1)
sent = {}
for k in range(n):
    r = rng.random() if k >= 1500 else 1	# the light ones fill the table first
    s = heavy[int(r / 0.2)] if r < 0.6 else light[rng.randrange(len(light))]
    s.sendto(b"x" * 32, ("127.0.0.1", port))
    a = "%s:%d" % s.getsockname()
    sent[a] = sent.get(a, 0) + 1
    if k % 20 == 19:
        time.sleep(0.008)	# about 2,000 datagrams/s: the receiver keeps up
for _ in range(5):	# datagrams can be dropped when the receiver falls behind
    heavy[0].sendto(b"stop", ("127.0.0.1", port))
    time.sleep(0.05)
json.dump({"heavy": ["%s:%d" % h.getsockname() for h in heavy], "sent": sent, "n": n}, open(out, "w"))
PY

python3 "$T/recv.py" "$port" "$T/ready" &
rpid=$!
BG_PIDS+=("$rpid")
wait_file "$T/ready" 10 || true
[ -e "$T/ready" ] || fail "receiver did not start"
PEERSCOPE_PEER_SLOTS=8 "$PS" record -v -p "$rpid" -F 999 -c cpu,sock -o "$T/t.pb.gz" 2>"$T/rec.err" &
rec=$!
BG_PIDS+=("$rec")
for _ in $(seq 100); do grep -q "attached" "$T/rec.err" && break; sleep 0.1; done
grep -q "attached" "$T/rec.err" || fail "record did not attach: $(tail -3 "$T/rec.err")"
python3 "$T/send.py" "$port" 10000 "$T/sent.json" || fail "sender failed"
wait "$rpid" || fail "receiver failed"
wait "$rec" || fail "record failed: $(tail -3 "$T/rec.err")"

"$PS" report "$T/t.pb.gz" --peers --json >"$T/rep.json" || fail "report --peers failed"
# the path with the most tagged CPU (the receiver has no path rules: "other")
jq '.peers.paths[0]' "$T/rep.json" >"$T/path.json"
for i in 0 1 2; do
	h=$(jq -r ".heavy[$i]" "$T/sent.json")
	want=$(jq -r --arg h "$h" '100 * .sent[$h] / .n' "$T/sent.json")
	got=$(jq -r --arg h "$h" '[.peers[] | select(.peer == $h) | .cpu_share][0] // "none"' "$T/path.json")
	rank=$(jq -r --arg h "$h" '[.peers[] | select(.peer != "other peers") | .peer] | index($h) // "none"' "$T/path.json")
	[ "$got" != none ] || fail "heavy peer $h not named: $(jq -c '[.peers[] | [.peer, .cpu_share]]' "$T/path.json")"
	[ "$rank" != none ] && [ "$rank" -lt 3 ] || fail "heavy peer $h is not among the top 3 named peers (rank $rank)"
	assert_between "$got" "$(awk -v w="$want" 'BEGIN { print w - 5 }')" "$(awk -v w="$want" 'BEGIN { print w + 5 }')" \
		"heavy peer $h: CPU share (sent $want % of the datagrams)"
	note "heavy peer $h: $got % of the tagged CPU, $want % of the datagrams"
done
other=$(jq -r '[.peers[] | select(.peer == "other peers") | .cpu_share][0] // 0' "$T/path.json")
want=$(jq -r '. as $d | 100 - 100 * ([$d.heavy[] | $d.sent[.]] | add) / $d.n' "$T/sent.json")
note "other peers: $other % of the tagged CPU (the light senders sent $want %)"
assert_between "$other" "$(awk -v w="$want" 'BEGIN { print w - 15 }')" "$(awk -v w="$want" 'BEGIN { print w + 5 }')" "other peers' CPU share"

zcat "$T/t.pb.gz" | grep -aq 'peerscope:peertable slots=8 named=8 ' || fail "no peertable record (8 slots, all named) in the recording"
# record -v: "sock: peer table: 8 of 8 slots named, I peers inserted, E evicted,
# total cost C, largest overestimate X, ..."
line=$(grep -o 'peer table: .*' "$T/rec.err")
note "$line"
read -r named slots inserted evicted cost maxerr < <(echo "$line" | tr -dc '0-9 \n' | awk '{ print $1, $2, $3, $4, $5, $6 }')
[ "$named" = 8 ] && [ "$slots" = 8 ] || fail "peer table: want 8 slots all named: $line"
[ "$inserted" -gt 200 ] && [ "$evicted" -gt 100 ] || fail "peer table did not evict: $line"
[ "$maxerr" -le $((cost / slots)) ] || fail "largest overestimate above total cost / slots: $line"
exit 0
