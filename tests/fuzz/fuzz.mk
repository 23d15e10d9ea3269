# tests/fuzz/fuzz.mk - libFuzzer harnesses of every parser that reads input
# peerscope does not control.  Included by the top-level Makefile.
#
#   make fuzz             every harness for FUZZ_SECONDS (default 60) each
#   make fuzz-build       only build them ($(BUILD)/fuzz/fuzz_*)
#
# Seeds: tests/fuzz/seeds/NAME (small, checked in) plus corpora made at fuzz
# time from this machine's files (tests/fuzz/corpus.sh).  Inputs that once
# crashed a parser live in tests/fuzz/regress/NAME and are replayed first.
# New crashes are kept in $(BUILD)/fuzz/crashes/NAME/.

FUZZ_DIR      := tests/fuzz
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    := $(BUILD)/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   := -O1 -g -fno-omit-frame-pointer -std=gnu11 $(FUZZ_SAN)
FUZZ_CPPFLAGS := $(CPPFLAGS) -Iuserspace/format -Ireports/analysis -I$(FUZZ_DIR)

# The layers below the collectors and commands: what the parsers live in.
FUZZ_LIB_SRCS := $(wildcard userspace/core/*.c userspace/format/*.c reports/analysis/*.c) \
                 $(REPORT_SRCS)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB      := $(FUZZ_BUILD)/libpeerscope-fuzz.a
FUZZ_SRCS     := $(wildcard $(FUZZ_DIR)/fuzz_*.c)
FUZZERS       := $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZERS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) $(FUZZ_DIR)/run.sh $(FUZZ_SECONDS)

$(FUZZ_BUILD)/obj/%.o: %.c $(SKELS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
