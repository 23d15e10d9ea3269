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

# The layers below the collectors and commands: what the parsers live in.
FUZZ_LIB_SRCS := $(CORE_SRCS) $(FORMAT_SRCS) $(ANALYSIS_SRCS) $(REPORT_SRCS)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB      := $(FUZZ_BUILD)/libpeerscope-fuzz.a
FUZZ_SRCS     := $(wildcard $(FUZZ_DIR)/fuzz_*.c)
FUZZERS       := $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZERS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) $(FUZZ_DIR)/run.sh $(FUZZ_SECONDS)

$(FUZZ_BUILD)/obj/%.o: %.c $(SKELS) | $(INC_TREES)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(call layer_flags,$<) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz.h $(FUZZ_LIB) | $(INC_TREES)
	$(FUZZ_CC) $(TEST_CPPFLAGS) -I$(FUZZ_DIR) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
