// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope stat' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_stat(int argc, char **argv)
{
	ps_err("stat: not built yet");
	return PS_EXIT_ERROR;
}
