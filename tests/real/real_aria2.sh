#!/usr/bin/env bash
# aria2c (C++; its own Mainline DHT, aria2::DHT* classes; Debian's binary
# keeps its dynamic C++ symbols): four clients look for a magnet link's
# peers through each other's DHT; one is recorded idle, then flooded with
# DHT queries (mdht-flood.js) and recorded again; perf is the yardstick.
. "$(dirname "$0")/lib.sh"
need_root
need_deb aria2 aria2c
need_deb nodejs node
SECS=${REAL_SECS:-10}
N=4 PORT0=6880
ns_start
ns_addr 200
magnet="magnet:?xt=urn:btih:$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"
for i in $(seq 1 $N); do
	ns_addr "$i"
	mkdir -p "$T/a$i"
	ep=$((i == 1 ? 2 : 1))
	# no LPD (multicast), no PEX, IPv4 DHT only, stops by itself (--stop)
	ns_bg aria2c --quiet=true --dir="$T/a$i" --enable-dht=true --enable-dht6=false \
		--dht-listen-port=$((PORT0 + i)) --dht-entry-point=10.77.0.$ep:$((PORT0 + ep)) \
		--dht-file-path="$T/a$i/dht.dat" --listen-port=$((6900 + i)) --interface=10.77.0.$i \
		--bt-enable-lpd=false --enable-peer-exchange=false --follow-torrent=mem \
		--stop=$((SECS * 3 + 60)) "$magnet"
	[ "$i" = 1 ] && pid=$!
done
for i in $(seq 1 $N); do wait_port $((PORT0 + i)) || fail "aria2c $i did not bind its DHT port"; done
sleep 3
ns_check
RULES=${REAL_RULES:-aria2}
assert_guess "$pid" aria2 short

mdht_idle_then_flood "$pid" "$RULES" 10.77.0.1:$((PORT0 + 1)) 10.77.0.200
assert_verdict "DHT flood" dht full cpu
# long C++ names hide whole stacks in the text report (1-7 % lines of "..."):
# that depends on which stacks come out on top, so full suite only
assert_stacks full
real_finish
