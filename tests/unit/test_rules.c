// SPDX-License-Identifier: MIT
/* Unit tests of the path rules (userspace/core/rules.c): parsing, matching, guessing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/profile.h"
#include "core/rules-int.h"
#include "core/rules.h"

static struct path_rules *parse(const char *text)
{
	char err[256];
	struct path_rules *r = path_rules__parse(text, "t", err, sizeof(err));

	if (!r)
		fail_msg("parse failed: %s", err);
	return r;
}

static void expect_error(const char *text, const char *needle)
{
	char err[256] = "";
	struct path_rules *r = path_rules__parse(text, "t", err, sizeof(err));

	assert_null(r);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static int match(const struct path_rules *r, const char *const *names, uint32_t n)
{
	return path_rules__match_frames(r, names, n, NULL);
}

static void test_builtins_parse(void **state)
{
	for (int i = 0; path_rules_builtin_names[i]; i++) {
		char err[256];
		struct path_rules *r = path_rules__load(path_rules_builtin_names[i], err, sizeof(err));

		if (!r)
			fail_msg("built-in %s: %s", path_rules_builtin_names[i], err);
		assert_true(r->nr_syms > 0);
		assert_string_equal(r->names[PATH_DHT], "dht");
		assert_string_equal(r->names[PATH_GOSSIP], "gossip");
		assert_string_equal(r->names[PATH_BOOTSTRAP], "bootstrap");
		assert_non_null(strstr(r->why, "--rules"));
		path_rules__free(r);
	}
	assert_null(path_rules__builtin_text("nope"));
}

static void test_p2pnode_spans(void **state)
{
	char err[256];
	struct path_rules *r = path_rules__load("p2pnode", err, sizeof(err));
	const struct path_span_rule *dht = NULL, *gossip = NULL, *boot = NULL;

	assert_non_null(r);
	assert_int_equal(r->nr_spans, 3);
	for (uint32_t i = 0; i < r->nr_spans; i++) {
		if (r->spans[i].path == PATH_DHT)
			dht = &r->spans[i];
		else if (r->spans[i].path == PATH_GOSSIP)
			gossip = &r->spans[i];
		else if (r->spans[i].path == PATH_BOOTSTRAP)
			boot = &r->spans[i];
	}
	assert_non_null(dht);
	assert_int_equal(dht->kind, SPAN_USDT);
	assert_string_equal(dht->provider, "p2pnode");
	assert_string_equal(dht->start, "dht_lookup_start");
	assert_string_equal(dht->done, "dht_lookup_done");
	assert_int_equal(dht->id_arg, 0);
	assert_int_equal(dht->ok_arg, 1);
	assert_false(dht->nothread);
	assert_non_null(gossip);
	assert_true(gossip->nothread);
	assert_true(gossip->multi);
	assert_non_null(boot);
	assert_int_equal(boot->id_arg, -1);
	assert_true(path_rules__has_span(r, PATH_DHT));
	assert_int_equal(path_rules__match_port(r, "udp", 4003), PATH_DHT);
	assert_int_equal(path_rules__match_port(r, "tcp", 5002), PATH_GOSSIP);
	assert_int_equal(path_rules__match_port(r, "tcp", 4003), -1);
	path_rules__free(r);
}

static void test_innermost_wins(void **state)
{
	struct path_rules *r = parse("dht = kad|find_node\ngossip = gossip|mesh\n"
				     "bootstrap = bootstrap|dial\n");
	/* leaf first */
	const char *s1[] = { "memcpy", "kad_find_node", "gossip_handle", "main" };
	const char *s2[] = { "gossip_validate", "kad_query", "main" };
	const char *s3[] = { "memcpy", "main" };
	const char *s4[] = { "dial_peer", "bootstrap_run" };
	uint32_t frame = 99;

	assert_int_equal(match(r, s1, 4), PATH_DHT);
	assert_int_equal(path_rules__match_frames(r, s1, 4, &frame), PATH_DHT);
	assert_int_equal(frame, 1);
	assert_int_equal(match(r, s2, 3), PATH_GOSSIP);
	assert_int_equal(match(r, s3, 2), -1);
	assert_int_equal(match(r, s4, 2), PATH_BOOTSTRAP);
	assert_int_equal(match(r, NULL, 0), -1);
	path_rules__free(r);
}

