// A gossip cluster on hashicorp/memberlist (Debian's
// golang-github-hashicorp-memberlist-dev, built offline by
// tests/real/real_memberlist.sh): SWIM probes, push-pull state sync and
// user broadcasts gossiped to every member.  Binds only to 127.0.0.1 and
// exits after the given seconds (or at SIGTERM); prints its counters as one
// JSON line.
//
//	memberlist-node -members N -port P -join HOST:PORT -rate R -secs S [-pprof ADDR]
//
// -members runs N members in this process (ports P, P+1, ...); -rate is
// broadcasts per second queued by the first member (each gossiped to all).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	rpprof "runtime/pprof"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/memberlist"
)

type broadcast []byte

func (b broadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b broadcast) Message() []byte                       { return b }
func (b broadcast) Finished()                             {}

type delegate struct {
	q        *memberlist.TransmitLimitedQueue
	received *int64
}

func (d *delegate) NodeMeta(int) []byte               { return nil }
func (d *delegate) NotifyMsg(b []byte)                { atomic.AddInt64(d.received, 1) }
func (d *delegate) GetBroadcasts(o, l int) [][]byte   { return d.q.GetBroadcasts(o, l) }
func (d *delegate) LocalState(bool) []byte            { return nil }
func (d *delegate) MergeRemoteState(b []byte, j bool) {}

// cpuProfile serves a CPU profile of ?seconds=S at ?hz=H samples per
// second.  /debug/pprof/profile samples at 100 Hz: 0.06 CPUs for 10 s is
// 60 samples, and a share then moves by 6 pp (one sigma) from sampling
// alone.  Setting the rate first makes StartCPUProfile keep it (it warns
// that the rate is already set); profiling starts with that call, so no
// sample comes from before the window.
func cpuProfile(w http.ResponseWriter, r *http.Request) {
	secs, _ := strconv.Atoi(r.URL.Query().Get("seconds"))
	hz, _ := strconv.Atoi(r.URL.Query().Get("hz"))
	if secs <= 0 || hz <= 0 {
		http.Error(w, "seconds and hz wanted", http.StatusBadRequest)
		return
	}
	runtime.SetCPUProfileRate(hz)
	if err := rpprof.StartCPUProfile(w); err != nil {
		runtime.SetCPUProfileRate(0)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	time.Sleep(time.Duration(secs) * time.Second)
	rpprof.StopCPUProfile()
}

func main() {
	members := flag.Int("members", 1, "members in this process")
	port := flag.Int("port", 7946, "first member's port")
	join := flag.String("join", "", "HOST:PORT to join")
	rate := flag.Int("rate", 0, "broadcasts per second")
	secs := flag.Int("secs", 10, "run this long")
	pprof := flag.String("pprof", "", "serve net/http/pprof on ADDR")
	flag.Parse()
	if *pprof != "" {
		http.HandleFunc("/cpuprofile", cpuProfile)
		go func() { log.Println(http.ListenAndServe(*pprof, nil)) }()
	}
	var received, sent int64
	var lists []*memberlist.Memberlist
	var first *delegate
	for i := 0; i < *members; i++ {
		c := memberlist.DefaultLocalConfig()
		c.Name = "m" + strconv.Itoa(*port+i)
		c.BindAddr, c.AdvertiseAddr = "127.0.0.1", "127.0.0.1"
		c.BindPort, c.AdvertisePort = *port+i, *port+i
		c.LogOutput = io.Discard
		d := &delegate{received: &received}
		c.Delegate = d
		l, err := memberlist.Create(c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "memberlist-node:", err)
			os.Exit(1)
		}
		d.q = &memberlist.TransmitLimitedQueue{NumNodes: l.NumMembers, RetransmitMult: 3}
		if i == 0 {
			first = d
		}
		target := *join
		if target == "" && i > 0 {
			target = fmt.Sprintf("127.0.0.1:%d", *port)
		}
		if target != "" {
			if _, err := l.Join([]string{target}); err != nil {
				fmt.Fprintln(os.Stderr, "memberlist-node: join:", err)
			}
		}
		lists = append(lists, l)
	}
	stop := time.After(time.Duration(*secs) * time.Second)
	// SIGTERM ends the run early, counters printed (the suite stops the
	// swarm once the recorded member is done)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	var tick <-chan time.Time
	if *rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(*rate)).C
	}
	for done := false; !done; {
		select {
		case <-tick:
			n := atomic.AddInt64(&sent, 1)
			first.q.QueueBroadcast(broadcast(fmt.Sprintf("msg-%d-%s", n, time.Now())))
		case <-stop:
			done = true
		case <-term:
			done = true
		}
	}
	out, _ := json.Marshal(map[string]int64{"members": int64(lists[0].NumMembers()),
		"sent": sent, "received": atomic.LoadInt64(&received)})
	fmt.Println(string(out))
	for _, l := range lists {
		l.Shutdown()
	}
}
