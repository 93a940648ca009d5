/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/health.h"

void
vc_probe_outcome_clear(struct vc_probe_outcome *o)
{
	free(o->virttype);
	free(o->host_model);
	free(o->error);
	memset(o, 0, sizeof(*o));
}