static void test_outermost_flag(void **state)
{
	struct path_rules *r = parse("dht = dht_\nbootstrap outermost = bootstrap_\n");
	const char *s1[] = { "dht_distance", "dht_lookup", "bootstrap_join", "start_thread" };
	const char *s2[] = { "dht_distance", "dht_lookup", "dht_worker_main" };
	uint32_t frame = 0;

	/* bootstrap is outside the dht lookup: it claims the whole stack */
	assert_int_equal(path_rules__match_frames(r, s1, 4, &frame), PATH_BOOTSTRAP);
	assert_int_equal(frame, 2);
	assert_int_equal(match(r, s2, 3), PATH_DHT);
	path_rules__free(r);
}

static void test_patterns(void **state)
{
	struct path_rules *r = parse("dht = ^dht_|Kademlia$\ngossip nocase = GOSSIP\n"
				     "bootstrap = Swarm*::dial\n");
	const char *a[] = { "my_dht_thing" };
	const char *b[] = { "dht_thing" };
	const char *c[] = { "libp2p_kad::Kademlia" };
	const char *d[] = { "libp2p_kad::Kademlia::poll" };
	const char *e[] = { "handle_gossipsub_rpc" };
	const char *f[] = { "libp2p_swarm::Swarm<B>::dial" };

	assert_int_equal(match(r, a, 1), -1);
	assert_int_equal(match(r, b, 1), PATH_DHT);
	assert_int_equal(match(r, c, 1), PATH_DHT);
	assert_int_equal(match(r, d, 1), -1);
	assert_int_equal(match(r, e, 1), PATH_GOSSIP);
	assert_int_equal(match(r, f, 1), PATH_BOOTSTRAP);
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "dht_x"));
	assert_false(path_rules__symbol_matches(r, PATH_GOSSIP, "dht_x"));
	path_rules__free(r);
}

/* Patterns start at a word, namespace or module boundary, never mid-word. */
static void test_word_boundaries(void **state)
{
	struct path_rules *r = parse("dht = kad|DHT|/k-rpc/\ngossip nocase = findpeer\n"
				     "bootstrap = dial\n");

	/* the case: So-kad-dr */
	assert_false(path_rules__symbol_matches(r, PATH_DHT, "net.ipToSockaddrInet4"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "github.com/libp2p/go-libp2p-kad-dht.(*IpfsDHT).FindPeer"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "libp2p_kad::handler"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "kademlia_refresh"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "aria2::DHTMessageDispatcherImpl::sendMessage"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "do_DHT"));
	/* a pattern starting with a separator may start anywhere */
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "JS:*query /x/node_modules/k-rpc/index.js:9"));
	/* camelCase humps are words too */
	assert_true(path_rules__symbol_matches(r, PATH_GOSSIP, "JS:*dhtFindPeer"));
	assert_false(path_rules__symbol_matches(r, PATH_BOOTSTRAP, "cordial_greeting"));
	assert_true(path_rules__symbol_matches(r, PATH_BOOTSTRAP, "(*Swarm).dialWorker"));
	path_rules__free(r);
}

/*
 * The built-in sets against frame names seen in the real-node suite
 * (tests/real, docs/real-nodes.md): each name lands in the path it should,
 * or in none.
 */
