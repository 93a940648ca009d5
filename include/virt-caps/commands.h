/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate's subcommands. Each takes argv from its own name on
 * (argv[0] is "diff", "advise"...) and returns the exit status.
 */
#pragma once

typedef int vc_command_fn(int argc, char **argv);

/** The subcommand @name names, or NULL when it names none. */
vc_command_fn *vc_aggregate_command(const char *name);

int vc_cmd_diff(int argc, char **argv);
int vc_cmd_advise(int argc, char **argv);
int vc_cmd_whatif(int argc, char **argv);
int vc_cmd_explain(int argc, char **argv);
