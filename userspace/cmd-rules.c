// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope rules' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_rules(int argc, char **argv)
{
	ps_err("rules: not built yet");
	return PS_EXIT_ERROR;
}