static void test_builtin_sets_real_names(void **state)
{
	static const struct { const char *set, *frame, *path; } cases[] = {
		{ "aria2", "aria2::DHTMessageDispatcherImpl::sendMessage(std::unique_ptr<aria2::DHTMessageEntry>)", "dht" },
		{ "aria2", "aria2::DHTGetPeersReplyMessage::getResponse()", "dht" },
		{ "aria2", "aria2::PeerAbstractCommand::execute()", "gossip" },
		{ "aria2", "aria2::EpollEventPoll::poll(timeval const&)", NULL },
		{ "syncthing", "github.com/syncthing/syncthing/lib/model.(*sendReceiveFolder).pullBlock", "sync" },
		{ "syncthing", "github.com/syncthing/notify.(*inotify).read", "sync" },
		{ "syncthing", "github.com/syncthing/syncthing/lib/protocol.(*rawConnection).readerLoop", "gossip" },
		{ "syncthing", "crypto/tls.(*Conn).Handshake", "bootstrap" },
		{ "syncthing", "runtime.gcDrain", NULL },
		{ "bittorrent-dht", "JS:*closest /w/build/real/npm/node_modules/k-bucket/index.js:203:11", "dht" },
		{ "bittorrent-dht", "JS:*onquery /w/build/real/npm/node_modules/k-rpc/index.js:65:18", "dht" },
		{ "bittorrent-dht", "JS:*doSend node:dgram:687:16", NULL },
		{ "hyperdht", "on_udx_idle(udx_s*)", "dht" },
		{ "hyperdht", "JS:*_onrequest /w/node_modules/dht-rpc/index.js:500:3", "dht" },
		{ "hyperdht", "JS:~set node:internal/bootstrap/node:116:8", NULL },
		{ "mainline-dht", "dht_periodic", "dht" },
		{ "mainline-dht", "tr_dhtInit", "bootstrap" },
		{ "mainline-dht", "tr_peerMgrAddIncoming", "gossip" },
		/* the P2P stacks' sets, against names as their code spells them */
		{ "go-libp2p", "github.com/libp2p/go-libp2p-kad-dht.(*IpfsDHT).handleFindPeer", "dht" },
		{ "go-libp2p", "github.com/libp2p/go-libp2p-pubsub.(*GossipSubRouter).handleIHave", "gossip" },
		{ "go-libp2p", "github.com/libp2p/go-libp2p/p2p/protocol/identify.(*idService).identifyConn", "bootstrap" },
		{ "go-libp2p", "net.ipToSockaddrInet4", NULL },
		{ "rust-libp2p", "libp2p_kad::behaviour::Behaviour<TStore>::on_connection_handler_event", "dht" },
		{ "rust-libp2p", "libp2p_gossipsub::behaviour::Behaviour<D,F>::handle_received_message", "gossip" },
		{ "rust-libp2p", "libp2p_swarm::Swarm<TBehaviour>::dial", "bootstrap" },
		{ "js-libp2p", "JS:*handleMessage file:///x/node_modules/@libp2p/kad-dht/dist/src/rpc/index.js:60:5", "dht" },
		{ "js-libp2p", "JS:*handleReceivedRpc file:///x/node_modules/@chainsafe/libp2p-gossipsub/dist/src/index.js:900:3", "gossip" },
		{ "libtorrent", "libtorrent::dht::traversal_algorithm::add_entry(libtorrent::digest32<160l> const&)", "dht" },
		{ "libtorrent", "libtorrent::(anonymous namespace)::ut_pex_plugin::tick()", "gossip" },
		{ "toxcore", "do_DHT", "dht" },
		{ "toxcore", "new_TCP_connection", "gossip" },
		{ "memberlist", "github.com/hashicorp/memberlist.(*Memberlist).gossip", "gossip" },
		{ "memberlist", "github.com/hashicorp/memberlist.(*Memberlist).Join", "bootstrap" },
		{ "default", "net.ipToSockaddrInet4", NULL },
		{ "default", "github.com/libp2p/go-libp2p-kad-dht.(*IpfsDHT).FindPeer", "dht" },
	};
	char err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct path_rules *r = path_rules__parse(path_rules__builtin_text(cases[i].set),
							 cases[i].set, err, sizeof(err));
		const char *names[] = { cases[i].frame };
		int want = cases[i].path ? path_rules__id(r, cases[i].path) : -1;

		assert_non_null(r);
		if (cases[i].path)
			assert_true(want > 0);
		assert_int_equal(path_rules__match_frames(r, names, 1, NULL), want);
		path_rules__free(r);
	}
}

