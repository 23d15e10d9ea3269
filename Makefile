# peerscope — one entry point: build, check, demo, bench, sanitize, install.
#
#   make            build build/peerscope, build/p2pnode, build/p2pnet
#   make deps       install the Debian packages the build and tests need
#   make check      deps + build + unit tests + integration tests (root)
#   make unit       unit tests only (no root needed)
#   make sanitize   ASan+UBSan build (build-san/) and the unit tests under it
#   make fuzz       every parser's libFuzzer harness, FUZZ_SECONDS (60) each
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
LLVM_STRIP ?= llvm-strip
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fno-omit-frame-pointer $(SAN_FLAGS)
CPPFLAGS += -D_GNU_SOURCE -I$(ARCH_INC)
LDFLAGS  += $(SAN_FLAGS)
# libpfm4 and libmicrohttpd are not linked: core/dl-lib.c loads them when
# stat/hwc or the agent's --metrics need them, so that the other commands do
# not pay for their relocations and dependencies at start-up.
LDLIBS   += -lbpf -lelf -lz -liberty -lpthread -lm -ldl

# Layers (docs/design.md), bottom up: core -> format -> collectors | analysis ->
# reports (renderers) -> commands.  Every include names its layer
# ("core/profile.h", "format/pprof.h", "bpf/span.h").  A file is compiled with
# -I$(BUILD)/inc/<its layer>, a directory holding one symlink per layer it may
# include and nothing else, so an include of any other layer does not build.
# tests/integration/test_layers.sh proves it both ways.
LAYER_DIR_core       := userspace/core
LAYER_DIR_format     := userspace/format
LAYER_DIR_collectors := collectors
LAYER_DIR_analysis   := reports/analysis
LAYER_DIR_reports    := reports
LAYER_DIR_bpf        := bpf
# What each layer may include (itself too).  bpf/ holds the kernel/user ABI:
# only core and collectors see it.  commands wire every layer but the BPF ABI.
LAYER_SEES_core       := core bpf
LAYER_SEES_format     := core format
LAYER_SEES_collectors := core format collectors bpf
LAYER_SEES_analysis   := core format analysis
LAYER_SEES_reports    := core format analysis reports
LAYER_SEES_commands   := core format collectors analysis reports
LAYER_SEES_bpf        := bpf
LAYER_SEES_tests      := core format collectors analysis reports bpf
LAYERS := core format collectors analysis reports commands bpf tests

# The layer of a source file, by its directory (most specific first).
layer_of = $(or $(if $(filter userspace/core/%,$1),core),$(if $(filter userspace/format/%,$1),format),$(if \
	$(filter collectors/%,$1),collectors),$(if $(filter reports/analysis/%,$1),analysis),$(if \
	$(filter reports/%,$1),reports),$(if $(filter userspace/%,$1),commands),$(error $1: in no layer))
# Include flags for source file $1; collectors also see the BPF skeletons.
layer_flags = -I$(BUILD)/inc/$(call layer_of,$1) $(if $(filter collectors,$(call layer_of,$1)),-I$(BUILD)/skel)
INC_TREES := $(patsubst %,$(BUILD)/inc/%/.tree,$(LAYERS))
# Test programs (unit tests, fuzz harnesses) see every layer, the BPF ABI and
# the commands' builtin.h; library objects they build use $(call layer_flags,$<).
TEST_CPPFLAGS = $(CPPFLAGS) -I$(BUILD)/inc/tests -Iuserspace -Itests/unit

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Wno-unused-function \
              -I$(BUILD) -I$(BUILD)/inc/bpf -I$(ARCH_INC)

