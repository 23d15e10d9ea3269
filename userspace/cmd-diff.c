// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope diff' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_diff(int argc, char **argv)
{
	ps_err("diff: not built yet");
	return PS_EXIT_ERROR;
}
