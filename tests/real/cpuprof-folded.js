// V8 --cpu-prof profile -> folded stacks (root first), only the samples
// taken between two CLOCK_MONOTONIC instants (ns; V8 stamps samples with
// the same clock, in µs).  Frames are "function url:line" so that rules
// matching a package path (node_modules/k-rpc/) match both sides; "(idle)"
// samples are left out (the thread was not on a CPU).
//   node cpuprof-folded.js FILE.cpuprofile START_NS END_NS
'use strict';
const fs = require('fs');
const [file, startNs, endNs] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const lo = BigInt(startNs) / 1000n, hi = BigInt(endNs) / 1000n;
const byId = new Map(), parent = new Map();
for (const n of prof.nodes) {
	byId.set(n.id, n);
	for (const c of n.children || []) parent.set(c, n.id);
}
const name = (n) => {
	const f = n.callFrame;
	const fn = f.functionName || '(anonymous)';
	return f.url ? `${fn} ${f.url.replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : fn;
};
const memo = new Map();
function stack(id) {
	if (memo.has(id)) return memo.get(id);
	const frames = [];
	for (let i = id; i !== undefined; i = parent.get(i)) {
		const n = byId.get(i);
		if (n.callFrame.functionName !== '(root)') frames.push(name(n));
	}
	const s = frames.reverse().join(';');
	memo.set(id, s);
	return s;
}
const counts = new Map();
let t = BigInt(prof.startTime);
for (let i = 0; i < prof.samples.length; i++) {
	t += BigInt(prof.timeDeltas[i]);
	if (t < lo || t > hi) continue;
	const n = byId.get(prof.samples[i]);
	if (n.callFrame.functionName === '(idle)') continue;
	const s = stack(prof.samples[i]);
	if (s) counts.set(s, (counts.get(s) || 0) + 1);
}
for (const [s, c] of counts) console.log(s, c);
