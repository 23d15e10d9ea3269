#!/usr/bin/env python3
"""Synthetic folded stacks for the flame tests and the benchmark.

usage: gen_folded.py small              a small fixed graph (tests)
       gen_folded.py bench SAMPLES STACKS [SEED]
                                       SAMPLES samples over STACKS distinct
                                       stacks (one line per sample, so the
                                       reader does the merging), kernel frames
                                       on some stacks.
"""
import random
import sys


def small():
    lines = [
        "main;loop;dht_lookup;hash 35",
        "main;loop;dht_lookup;send_[k];tcp_sendmsg_[k] 20",
        "main;loop;gossip;hash 10",
        "main;loop;gossip;encode 15",
        "main;loop;gossip;std::map<K, V&>::find(\"x\") 5",
        "main;loop 5",
        "main;idle;epoll_wait_[k] 5",
        # the same stack twice: must merge (encode = 20); 100 samples in all
        "main;loop;gossip;encode 5",
    ]
    print("\n".join(lines))


def bench(samples, stacks, seed):
    rnd = random.Random(seed)
    funcs = ["fn_%d" % i for i in range(2000)]
    kfuncs = ["k_%d" % i for i in range(300)]
    pool = []
    for _ in range(stacks):
        depth = rnd.randint(5, 30)
        st = ["main"] + [rnd.choice(funcs[: 20 + 60 * d]) for d in range(depth)]
        if rnd.random() < 0.3:
            st += [k + "_[k]" for k in rnd.sample(kfuncs, rnd.randint(1, 6))]
        pool.append(";".join(st))
    out = sys.stdout
    # Zipf-ish weights: a few hot stacks, a long tail, every stack at least once
    weights = [1.0 / (i + 1) ** 0.8 for i in range(stacks)]
    picks = rnd.choices(range(stacks), weights=weights, k=samples - stacks)
    counts = [1] * stacks
    for i in picks:
        counts[i] += 1
    buf = []
    for i, c in enumerate(counts):
        # one line per sample, as perf script | stackcollapse would give before merging
        buf.append((pool[i] + " 1\n") * c)
        if len(buf) > 1000:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "small":
        small()
    elif len(sys.argv) >= 4 and sys.argv[1] == "bench":
        bench(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    else:
        sys.exit(__doc__)
