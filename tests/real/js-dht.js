// JavaScript DHT nodes of the suite, from npm: bittorrent-dht (Mainline DHT)
// and hyperdht (Hyperswarm's DHT, on dht-rpc and udx-native).  Every socket
// binds to 127.0.0.1; each process exits by itself after SECONDS, so V8's
// --cpu-prof gets written.  Counters (lookups, replies) print as one JSON line.
//
//   node js-dht.js bittorrent swarm BASEPORT COUNT SECONDS
//       COUNT nodes on BASEPORT.. bootstrapping from BASEPORT; each looks up
//       a random info-hash every second
//   node js-dht.js bittorrent node PORT BOOTPORT SECONDS LOOKUPS_PER_S
//       the recorded node: serves queries and looks up random info-hashes
//   node js-dht.js hyper swarm PORTFILE COUNT SECONDS
//       a hyperdht test network (hyperdht/testnet) of COUNT nodes; writes
//       its bootstrap port into PORTFILE
//   node js-dht.js hyper node BOOTPORT SECONDS LOOKUPS_PER_S
//       the recorded node: announces a topic and looks up random topics
'use strict';
const path = require('path');
const fs = require('fs');
const crypto = require('crypto');
// npm packages live in $NPM_DIR (tests/real never installs globally); an ES
// module (bittorrent-dht) comes back as its namespace: take its default
const req = (m) => {
	const x = require(path.join(process.env.NPM_DIR || '.', 'node_modules', m));
	return typeof x.default === 'function' ? x.default : x;
};

const [kind, role, ...args] = process.argv.slice(2);
const counters = { lookups: 0, done: 0, found: 0, errors: 0 };
// after SECONDS, or at SIGTERM (the suite stops a swarm as soon as the
// recorded node is done, instead of waiting out its padding)
const finish = (secs, close) => {
	const end = async () => {
		clearInterval(timer);
		console.log(JSON.stringify(counters));
		try { await close(); } catch (e) { /* closing a DHT may reject; exiting anyway */ }
		process.exit(0);
	};
	setTimeout(end, secs * 1000);
	process.once('SIGTERM', end);
};
let timer;

function every(perSec, fn) {
	const ms = 10, per = perSec * ms / 1000;
	let owed = 0;
	timer = setInterval(() => { for (owed += per; owed >= 1; owed--) fn(); }, ms);
}

async function bittorrent() {
	const DHT = req('bittorrent-dht');
	const mk = (port, boot) => new Promise((resolve) => {
		const d = new DHT({ bootstrap: boot ? [`127.0.0.1:${boot}`] : false, host: '127.0.0.1' });
		d.on('error', () => counters.errors++);
		d.on('warning', () => {});
		d.listen(port, '127.0.0.1', () => resolve(d));
	});
	const lookup = (d) => {
		counters.lookups++;
		d.lookup(crypto.randomBytes(20), (err, n) => { counters.done++; if (err) counters.errors++; else counters.found += n || 0; });
	};
	if (role === 'swarm') {
		const [base, count, secs] = args.map(Number);
		const nodes = [await mk(base, 0)];
		for (let i = 1; i < count; i++) nodes.push(await mk(base + i, base));
		every(count, () => lookup(nodes[counters.lookups % nodes.length]));
		finish(secs, () => Promise.all(nodes.map((d) => new Promise((r) => d.destroy(r)))));
	} else {
		const [port, boot, secs, rate] = args.map(Number);
		const d = await mk(port, boot);
		every(rate, () => lookup(d));
		finish(secs, () => new Promise((r) => d.destroy(r)));
	}
}

async function hyper() {
	const DHT = req('hyperdht');
	if (role === 'swarm') {
		const [portfile, count, secs] = [args[0], +args[1], +args[2]];
		const testnet = await req('hyperdht/testnet')(count, { host: '127.0.0.1' });
		fs.writeFileSync(portfile, String(testnet.bootstrap[0].port));
		every(count / 2, () => {
			const n = testnet.nodes[counters.lookups % testnet.nodes.length];
			counters.lookups++;
			consume(n.lookup(crypto.randomBytes(32)));
		});
		finish(secs, () => testnet.destroy());
	} else {
		const [boot, secs, rate] = args.map(Number);
		const d = new DHT({ bootstrap: [{ host: '127.0.0.1', port: boot }], host: '127.0.0.1',
			ephemeral: false, firewalled: false });
		await d.fullyBootstrapped();
		const kp = DHT.keyPair();
		consume(d.announce(crypto.createHash('sha256').update('peerscope').digest(), kp));
		every(rate, () => { counters.lookups++; consume(d.lookup(crypto.randomBytes(32))); });
		finish(secs, () => d.destroy());
	}
}

function consume(stream) {
	stream.on('data', () => counters.found++);
	stream.on('error', () => counters.errors++);
	stream.on('close', () => counters.done++);
}

(kind === 'hyper' ? hyper : bittorrent)().catch((e) => { console.error('js-dht:', e.stack); process.exit(1); });
