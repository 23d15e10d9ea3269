# tests/node/node.mk - the test P2P node (p2pnode, p2pnode-nofp), its network
# driver (p2pnet) and their unit tests.  Included by the top-level Makefile.

NODE_DIR     := tests/node
NODE_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
                -Wno-missing-field-initializers -pthread -I$(NODE_DIR) -I$(ARCH_INC)
# Profiling targets: frame pointers everywhere (p2pnode) or nowhere (p2pnode-nofp),
# so unwinders can be tested both ways.
NODE_FP      := -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
NODE_NOFP    := -O2 -g -fomit-frame-pointer

NODE_SRCS    := dht_table.c frame.c seen_cache.c workq.c loop.c netem.c dht.c \
                gossip.c conn.c bootstrap.c ctl.c inject.c from_counts.c node_main.c
NET_SRCS     := net_driver.c net_proc.c net_report.c net_netns.c
NODE_HDRS    := $(wildcard $(NODE_DIR)/*.h)

NODE_OBJS    := $(patsubst %.c,$(BUILD)/node/fp/%.o,$(NODE_SRCS))
NODE_NOFP_OBJS := $(patsubst %.c,$(BUILD)/node/nofp/%.o,$(NODE_SRCS))
NET_OBJS     := $(patsubst %.c,$(BUILD)/node/net/%.o,$(NET_SRCS)) $(BUILD)/node/net/inject.o

.PHONY: node
node: $(BUILD)/p2pnode $(BUILD)/p2pnode-nofp $(BUILD)/p2pnet

$(BUILD)/node/fp/%.o: $(NODE_DIR)/%.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_CFLAGS) $(NODE_FP) -c $< -o $@

$(BUILD)/node/nofp/%.o: $(NODE_DIR)/%.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_CFLAGS) $(NODE_NOFP) -c $< -o $@

# The driver shares inject.c (name parsing) but not the hog threads.
$(BUILD)/node/net/%.o: $(NODE_DIR)/%.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_CFLAGS) -O2 -g -DINJECT_NO_HOGS -c $< -o $@

$(BUILD)/p2pnode: $(NODE_OBJS)
	$(CC) -pthread -o $@ $^

$(BUILD)/p2pnode-nofp: $(NODE_NOFP_OBJS)
	$(CC) -pthread -o $@ $^

$(BUILD)/p2pnet: $(NET_OBJS)
	$(CC) -pthread -o $@ $^ -lm

# Unit tests link the node sources they test, not libpeerscope.a.  These explicit
# rules win over the generic $(BUILD)/tests/% pattern rule.
NODE_UNIT_TESTS := $(BUILD)/tests/test_node_table $(BUILD)/tests/test_node_frame \
                   $(BUILD)/tests/test_node_seen
NODE_TEST_CFLAGS := $(NODE_CFLAGS) -O1 -g -fno-omit-frame-pointer $(SAN_FLAGS)

$(BUILD)/tests/test_node_table: tests/unit/test_node_table.c $(NODE_DIR)/dht_table.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_TEST_CFLAGS) -o $@ tests/unit/test_node_table.c $(NODE_DIR)/dht_table.c $(SAN_FLAGS) -lcmocka

$(BUILD)/tests/test_node_frame: tests/unit/test_node_frame.c $(NODE_DIR)/frame.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_TEST_CFLAGS) -o $@ tests/unit/test_node_frame.c $(NODE_DIR)/frame.c $(SAN_FLAGS) -lcmocka

$(BUILD)/tests/test_node_seen: tests/unit/test_node_seen.c $(NODE_DIR)/seen_cache.c $(NODE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(NODE_TEST_CFLAGS) -o $@ tests/unit/test_node_seen.c $(NODE_DIR)/seen_cache.c $(SAN_FLAGS) -lcmocka

.PHONY: node-unit
node-unit: $(NODE_UNIT_TESTS)
	@tests/run-unit.sh $(BUILD) $^
