#!/usr/bin/env python3
"""Checks the state a flame graph SVG reports through its test hook.

usage: check_state.py MODE < dump-dom-output

The SVG (reports/flame-svg.c) run with ?fgtest=1 writes its state as JSON
into <text id="fgtest">; chromium --dump-dom prints the document.  MODE says
what was done (see tests/integration/test_flame_browser.sh) and so what to
expect of the graph of `gen_folded.py small`.  Exit 0 = as expected; else
one line saying what differs.
"""
import html
import json
import re
import sys

AVAIL = 1180.0  # 1200 px wide minus 2 x 10 px padding


def fail(msg):
    sys.exit("check_state: " + msg)


def near(a, b, eps=0.6):
    return abs(a - b) <= eps


def main():
    mode = sys.argv[1]
    dom = sys.stdin.read()
    m = re.search(r'<text id="fgtest"[^>]*>(.*?)</text>', dom, re.S)
    if not m or not m.group(1):
        fail("no test state in the DOM (did the script run?)")
    st = json.loads(html.unescape(m.group(1)))
    vis = {(f["name"], f["d"]): f for f in st["visible"]}
    names = [f["name"] for f in st["visible"]]

    if mode == "plain":
        if st["zoomed"] is not None or st["parents"]:
            fail("zoomed without a click")
        if len(st["visible"]) != 13:
            fail("want 13 visible frames, got %d: %s" % (len(st["visible"]), names))
        if not near(vis[("all", 0)]["w"], AVAIL):
            fail("root not full width")
        if not near(vis[("dht_lookup", 3)]["w"], AVAIL * 0.55):
            fail("dht_lookup width %s, want %s" % (vis[("dht_lookup", 3)]["w"], AVAIL * 0.55))
    elif mode == "zoom":
        if st["zoomed"] != "gossip":
            fail("zoomed %r, want gossip" % st["zoomed"])
        g = vis.get(("gossip", 3))
        if not g or not near(g["w"], AVAIL) or not near(g["x"], 10):
            fail("zoomed frame not full width: %s" % g)
        if sorted(st["parents"]) != ["all", "loop", "main"]:
            fail("ancestors shown dimmed: %s, want all, loop, main" % st["parents"])
        if "dht_lookup" in names or "idle" in names or "tcp_sendmsg" in names:
            fail("frames outside the zoomed one still visible: %s" % names)
        enc = vis.get(("encode", 4))
        if not enc or not near(enc["w"], AVAIL * 20 / 35):
            fail("encode width %s, want %.1f" % (enc, AVAIL * 20 / 35))
        if enc["label"] != "encode":
            fail("label not redrawn on zoom: %r" % enc["label"])
    elif mode == "unzoom":
        if st["zoomed"] is not None or st["parents"] or len(st["visible"]) != 13:
            fail("reset zoom did not restore the graph: %s" % st)
        if not near(vis[("gossip", 3)]["w"], AVAIL * 0.35):
            fail("gossip width not restored: %s" % vis[("gossip", 3)])
    elif mode.startswith("search:"):
        want = float(mode.split(":", 2)[1])
        count = int(mode.split(":", 2)[2])
        mt = st["matched"]
        if not mt:
            fail("no search result")
        if abs(mt["pct"] - want) > 0.01 or mt["count"] != count:
            fail("search %r matched %.2f %% in %d frames, want %.2f %% in %d"
                 % (mt["term"], mt["pct"], mt["count"], want, count))
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main()
