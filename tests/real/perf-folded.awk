# perf script -F comm,tid,ip,sym,dso  ->  folded stacks (root first).  Kernel frames get the _[k] suffix; frames
# perf cannot name become module+0xADDR like peerscope's.
function flush(   s, i) {
	if (n == 0) return
	s = f[n]
	for (i = n - 1; i >= 1; i--) s = s ";" f[i]
	cnt[s]++
	n = 0
}
/^[^ \t]/ { flush(); comm = $1; next }
/^[ \t]+[0-9a-f]+ / {
	ip = $1; dso = $NF; gsub(/[()]/, "", dso)
	sym = $0; sub(/^[ \t]+[0-9a-f]+ /, "", sym); sub(/ \([^()]*\)$/, "", sym); sub(/\+0x[0-9a-f]+$/, "", sym)
	if (sym == "[unknown]" || sym == "") { m = dso; sub(/.*\//, "", m); sym = m "+0x" ip }
	if (dso ~ /kernel\.kallsyms|^\[k/) sym = sym "_[k]"
	f[++n] = sym
	next
}
/^$/ { flush() }
END { flush(); for (s in cnt) print s, cnt[s] }