/* hyperdht's bootstrap is its own, never Node's internal bootstrap code */
static void test_hyperdht_bootstrap(void **state)
{
	char err[128];
	struct path_rules *r = path_rules__parse(path_rules__builtin_text("hyperdht"), "hyperdht",
						 err, sizeof(err));

	assert_non_null(r);
	assert_false(path_rules__symbol_matches(r, PATH_BOOTSTRAP,
						"JS:~set node:internal/bootstrap/node:116:8"));
	assert_true(path_rules__symbol_matches(r, PATH_BOOTSTRAP,
					       "JS:*_bootstrap /n/node_modules/dht-rpc/index.js:300:9"));
	assert_true(path_rules__symbol_matches(r, PATH_DHT, "on_udx_idle(udx_s*)"));
	path_rules__free(r);
}

static void test_user_paths_and_ports(void **state)
{
	struct path_rules *r = parse("# comment\n\npath relay\nrelay = circuit_relay # tail\n"
				     "port relay = udp:9000-9010, tcp:9100\n"
				     "port dht = 4001\n");

	assert_int_equal(r->nr_paths, 5);
	assert_int_equal(path_rules__id(r, "relay"), 4);
	assert_string_equal(path_rules__name(r, 4), "relay");
	assert_null(path_rules__name(r, 9));
	assert_int_equal(path_rules__match_port(r, "udp", 9005), 4);
	assert_int_equal(path_rules__match_port(r, "tcp", 9005), -1);
	assert_int_equal(path_rules__match_port(r, "tcp", 9100), 4);
	assert_int_equal(path_rules__match_port(r, "udp", 4001), PATH_DHT);
	assert_int_equal(path_rules__match_port(r, NULL, 4001), PATH_DHT);
	assert_int_equal(path_rules__match_port(r, "udp", 1), -1);
	path_rules__free(r);
}

static void test_spans_parse(void **state)
{
	struct path_rules *r = parse("span dht uprobe:find_node\n"
				     "span gossip uprobe:/usr/lib/libx.so:publish nothread\n"
				     "span boot2 usdt:prov:s:d:2\n");

	assert_int_equal(r->nr_spans, 3);
	assert_int_equal(r->spans[0].kind, SPAN_UPROBE);
	assert_null(r->spans[0].binary);
	assert_string_equal(r->spans[0].symbol, "find_node");
	assert_string_equal(r->spans[1].binary, "/usr/lib/libx.so");
	assert_true(r->spans[1].nothread);
	assert_int_equal(r->spans[2].path, 4);
	assert_int_equal(r->spans[2].id_arg, 2);
	assert_int_equal(r->spans[2].ok_arg, -1);
	path_rules__free(r);
}

static void test_errors(void **state)
{
	expect_error("dht = \n", "line 1: no pattern");
	expect_error("\n\nfoo\n", "line 3");
	expect_error("dht bogus = x\n", "unknown flag 'bogus'");
	expect_error("other = x\n", "'other'");
	expect_error("span dht kprobe:x\n", "unknown span kind");
	expect_error("span dht usdt:p:s\n", "usdt:PROVIDER:START:DONE");
	expect_error("span dht usdt:p:s:d:99\n", "0..11");
	expect_error("span dht uprobe:x multi\n", "multi");
	expect_error("port dht = udp:70000\n", "bad port range");
	expect_error("port dht = sctp:10\n", "unknown protocol");
	expect_error("port dht = udp:20-10\n", "bad port range");
	expect_error("d$ = x\n", "bad path name");
	expect_error("# only a comment\n", "no rules");
	/* 16 paths at most */
	expect_error("a=x\nb=x\nc=x\nd=x\ne=x\nf=x\ng=x\nh=x\ni=x\nj=x\nk=x\nl=x\nm=x\n", "too many");
}

