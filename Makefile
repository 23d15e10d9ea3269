# peerscope — one entry point: build, check, demo, bench, sanitize, install.
#
#   make            build build/peerscope, build/p2pnode, build/p2pnet
#   make deps       install the Debian packages the build and tests need
#   make check      deps + build + unit tests + integration tests (root)
#   make unit       unit tests only (no root needed)
#   make sanitize   ASan+UBSan build (build-san/) and the unit tests under it
#   make demo       profile one node of an 8-node test network into demo-out/
#   make bench      benchmarks, printed as ratios against perf/bpftrace/libbpf-tools
#   make install    PREFIX=/usr/local: the binary and its man page
#
# BUILD=dir puts every artefact in another directory (parallel builds, sanitizer).

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fno-omit-frame-pointer $(SAN_FLAGS)
CPPFLAGS += -D_GNU_SOURCE -Iuserspace -Iuserspace/core -Icollectors -Ireports -Ibpf \
            -I$(BUILD)/skel -I$(ARCH_INC)
LDFLAGS  += $(SAN_FLAGS)
LDLIBS   += -lbpf -lelf -lz -lpfm -liberty -lpthread -lm

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Wno-unused-function \
              -I$(BUILD) -Ibpf -I$(ARCH_INC)

CORE_SRCS   := $(wildcard userspace/core/*.c)
COLL_SRCS   := $(wildcard collectors/*.c)
REPORT_SRCS := $(wildcard reports/*.c)
CMD_SRCS    := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))

LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRCS) $(COLL_SRCS) $(REPORT_SRCS) $(CMD_SRCS))
LIB      := $(BUILD)/libpeerscope.a

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# Test programs that integration tests profile: known hot functions, frame pointers kept.
PROG_SRCS  := $(wildcard tests/progs/*.c)
PROGS      := $(patsubst tests/progs/%.c,$(BUILD)/progs/%,$(PROG_SRCS))
PROG_CFLAGS := -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -pthread -I$(ARCH_INC)

# Keep skeletons and BPF objects: they are intermediates make would delete.
.SECONDARY:

.PHONY: all deps check unit unit-build integration sanitize demo bench install clean FORCE
all: $(BUILD)/peerscope $(PROGS) node

# The test P2P node and its network driver define their own rules (target: node).
-include tests/node/node.mk
# The suite of real P2P programs (target: check-real).
-include tests/real/real.mk

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(VMLINUX_BTF) || { echo "peerscope: cannot read $(VMLINUX_BTF): kernel BTF missing (build a kernel with CONFIG_DEBUG_INFO_BTF=y or set VMLINUX_BTF=path)" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/peerscope: $(BUILD)/obj/userspace/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< -lm

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Debian packages for the build and every test. Quick when all are present.
DEB_PKGS := make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libpfm4-dev \
            libcmocka-dev libiberty-dev systemtap-sdt-dev pkg-config iproute2 linux-perf \
            bpftrace libbpf-tools golang-go golang-github-google-pprof-dev chromium valgrind
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: need root to install packages (run: sudo make deps)" >&2; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@tests/tools/build-pprof.sh

unit-build: $(UNIT_TESTS) $(NODE_UNIT_TESTS)

unit: unit-build
	@tests/run-unit.sh $(BUILD) $(sort $(UNIT_TESTS) $(NODE_UNIT_TESTS))

integration: all
	@BUILD=$(BUILD) tests/run-integration.sh

check: deps
	@$(MAKE) --no-print-directory all unit-build
	@BUILD=$(BUILD) tests/run-all.sh $(BUILD)

sanitize:
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=1 CFLAGS="-O1 -g" unit

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/demo.sh

bench: all
	@BUILD=$(BUILD) bench/run.sh

install: $(BUILD)/peerscope
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/peerscope $(DESTDIR)$(PREFIX)/bin/peerscope
	install -m 0644 docs/peerscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/peerscope.1

clean:
	rm -rf build build-san
