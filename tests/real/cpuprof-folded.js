// V8 --cpu-prof profile -> folded stacks (root first), only the samples
// taken between two CLOCK_MONOTONIC instants (ns; V8 stamps samples with
// the same clock, in µs).  Frames are "function url:line" so that rules
// matching a package path (node_modules/k-rpc/) match both sides; "(idle)"
// samples are left out (the thread was not on a CPU).
//
// Late samples are left out too.  V8's sampler thread signals the main
// thread on wall-clock ticks (--cpu-prof-interval, 1 ms); when the main
// thread is runnable but not on a CPU, the signal waits, ticks coalesce,
// and one sample lands where the thread was preempted -- typically right
// after a sendto() woke the receiving process (wakeup preemption), so on a
// busy host the send path collects a sample per preemption while it burns
// a few microseconds.  That sample measures waiting for a CPU, which
// peerscope counts apart (run queue), not CPU time.  Such a sample comes
// more than two intervals after the previous one (timeDeltas); so does one
// delayed because the sampler thread itself waited for a CPU, and dropping
// that one only thins the samples at random.
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
const sorted = prof.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
const interval = sorted.length ? sorted[sorted.length >> 1] : 1000;
const counts = new Map();
let t = BigInt(prof.startTime), late = 0, kept = 0;
for (let i = 0; i < prof.samples.length; i++) {
	t += BigInt(prof.timeDeltas[i]);
	if (t < lo || t > hi) continue;
	if (i > 0 && prof.timeDeltas[i] > 2 * interval &&
	    byId.get(prof.samples[i - 1]).callFrame.functionName !== '(idle)') {
		late++;
		continue;
	}
	kept++;
	const n = byId.get(prof.samples[i]);
	if (n.callFrame.functionName === '(idle)') continue;
	const s = stack(prof.samples[i]);
	if (s) counts.set(s, (counts.get(s) || 0) + 1);
}
for (const [s, c] of counts) console.log(s, c);
let busy = 0;
for (const c of counts.values()) busy += c;
console.error(`cpuprof-folded: interval ${interval} us, ${kept} samples kept, ${busy} not idle, ${late} late ones left out`);
