/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubeconfig YAML, loaded from a file as caps-aggregate does (the loader
 * takes a path: files it names, certificates and tokens, are read too).
 * Loaded with the current context and with a named one.
 */
#include <unistd.h>

#include "fuzz-common.h"
#include "virt-caps/kubeconfig.h"
#include "virt-caps/util.h"

static char path[64];

static int
write_input(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/vc-fuzz-kubeconfig-%ld",
			 (long)getpid());
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(data, 1, size, f);
	return fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_kube_config c;

	fuzz_init();
	if (write_input(data, size) < 0)
		return 0;
	if (vc_kube_config_load(path, NULL, &c) == 0)
		vc_kube_config_clear(&c);
	if (vc_kube_config_load(path, "ctx", &c) == 0)
		vc_kube_config_clear(&c);
	return 0;
}
