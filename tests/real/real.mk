# tests/real/real.mk - the suite of real P2P programs (tests/real,
# docs/real-nodes.md).  Included by the top-level Makefile.
#
#   make check-real    every program, every assertion (root; installs the
#                      Debian and npm packages it needs; a few minutes)
# make check runs the short form through tests/integration/test_real_nodes.sh.

.PHONY: check-real
check-real: $(BUILD)/peerscope
	@BUILD=$(BUILD) tests/real/run.sh
