// Mainline DHT (BEP 5) query load for one node of the suite: find_node,
// get_peers and ping queries from fresh node ids at a fixed rate, bounded in
// time and count.  Prints the counters it kept (sent, replies, errors) as one
// JSON line: the yardstick for the node's own message counts.
//   node mdht-flood.js HOST:PORT RATE_PER_S SECONDS [MAX [BIND_ADDR]]
// Targets are loopback-only: 127.0.0.0/8, or 10.77.0.0/16 which the suite
// puts on the lo interface of its own network namespace (some DHTs, like
// Transmission's, drop 127.x peers as martians).
'use strict';
const dgram = require('dgram');
const crypto = require('crypto');

const [hostport, rateArg, secsArg, maxArg, bindArg] = process.argv.slice(2);
if (!hostport || !rateArg || !secsArg) {
	console.error('usage: node mdht-flood.js HOST:PORT RATE_PER_S SECONDS [MAX]');
	process.exit(2);
}
const [host, port] = [hostport.slice(0, hostport.lastIndexOf(':')), +hostport.slice(hostport.lastIndexOf(':') + 1)];
if (!/^(127\.|10\.77\.)/.test(host)) { console.error('mdht-flood: loopback targets only'); process.exit(2); }
const rate = +rateArg, secs = +secsArg, max = maxArg ? +maxArg : rate * secs;

// bencode of the few shapes a query needs: dict, string/Buffer, int
function benc(v) {
	if (Buffer.isBuffer(v)) return Buffer.concat([Buffer.from(v.length + ':'), v]);
	if (typeof v === 'string') return benc(Buffer.from(v));
	if (typeof v === 'number') return Buffer.from('i' + v + 'e');
	const keys = Object.keys(v).sort();
	return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [benc(k), benc(v[k])]), Buffer.from('e')]);
}

const sock = dgram.createSocket('udp4');
const c = { sent: 0, replies: 0, errors: 0, bytes_rx: 0 };
const kinds = ['find_node', 'get_peers', 'get_peers', 'ping'];
function query() {
	const q = kinds[c.sent % kinds.length];
	const a = { id: crypto.randomBytes(20) };
	if (q === 'find_node') a.target = crypto.randomBytes(20);
	if (q === 'get_peers') a.info_hash = crypto.randomBytes(20);
	const t = Buffer.alloc(2); t.writeUInt16BE(c.sent & 0xffff);
	sock.send(benc({ t, y: 'q', q, a }), port, host);
	c.sent++;
}
sock.on('message', (m) => {
	c.bytes_rx += m.length;
	const s = m.toString('latin1');
	if (s.includes('1:y1:r')) c.replies++; else if (s.includes('1:y1:e')) c.errors++;
});
sock.bind(0, bindArg || '127.0.0.1', () => {
	const tickMs = 10, perTick = rate * tickMs / 1000;
	let owed = 0;
	const timer = setInterval(() => {
		for (owed += perTick; owed >= 1 && c.sent < max; owed--) query();
	}, tickMs);
	setTimeout(() => {
		clearInterval(timer);
		setTimeout(() => { console.log(JSON.stringify(c)); sock.close(); }, 500);
	}, secs * 1000);
});
