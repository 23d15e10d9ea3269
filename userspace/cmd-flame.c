// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope flame' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_flame(int argc, char **argv)
{
	ps_err("flame: not built yet");
	return PS_EXIT_ERROR;
}
