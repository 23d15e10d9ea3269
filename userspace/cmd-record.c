// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope record' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_record(int argc, char **argv)
{
	ps_err("record: not built yet");
	return PS_EXIT_ERROR;
}