CORE_SRCS   := $(wildcard userspace/core/*.c)
FORMAT_SRCS := $(wildcard userspace/format/*.c)
COLL_SRCS   := $(wildcard collectors/*.c)
ANALYSIS_SRCS := $(wildcard reports/analysis/*.c)
REPORT_SRCS := $(wildcard reports/*.c)
CMD_SRCS    := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
BPF_SRCS    := $(wildcard bpf/*.bpf.c)
SKELS       := $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))

LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRCS) $(FORMAT_SRCS) $(COLL_SRCS) \
                                            $(ANALYSIS_SRCS) $(REPORT_SRCS) $(CMD_SRCS))
LIB      := $(BUILD)/libpeerscope.a

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# Test programs that integration tests profile: known hot functions, frame pointers kept.
PROG_SRCS  := $(wildcard tests/progs/*.c)
PROGS      := $(patsubst tests/progs/%.c,$(BUILD)/progs/%,$(PROG_SRCS))
PROG_CFLAGS := -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -pthread -I$(ARCH_INC)

# Keep skeletons and BPF objects: they are intermediates make would delete.
.SECONDARY:

.PHONY: all deps check unit unit-build integration sanitize demo bench install clean layer-probe FORCE
all: $(BUILD)/peerscope $(PROGS) node

# The test P2P node and its network driver define their own rules (target: node).
-include tests/node/node.mk
# The suite of real P2P programs (target: check-real).
-include tests/real/real.mk
# libFuzzer harnesses of the parsers (targets: fuzz, fuzz-build).
-include tests/fuzz/fuzz.mk

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(VMLINUX_BTF) || { echo "peerscope: cannot read $(VMLINUX_BTF): kernel BTF missing (build a kernel with CONFIG_DEBUG_INFO_BTF=y or set VMLINUX_BTF=path)" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# One include tree per layer: a symlink per layer it may see (dangling until
# that layer's directory exists).  Rebuilt when the Makefile changes.
$(BUILD)/inc/%/.tree: Makefile
	@rm -rf $(@D) && mkdir -p $(@D)
	@$(foreach l,$(LAYER_SEES_$*),ln -s $(abspath $(LAYER_DIR_$l)) $(@D)/$l &&) touch $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(BUILD)/vmlinux.h | $(INC_TREES)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	@# DWARF is two thirds of an object and nothing reads it (BTF stays):
	@# every record hashes and parses what the skeleton embeds
	$(LLVM_STRIP) -g $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(SKELS) | $(INC_TREES)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(call layer_flags,$<) $(CFLAGS) -MMD -MP -c $< -o $@

# Check one file as if it sat at AS (a path in a layer directory): what
# tests/integration/test_layers.sh uses to try includes in every layer.
layer-probe: | $(INC_TREES)
	$(CC) $(CPPFLAGS) $(call layer_flags,$(AS)) $(CFLAGS) -fsyntax-only $(PROBE)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/peerscope: $(BUILD)/obj/userspace/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(INC_TREES)
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/progs/%: tests/progs/%.c $(wildcard tests/progs/*.h)
	@mkdir -p $(@D)
	$(CC) $(PROG_CFLAGS) -o $@ $< -lm

# no .eh_frame anywhere (static, then stripped): the unwinder has no table for it
$(BUILD)/progs/fp_only: tests/progs/fp_only.c
	@mkdir -p $(@D)
	$(CC) -O1 -static -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
		-fno-unwind-tables -o $@.tmp $<
	objcopy --remove-section .eh_frame --remove-section .eh_frame_hdr $@.tmp $@
	@rm -f $@.tmp

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Debian packages for the build and every test. Quick when all are present.
# libpfm4 and libmicrohttpd12 are named although their -dev packages pull
# them in: the binary loads them at run time, so no linker asks for them.
DEB_PKGS := make gcc clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libpfm4-dev libpfm4 \
            libcmocka-dev libiberty-dev systemtap-sdt-dev pkg-config iproute2 linux-perf \
            bpftrace libbpf-tools golang-go golang-github-google-pprof-dev chromium valgrind \
            libprotobuf-c-dev protobuf-c-compiler libmicrohttpd-dev libmicrohttpd12 prometheus \
            strace
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
	@$(MAKE) --no-print-directory -j$$(nproc) all unit-build
	@BUILD=$(BUILD) tests/run-all.sh $(BUILD)

sanitize:
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=1 CFLAGS="-O1 -g" unit

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/demo.sh

# bench/pprof-codec: our pprof codec against the one protobuf-c generates
# from pprof's profile.proto, as Debian ships it (golang-github-google-pprof-dev,
# from github.com/google/pprof, Apache-2.0).  Only the benchmark links it.
PROFILE_PROTO ?= /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
PBC_GEN := $(BUILD)/gen/profile.pb-c.c $(BUILD)/gen/profile.pb-c.h
$(PBC_GEN) &: $(PROFILE_PROTO)
	@mkdir -p $(@D)
	protoc-c --proto_path=$(<D) --c_out=$(@D) $<
$(BUILD)/bench/pprof-codec: bench/pprof-codec.c bench/pprof-pbc.c $(PBC_GEN) $(LIB) | $(INC_TREES)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BUILD)/inc/commands -I$(BUILD)/gen $(CFLAGS) $(LDFLAGS) -o $@ \
		bench/pprof-codec.c bench/pprof-pbc.c $(BUILD)/gen/profile.pb-c.c $(LIB) $(LDLIBS) -lprotobuf-c

bench: all $(BUILD)/bench/pprof-codec
	@BUILD=$(BUILD) bench/run.sh

install: $(BUILD)/peerscope
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/peerscope $(DESTDIR)$(PREFIX)/bin/peerscope
	install -m 0644 docs/peerscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/peerscope.1

clean:
	rm -rf build build-san
