/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What advise, explain and what-if share: -o text|yaml|json, --cpu-map
 * and the input options.
 */
#include "virt-caps/commands.h"

void
vc_map_cmd_init(struct vc_map_cmd *m)
{
	*m = (struct vc_map_cmd){.format = VC_OUTPUT_TEXT};
	vc_input_init(&m->in);
}

/*
 * An empty DIR would read "/index.xml"; a second --cpu-map would silently
 * replace the first, so the report could rank with a map the user did
 * not mean.
 */
static int
set_cpu_map(struct vc_map_cmd *m, const char *arg)
{
	if (m->cpu_map)
		return vc_cli_usage_error("--cpu-map given twice");
	if (strempty(arg))
		return vc_cli_usage_error("--cpu-map needs a directory");
	m->cpu_map = arg;
	return 0;
}

int
vc_map_cmd_option(struct vc_map_cmd *m, int c, const char *arg)
{
	switch (c) {
	case 'o':
		return vc_cli_output(arg,
				     VC_OUTPUT_BIT(VC_OUTPUT_TEXT) |
					     VC_OUTPUT_BIT(VC_OUTPUT_YAML) |
					     VC_OUTPUT_BIT(VC_OUTPUT_JSON),
				     &m->format);
	case VC_OPT_CPU_MAP:
		return set_cpu_map(m, arg);
	}
	return vc_input_option(&m->in, c, arg);
}
