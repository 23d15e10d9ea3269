#!/usr/bin/env bash
# syncthing (Go; Debian's build, every Go frame named from gopclntab): three
# devices share one folder over BEP (TLS on 127.0.0.1) with discovery,
# relays, NAT traversal, usage and crash reports off; files keep being
# written on device 2, so device 1 (recorded) exchanges indexes and pulls
# blocks.  The yardstick is Go's own pprof (STPROFILER) over the same seconds.
# The folder is rescanned every 5 s as well as watched: if the watcher cannot
# start (inotify limits on a crowded host), changes must still be seen.
. "$(dirname "$0")/lib.sh"
need_root
need_deb syncthing syncthing
need_deb curl curl
# 30 s: syncthing's STPROFILER samples at Go's fixed 100 Hz, and at 0.1 CPUs
# 10 s gave 80 samples, so a 10 % share moved by 3.5 pp from sampling alone
SECS=${REAL_SECS:-30}
N=3
ns_start
for i in $(seq 1 $N); do
	syncthing generate --home="$T/s$i" --no-default-folder >/dev/null 2>&1 || fail "syncthing generate failed"
	id[$i]=$(syncthing --home="$T/s$i" --device-id 2>/dev/null | tail -n 1)
	mkdir -p "$T/s$i/data"
done
for i in $(seq 1 $N); do
	{
		echo '<configuration version="36">'
		echo "<folder id=\"peerscope\" label=\"peerscope\" path=\"$T/s$i/data\" type=\"sendreceive\" rescanIntervalS=\"5\" fsWatcherEnabled=\"true\" fsWatcherDelayS=\"1\">"
		for j in $(seq 1 $N); do echo "<device id=\"${id[$j]}\"></device>"; done
		echo '</folder>'
		for j in $(seq 1 $N); do
			echo "<device id=\"${id[$j]}\" name=\"n$j\" compression=\"metadata\"><address>tcp://127.0.0.1:$((22000 + j))</address></device>"
		done
		echo "<gui enabled=\"true\" tls=\"false\"><address>127.0.0.1:$((8380 + i))</address><apikey>peerscope</apikey></gui>"
		cat <<X
<options><listenAddress>tcp://127.0.0.1:$((22000 + i))</listenAddress>
<globalAnnounceEnabled>false</globalAnnounceEnabled><localAnnounceEnabled>false</localAnnounceEnabled>
<relaysEnabled>false</relaysEnabled><natEnabled>false</natEnabled><urAccepted>-1</urAccepted>
<autoUpgradeIntervalH>0</autoUpgradeIntervalH><startBrowser>false</startBrowser>
<crashReportingEnabled>false</crashReportingEnabled><stunKeepaliveStartS>0</stunKeepaliveStartS>
</options></configuration>
X
	} >"$T/s$i/config.xml"
done
for i in $(seq 1 $N); do
	STNOUPGRADE=1 STPROFILER=127.0.0.1:$((9380 + i)) ns_bg syncthing serve --home="$T/s$i" \
		--no-browser --no-restart --logfile="$T/s$i/log" >/dev/null 2>&1
	[ "$i" = 1 ] && monitor=$!
done
for i in $(seq 1 $N); do wait_port $((22000 + i)) 30 || fail "syncthing $i did not listen"; done
# "syncthing serve" is a monitor process; the node is its child
pid=$(pgrep -P "$monitor" | head -n 1)
[ -n "$pid" ] || pid=$monitor
sleep 5
ns_check
# load: device 2 writes a 1 MiB file every 50 ms, bounded in time and count
ns_bg bash -c "for k in \$(seq 1 $(( (SECS + 40) * 20 ))); do head -c 1048576 /dev/urandom >$T/s2/data/f\$((k % 200)); sleep 0.05; done"
load=$!
# record once device 1 pulls files (BEP connected over TLS, indexes
# exchanged), at most 30 s: a CI run on a loaded host recorded a node that
# had not connected yet after fixed sleeps (0 samples, 0 files synced)
for _ in $(seq 300); do
	[ -n "$(ls "$T/s1/data")" ] && break
	sleep 0.1
done
[ -n "$(ls "$T/s1/data")" ] || fail "device 1 pulled no file in 30 s of device 2's writes (see $T/s1/log)"
sleep 1
RULES=${REAL_RULES:-syncthing}
assert_guess "$pid" syncthing short
REAL_FREQ=${REAL_FREQ:-499} record_pair "$pid" "$SECS" "$RULES" pprof:http://127.0.0.1:9381
# the load's bound is for a slow start; the recording is over: stop it
kill -TERM $load 2>/dev/null
wait $load
say "device 1 folder: $(ls "$T/s1/data" | wc -l) files synced"
# Go pprof samples at 100 Hz: 200-300 samples in 30 s
compare_shares "$RULES" full gossip sync bootstrap other
assert_verdict "sync load" other full ! lock
# Go names of 80+ characters can hide a stack line the same way: full only
assert_stacks full
assert_stack_errors short
# through Go's systemstack/mcall to the goroutine (93 % before, 99.9 % now)
assert_rooted short "all Go stacks" . 97
real_finish
