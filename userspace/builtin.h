/* SPDX-License-Identifier: MIT */
/* The subcommands: one cmd-<name>.c each, listed in main.c. */
#ifndef PEERSCOPE_BUILTIN_H
#define PEERSCOPE_BUILTIN_H

int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_flame(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif /* PEERSCOPE_BUILTIN_H */
