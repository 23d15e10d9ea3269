// SPDX-License-Identifier: MIT
/* Placeholder until the owner of 'peerscope report' lands it. */
#include "builtin.h"
#include "core/log.h"

int cmd_report(int argc, char **argv)
{
	ps_err("report: not built yet");
	return PS_EXIT_ERROR;
}
