/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate's subcommands. Each takes argv from its own name on
 * (argv[0] is "diff", "advise"...) and returns the exit status. advise,
 * explain and what-if share the input options, -o and --cpu-map.
 */
#pragma once

#include "virt-caps/cli.h"
#include "virt-caps/cpumap.h"
#include "virt-caps/input.h"

typedef int vc_command_fn(int argc, char **argv);

/** The subcommand @name names, or NULL when it names none. */
vc_command_fn *vc_aggregate_command(const char *name);

int vc_cmd_diff(int argc, char **argv);
int vc_cmd_advise(int argc, char **argv);
int vc_cmd_whatif(int argc, char **argv);
int vc_cmd_explain(int argc, char **argv);

/* The options of the commands that read the cluster and the CPU map. */
struct vc_map_cmd {
	struct vc_input in;
	enum vc_output format; /* text, yaml or json */
	const char *cpu_map;   /* --cpu-map, NULL: the default map */
};

enum {
	VC_OPT_CPU_MAP = VC_OPT_INPUT_END,
	VC_OPT_MAP_CMD_END, /* a command's own long-only options start here */
};

#define VC_MAP_CMD_SHORT_OPTS VC_INPUT_SHORT_OPTS "o:"
#define VC_MAP_CMD_LONG_OPTIONS                                                          \
	VC_INPUT_LONG_OPTIONS, {"output", required_argument, NULL, 'o'},                 \
	{                                                                                \
		"cpu-map", required_argument, NULL, VC_OPT_CPU_MAP                       \
	}

#define VC_MAP_CMD_HELP                                                                  \
	"  -o, --output=FORMAT       text (default), yaml or json\n"                     \
	"      --cpu-map=DIR         libvirt's CPU map (default\n"                       \
	"                            " VC_CPUMAP_DEFAULT_DIR "); the output\n"           \
	"                            names the libvirt version it came from\n"           \
	"                            (DIR/libvirt-version, else the Debian\n"            \
	"                            package that installed it)\n"

/** Defaults: the API, text output, the default map. */
void vc_map_cmd_init(struct vc_map_cmd *m);

/**
 * Take option @c when it is -o, --cpu-map or an input option: 0 when
 * taken, -EINVAL after a usage error, 1 when it is none of them.
 */
int vc_map_cmd_option(struct vc_map_cmd *m, int c, const char *arg);
