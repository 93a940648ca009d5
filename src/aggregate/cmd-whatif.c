/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate what-if NODE_REPORT...`: what adding (or replacing, or
 * removing) nodes would change in global_caps and in advise's advice.
 */
#include <errno.h>

#include "virt-caps/cli.h"
#include "virt-caps/commands.h"
#include "virt-caps/input.h"
#include "virt-caps/log.h"
#include "virt-caps/whatif.h"

struct options {
	struct vc_map_cmd cmd;
	struct vc_strv remove;
};

static const char usage_text[] =
	"Usage: caps-aggregate what-if [OPTION]... NODE_REPORT...\n"
	"       caps-aggregate what-if [OPTION]... --remove=NODE [NODE_REPORT]...\n"
	"Show what the cluster would gain or lose with other nodes: each NODE_REPORT\n"
	"is a node report printed by `caps-probe -o yaml` or `-o json` (for example\n"
	"`caps-probe --from-dir DIR -o yaml` on files saved from a machine you are\n"
	"about to buy or upgrade; '-' is standard input). A report is added to the\n"
	"cluster as the labels caps-probe would give the node, replacing the node of\n"
	"the same name (its node_name) when there is one. Nodes given with --remove\n"
	"are taken away first; a node cannot be both removed and in a report (a\n"
	"report replaces the node of its name already).\n"
	"-l/--selector chooses the cluster's nodes only: reports are the question\n"
	"asked and are always added, whatever their labels (-v says so).\n"
	"\n"
	"Printed: per arch, the models that would leave or join global_caps; per pool\n"
	"(see caps-aggregate advise --help) the recommended model and extra features\n"
	"before and after, and pools that would appear or disappear.\n"
	"\n" VC_INPUT_HELP "\n"
	"What-if:\n"
	"      --remove=NODE         take NODE away (repeatable, each NODE once); a\n"
	"                            NODE the cluster does not have is an error\n" VC_MAP_CMD_HELP
	"\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 no model would leave global_caps, 1 a model would leave it,\n"
	"2 usage error (also --remove NODE twice, or of a node that has a report),\n"
	"3 bad input (nodes; a file that is not one caps-probe node report, or\n"
	"whose node_name, names or values cannot be labels; two reports of one\n"
	"node; --remove of an unknown node; CPU map), 4 API failure, 5 standard\n"
	"output could not be written.\n";

enum {
	OPT_REMOVE = VC_OPT_MAP_CMD_END,
};

static const struct option whatif_options[] = {
	VC_MAP_CMD_LONG_OPTIONS,
	{"remove", required_argument, NULL, OPT_REMOVE},
	{NULL, 0, NULL, 0},
};

static int
set_whatif_option(void *ctx, int c, const char *arg)
{
	struct options *o = ctx;

	if (c == OPT_REMOVE) {
		for (size_t i = 0; i < o->remove.n; i++)
			if (streq(o->remove.v[i], arg))
				return vc_cli_usage_error("--remove %s given twice", arg);
		vc_strv_push(&o->remove, arg);
		return 0;
	}
	return vc_map_cmd_option(&o->cmd, c, arg);
}

static int
check_operands(struct options *o, int argc, char **argv)
{
	size_t stdin_uses = 0;

	if (optind == argc && !o->remove.n)
		return vc_cli_usage_error("what-if needs a node report or --remove NODE");
	for (int i = optind; i < argc; i++)
		stdin_uses += vc_is_stdin(argv[i]);
	for (size_t i = 0; i < o->cmd.in.files.n; i++)
		stdin_uses += vc_is_stdin(o->cmd.in.files.v[i]);
	if (stdin_uses > 1)
		return vc_cli_usage_error(
			"what-if: standard input ('-') can be read only once");
	return vc_input_check(&o->cmd.in);
}

/* A report replaces the node of its name: removing it too says two
 * contradictory things. A usage error, found once the reports are read. */
static int
check_removed(const struct options *o, const struct vc_node *n, const char *path)
{
	for (size_t i = 0; i < o->remove.n; i++)
		if (streq(o->remove.v[i], n->name))
			return vc_cli_usage_error(
				"%s is both removed and in a report (%s): a "
				"report replaces a node of its name",
				n->name, vc_input_name(path));
	return 0;
}

/* Every report, before any node is listed: a bad file fails fast. */
static enum vc_exit
read_reports(const struct options *o, char **paths, int n, struct vc_node *nodes)
{
	for (int i = 0; i < n; i++) {
		if (vc_whatif_read_report(paths[i], &nodes[i]) < 0)
			return VC_EXIT_DATA;
		if (check_removed(o, &nodes[i], paths[i]) < 0)
			return VC_EXIT_USAGE;
		for (int k = 0; k < i; k++)
			if (streq(nodes[k].name, nodes[i].name)) {
				vc_err("%s: node %s has a report already (%s)",
				       vc_input_name(paths[i]), nodes[i].name,
				       vc_input_name(paths[k]));
				return VC_EXIT_DATA;
			}
	}
	if (n && o->cmd.in.selector)
		vc_info("-l %s selects the cluster's nodes; the %d report%s %s added "
			"whatever %s labels",
			o->cmd.in.selector, n, vc_plural((size_t)n),
			n == 1 ? "is" : "are", n == 1 ? "its" : "their");
	return VC_EXIT_OK;
}

static int
print_whatif(enum vc_output f, const struct vc_whatif *w)
{
	struct vc_out *out;

	if (f == VC_OUTPUT_TEXT)
		return vc_cli_write_text(vc_whatif_text(w));
	for (size_t i = 0; i < w->warnings.n; i++)
		vc_warn("%s", w->warnings.v[i]);
	out = vc_out_new(vc_cli_format(f));
	vc_whatif_write(out, w);
	return vc_cli_write_out(out, "what-if result");
}

struct state {
	struct vc_cpumap map;
	struct vc_cluster c;
	struct vc_summary s;
	struct vc_whatif_global before, after;
	struct vc_whatif w;
	struct vc_node *nodes;
	int n_nodes;
};

/* Take nodes away, add the reports, and compare. */
static enum vc_exit
change(struct options *o, struct state *st)
{
	for (size_t i = 0; i < o->remove.n; i++) {
		if (!vc_cluster_remove(&st->c, o->remove.v[i])) {
			vc_err("--remove %s: the cluster has no node %s", o->remove.v[i],
			       o->remove.v[i]);
			return VC_EXIT_DATA;
		}
		vc_strv_push(&st->w.removed, o->remove.v[i]);
	}
	for (int i = 0; i < st->n_nodes; i++) {
		struct vc_strv *l = &st->w.added;

		if (vc_whatif_add(&st->c, &st->nodes[i]))
			l = &st->w.replaced;
		vc_strv_push(l, st->nodes[i].name);
	}
	vc_cluster_sort(&st->c);
	vc_summary_clear(&st->s);
	vc_cluster_summarize(&st->c, &st->s);
	vc_whatif_global_take(&st->c, &st->s, &st->after);
	vc_advise_compute(&st->c, &st->s, &st->map, &st->w.after);
	vc_whatif_compare(&st->before, &st->after, &st->w);
	return VC_EXIT_OK;
}

static enum vc_exit
run_whatif(struct options *o, struct state *st, char **paths)
{
	enum vc_exit rc;

	if (vc_cpumap_load(o->cmd.cpu_map, &st->map) < 0)
		return VC_EXIT_DATA;
	rc = read_reports(o, paths, st->n_nodes, st->nodes);
	if (rc != VC_EXIT_OK)
		return rc;
	rc = vc_input_load(&o->cmd.in, &st->c, &st->s);
	if (rc != VC_EXIT_OK)
		return rc;
	vc_whatif_global_take(&st->c, &st->s, &st->before);
	vc_advise_compute(&st->c, &st->s, &st->map, &st->w.before);
	/* It borrows node names, which removing or replacing a node frees;
	 * what-if compares pools, not nodes. */
	vc_advise_drop_nodes(&st->w.before);
	rc = change(o, st);
	if (rc != VC_EXIT_OK)
		return rc;
	if (print_whatif(o->cmd.format, &st->w) < 0)
		return VC_EXIT_OUTPUT;
	return st->w.loss ? VC_EXIT_LOSS : VC_EXIT_OK;
}

static void
state_clear(struct state *st)
{
	for (int i = 0; i < st->n_nodes; i++)
		vc_node_clear(&st->nodes[i]);
	free(st->nodes);
	vc_whatif_clear(&st->w);
	vc_whatif_global_clear(&st->before);
	vc_whatif_global_clear(&st->after);
	vc_summary_clear(&st->s);
	vc_cluster_clear(&st->c);
	vc_cpumap_clear(&st->map);
}

int
vc_cmd_whatif(int argc, char **argv)
{
	struct options o = {0};
	const struct vc_cli cli = {
		.subcommand = "what-if",
		.usage = usage_text,
		.short_opts = VC_MAP_CMD_SHORT_OPTS,
		.long_opts = whatif_options,
		.option = set_whatif_option,
		.ctx = &o,
	};
	struct state st = {0};
	int rc;

	vc_map_cmd_init(&o.cmd);
	rc = vc_cli_parse(&cli, argc, argv);
	if (rc == VC_CLI_RUN)
		rc = check_operands(&o, argc, argv);
	if (rc == VC_CLI_RUN) {
		st.n_nodes = argc - optind;
		st.nodes = xzalloc(((size_t)st.n_nodes + 1) * sizeof(*st.nodes));
		rc = run_whatif(&o, &st, argv + optind);
	} else {
		rc = vc_cli_exit(rc);
	}
	state_clear(&st);
	vc_strv_clear(&o.remove);
	vc_input_clear(&o.cmd.in);
	return rc;
}