static void test_load_errors(void **state)
{
	char err[256];

	assert_null(path_rules__load("no-such-set", err, sizeof(err)));
	assert_non_null(strstr(err, "neither a built-in"));
	assert_null(path_rules__load("/nonexistent/rules", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read"));
}

static void test_write_roundtrip(void **state)
{
	struct path_rules *r = parse("path extra\nspan dht usdt:p:a:b:0:1\n"
				     "span gossip usdt:p:c:d:0 nothread multi\n"
				     "bootstrap outermost nocase = Boot|dial\nport dht = udp:1-2\n"
				     "idle = spin_wait\n"), *r2;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	path_rules__write(r, f);
	fclose(f);
	r2 = path_rules__parse(buf, "again", err, sizeof(err));
	if (!r2)
		fail_msg("reparse: %s\n%s", err, buf);
	assert_int_equal(r2->nr_paths, r->nr_paths);
	assert_int_equal(r2->nr_spans, 2);
	assert_true(r2->spans[1].multi && r2->spans[1].nothread);
	assert_int_equal(r2->spans[0].ok_arg, 1);
	assert_int_equal(r2->nr_syms, 1);
	assert_true(r2->syms[0].outermost && r2->syms[0].nocase);
	assert_int_equal(r2->nr_ports, 1);
	assert_int_equal(r2->nr_idle, 1);
	free(buf);
	path_rules__free(r);
	path_rules__free(r2);
}

static void test_idle(void **state)
{
	struct path_rules *r = parse("dht = dht_\nidle = wait_for_job\n");
	const char *a[] = { "epoll_wait", "loop_run", "main" };
	const char *b[] = { "pthread_cond_timedwait", "workq_pop", "dht_worker_main" };
	const char *c[] = { "recvfrom", "conn_read", "bootstrap_dial" };
	const char *d[] = { "syscall", "wait_for_job" };

	assert_true(path_rules__is_idle(r, a, 3));
	assert_true(path_rules__is_idle(r, b, 3));
	assert_false(path_rules__is_idle(r, c, 3));
	assert_true(path_rules__is_idle(r, d, 2));
	assert_false(path_rules__is_idle(NULL, d, 2));
	path_rules__free(r);
}

/* Runtimes' own idle threads wait for work: not lock contention, not busy. */
static void test_idle_runtimes(void **state)
{
	const char *go_sysmon[] = { "runtime.futex", "runtime.futexsleep", "runtime.notetsleep",
				    "runtime.sysmon", "runtime.mstart1" };
	const char *go_idle_m[] = { "runtime.futex", "runtime.futexsleep", "runtime.notesleep",
				    "runtime.mPark", "runtime.stopm", "runtime.findRunnable" };
	const char *v8_worker[] = { "__futex_abstimed_wait_common", "pthread_cond_wait",
				    "uv_cond_wait", "node::TaskQueue<v8::Task>::BlockingPop()",
				    "node::(anonymous namespace)::PlatformWorkerThread(void*)" };
	const char *v8_sampler[] = { "syscall", "v8::base::ConditionVariable::WaitFor(v8::base::Mutex*, v8::base::TimeDelta const&)",
				     "v8::internal::SamplingEventsProcessor::Run()" };
	const char *tokio[] = { "syscall", "std::sys::sync::condvar::futex::Condvar::wait",
				"tokio::runtime::scheduler::multi_thread::park::Inner::park_condvar" };
	const char *go_lock[] = { "runtime.futex", "runtime.futexsleep", "runtime.lock2",
				  "runtime.lockWithRank", "main.work" };
	const char *mutex[] = { "__lll_lock_wait", "pthread_mutex_lock", "gossip_validate" };

	assert_true(path_rules__is_idle(NULL, go_sysmon, 5));
	assert_true(path_rules__is_idle(NULL, go_idle_m, 6));
	assert_true(path_rules__is_idle(NULL, v8_worker, 5));
	assert_true(path_rules__is_idle(NULL, v8_sampler, 3));
	assert_true(path_rules__is_idle(NULL, tokio, 3));
	const char *pprof[] = { "runtime.futex", "runtime.notetsleepg", "runtime/pprof.readProfile",
				"runtime/pprof.profileWriter" };

	const char *go_epoll[] = { "runtime/internal/syscall.Syscall6", "syscall.Syscall6",
				   "golang.org/x/sys/unix.EpollWait",
				   "github.com/syncthing/notify.(*inotify).loop" };

	const char *go_signal[] = { "runtime.futex", "runtime.notetsleep_internal",
				    "runtime.notetsleepg", "os/signal.signal_recv", "os/signal.loop" };

	assert_true(path_rules__is_idle(NULL, pprof, 4));
	assert_true(path_rules__is_idle(NULL, go_epoll, 4));
	assert_true(path_rules__is_idle(NULL, go_signal, 5));
	assert_false(path_rules__is_idle(NULL, go_lock, 5));
	assert_false(path_rules__is_idle(NULL, mutex, 3));
}

static void test_profile_roundtrip(void **state)
{
	struct profile *p = profile__new();
	struct path_rules *r = parse("path relay\nrelay = circuit_\n"), *r2;

	assert_null(path_rules__from_profile(p));
	/* nothing recorded: the generic set, and the report says so */
	r2 = path_rules__for_profile(p);
	assert_non_null(r2);
	assert_string_equal(r2->name, "default");
	assert_string_equal(r2->why, "--rules default");
	path_rules__free(r2);
	assert_int_equal(path_rules__save(r, p, "because"), 0);
	r2 = path_rules__from_profile(p);
	assert_non_null(r2);
	assert_int_equal(path_rules__id(r2, "relay"), 4);
	assert_string_equal(r2->why, "because");
	path_rules__free(r2);
	/* recorded rules win over the generic set */
	r2 = path_rules__for_profile(p);
	assert_non_null(r2);
	assert_int_equal(path_rules__id(r2, "relay"), 4);
	path_rules__free(r2);
	path_rules__free(r);
	profile__free(p);
}

static void write_file(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");
	static const char pad[64];

	assert_non_null(f);
	fwrite(pad, 1, sizeof(pad), f);
	fwrite(a, 1, strlen(a) + 1, f);
	fwrite(b, 1, strlen(b) + 1, f);
	fclose(f);
}

/* The set guessed for a file holding strings a and b. */
static const char *guess_of(const char *path, const char *a, const char *b, char *why, size_t len)
{
	write_file(path, a, b);
	return path_rules__guess(0, path, why, len);
}

static void test_guess(void **state)
{
	static const struct { const char *a, *b, *want; } cases[] = {
		{ "p2pnode", "dht_lookup_start", "p2pnode" },
		{ ".note.go.buildid", "github.com/libp2p/go-libp2p-kad-dht.(*IpfsDHT)", "go-libp2p" },
		{ "libp2p_kad::behaviour", "x", "rust-libp2p" },
		{ "libtorrent-rasterbar.so.2.0", "x", "libtorrent" },
		{ "_ZN5aria224DHTMessageDispatcherImpl", "x", "aria2" },
		/* Transmission names libtorrent in its peer-id table: still mainline-dht */
		{ "libtorrent (Rasterbar)", "dht.bootstrap", "mainline-dht" },
		{ ".note.go.buildid", "github.com/syncthing/syncthing/lib/model.(*model)", "syncthing" },
		{ ".note.go.buildid", "github.com/hashicorp/memberlist.(*Memberlist)", "memberlist" },
		{ "DHT_bootstrap", "x", "toxcore" },
		{ "nothing", "here", "default" },
	};
	char path[] = "/tmp/peerscope-test-guess-XXXXXX", why[160];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(guess_of(path, cases[i].a, cases[i].b, why, sizeof(why)),
				    cases[i].want);
	assert_non_null(strstr(guess_of(path, "p2pnode", "dht_lookup_start", why, sizeof(why)) ?
			       why : "", "USDT"));
	assert_string_equal(path_rules__guess(0, "/nonexistent", why, sizeof(why)), "default");
	unlink(path);
}

/*
 * The binary is read a chunk at a time: a string that starts just before
 * a chunk's end, or straddles it, is found like any other; one cut short
 * by the end of the file is not.
 */
static void test_guess_chunk_edges(void **state)
{
	static const char a[] = "DHT_bootstrap";
	char path[] = "/tmp/peerscope-test-guess-XXXXXX", why[160];
	size_t cap = RULES_SCAN_CHUNK + 64;
	char *buf = calloc(1, cap);
	int fd = mkstemp(path);

	assert_non_null(buf);
	assert_true(fd >= 0);
	for (size_t at = RULES_SCAN_CHUNK - sizeof(a); at <= RULES_SCAN_CHUNK + 1; at++) {
		memset(buf, 'x', cap);
		memcpy(buf + at, a, sizeof(a) - 1);
		assert_int_equal(pwrite(fd, buf, cap, 0), (ssize_t)cap);
		assert_string_equal(path_rules__guess(0, path, why, sizeof(why)), "toxcore");
	}
	/* cut short: the file ends one byte before the string would */
	memset(buf, 'x', cap);
	memcpy(buf + RULES_SCAN_CHUNK - 4, a, sizeof(a) - 1);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, buf, RULES_SCAN_CHUNK - 4 + sizeof(a) - 2, 0),
			 (ssize_t)(RULES_SCAN_CHUNK - 4 + sizeof(a) - 2));
	assert_string_equal(path_rules__guess(0, path, why, sizeof(why)), "default");
	close(fd);
	unlink(path);
	free(buf);
}

