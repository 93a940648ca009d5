/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate explain MODEL [NODE...]`: why MODEL is or is not usable
 * on each node; exit 1 when it is not usable on every node explained.
 */
#include <errno.h>

#include "virt-caps/cli.h"
#include "virt-caps/commands.h"
#include "virt-caps/explain.h"
#include "virt-caps/input.h"
#include "virt-caps/labels.h"
#include "virt-caps/log.h"

static const char usage_text[] =
	"Usage: caps-aggregate explain [OPTION]... MODEL [NODE]...\n"
	"Say, for every node (or each NODE named), whether the CPU model MODEL is\n"
	"usable there and, when it is not, why. Each node gets one status:\n"
	"  usable          the node has MODEL's cpu-model label: VMs with that\n"
	"                  cpuModel can run there\n"
	"  migration-only  only a cpu-model-migration label: QEMU knows MODEL but\n"
	"                  the host cannot run it, so a VM with that cpuModel cannot\n"
	"                  start there; a host-model VM whose host CPU is MODEL may\n"
	"                  still migrate there. The features it lacks are listed\n"
	"  not-usable      no label for MODEL, and the node carries no migration\n"
	"                  labels at all (KubeVirt's labeller before PR #15694):\n"
	"                  the features it lacks are listed\n"
	"  unknown         the node has migration labels, none for MODEL: its QEMU\n"
	"                  does not know MODEL\n"
	"  obsolete        MODEL is on KubeVirt's obsolete list and never labelled\n"
	"  unprobed        the node has no capability labels\n"
	"\n"
	"The missing features are derived from libvirt's CPU map, not from the\n"
	"node's libvirt: MODEL's features minus the node's cpu-feature labels,\n"
	"minus vmx-* features and the features of the node's usable models (QEMU\n"
	"counts neither as a blocker). When the map does not know MODEL, or has no\n"
	"models for the node's arch, no list is given. `caps-probe -o yaml` on the\n"
	"node lists libvirt's exact blockers.\n"
	"\n" VC_INPUT_HELP "\n"
	"Explain:\n" VC_MAP_CMD_HELP "\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 MODEL is usable on every node explained, 1 it is not on at\n"
	"least one, 2 usage error, 3 bad input (file, JSON, YAML, kubeconfig, CPU\n"
	"map, a NODE not in the input, no node carries capability labels), 4 API\n"
	"failure, 5 standard output could not be written.\n";

static const struct option explain_options[] = {
	VC_MAP_CMD_LONG_OPTIONS,
	{NULL, 0, NULL, 0},
};

struct explain_opts {
	struct vc_map_cmd cmd;
	const char *model;
	struct vc_strv nodes;
};

static int
set_explain_option(void *ctx, int c, const char *arg)
{
	return vc_map_cmd_option(&((struct explain_opts *)ctx)->cmd, c, arg);
}

/* MODEL must be something a cpu-model label can name; then the NODEs. */
static int
check_operands(struct explain_opts *o, int argc, char **argv)
{
	const char *why;

	if (optind >= argc)
		return vc_cli_usage_error(
			"explain needs a CPU model: explain MODEL [NODE]...");
	o->model = argv[optind];
	if (!vc_label_name_valid(o->model, &why))
		return vc_cli_usage_error("explain: '%s' is not a CPU model name: %s",
					  o->model, why);
	for (int i = optind + 1; i < argc; i++)
		vc_strv_push(&o->nodes, argv[i]);
	return vc_input_check(&o->cmd.in);
}

static int
print_explain(enum vc_output f, const struct vc_explain *e)
{
	struct vc_out *out;

	if (f == VC_OUTPUT_TEXT)
		return vc_cli_write_text(vc_explain_text(e));
	out = vc_out_new(vc_cli_format(f));
	vc_explain_write(out, e);
	return vc_cli_write_out(out, "explanation");
}

/* Explain o->model on @c's nodes and print it. */
static enum vc_exit
explain_cluster(const struct explain_opts *o, const struct vc_cpumap *map,
		const struct vc_cluster *c)
{
	struct vc_explain e = {0};
	enum vc_exit rc;

	if (vc_explain_compute(c, map, o->model, &o->nodes, &e) < 0)
		rc = VC_EXIT_DATA;
	else if (print_explain(o->cmd.format, &e) < 0)
		rc = VC_EXIT_OUTPUT;
	else
		rc = e.all_usable ? VC_EXIT_OK : VC_EXIT_LOSS;
	vc_explain_clear(&e);
	return rc;
}

/* With @map loaded: read the nodes, then explain. */
static enum vc_exit
explain_with_map(struct explain_opts *o, const struct vc_cpumap *map)
{
	struct vc_cluster c = {0};
	struct vc_summary s = {0};
	enum vc_exit rc = vc_input_load(&o->cmd.in, &c, &s);

	if (rc == VC_EXIT_OK)
		rc = explain_cluster(o, map, &c);
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	return rc;
}

/* The map first: a wrong --cpu-map fails before the (slow) listing. */
static enum vc_exit
run_explain(struct explain_opts *o)
{
	struct vc_cpumap map = {0};
	enum vc_exit rc = VC_EXIT_DATA;

	if (vc_cpumap_load(o->cmd.cpu_map, &map) == 0)
		rc = explain_with_map(o, &map);
	vc_cpumap_clear(&map);
	return rc;
}

int
vc_cmd_explain(int argc, char **argv)
{
	struct explain_opts o = {0};
	const struct vc_cli cli = {
		.subcommand = "explain",
		.usage = usage_text,
		.short_opts = VC_MAP_CMD_SHORT_OPTS,
		.long_opts = explain_options,
		.option = set_explain_option,
		.ctx = &o,
	};
	int rc;

	vc_map_cmd_init(&o.cmd);
	rc = vc_cli_parse(&cli, argc, argv);
	if (rc == VC_CLI_RUN)
		rc = check_operands(&o, argc, argv);
	rc = rc == VC_CLI_RUN ? run_explain(&o) : vc_cli_exit(rc);
	vc_strv_clear(&o.nodes);
	vc_input_clear(&o.cmd.in);
	return rc;
}