/* "txn" and "peer" lines (docs/peers.md): what they hold, and what they refuse. */
static void test_txn_and_peer_lines(void **state)
{
	struct path_rules *r = parse("txn dht = 3:8\n"
				     "peer dht usdt:p2pnode:dht_serving:0:1\n"
				     "peer gossip uprobe:/bin/node:handle_frame:2\n"
				     "peer gossip uprobe:on_msg:1:3\n");
	int dht = path_rules__id(r, "dht"), gossip = path_rules__id(r, "gossip");

	(void)state;
	assert_true(dht > 0 && gossip > 0);
	assert_int_equal(r->txn[dht].off, 3);
	assert_int_equal(r->txn[dht].len, 8);
	assert_int_equal(r->txn[gossip].len, 0);
	assert_int_equal(r->nr_peer_probes, 3);
	assert_int_equal(r->peer_probes[0].kind, SPAN_USDT);
	assert_string_equal(r->peer_probes[0].provider, "p2pnode");
	assert_string_equal(r->peer_probes[0].probe, "dht_serving");
	assert_int_equal(r->peer_probes[0].addr_arg, 0);
	assert_int_equal(r->peer_probes[0].id_arg, 1);
	assert_int_equal(r->peer_probes[1].kind, SPAN_UPROBE);
	assert_string_equal(r->peer_probes[1].binary, "/bin/node");
	assert_string_equal(r->peer_probes[1].symbol, "handle_frame");
	assert_int_equal(r->peer_probes[1].addr_arg, 2);
	assert_int_equal(r->peer_probes[1].id_arg, -1);
	assert_null(r->peer_probes[2].binary);
	assert_int_equal(r->peer_probes[2].path, (uint32_t)gossip);
	assert_int_equal(r->peer_probes[2].id_arg, 3);
	path_rules__free(r);

	expect_error("txn dht = 3\n", "bad transaction id");
	expect_error("txn dht = 3:9\n", "bad transaction id");
	expect_error("txn other = 0:2\n", "bad path name");
	expect_error("peer dht usdt:p2pnode:dht_serving\n", "expected 'peer PATH");
	expect_error("peer dht uprobe:f:7\n", "bad peer probe");
	expect_error("peer dht kprobe:f:1\n", "bad peer probe");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_parse),
		cmocka_unit_test(test_txn_and_peer_lines),
		cmocka_unit_test(test_p2pnode_spans),
		cmocka_unit_test(test_innermost_wins),
		cmocka_unit_test(test_outermost_flag),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_builtin_sets_real_names),
		cmocka_unit_test(test_hyperdht_bootstrap),
		cmocka_unit_test(test_user_paths_and_ports),
		cmocka_unit_test(test_spans_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_write_roundtrip),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_idle_runtimes),
		cmocka_unit_test(test_profile_roundtrip),
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_guess_chunk_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
