/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/kubevirt.h"

#include "virt-caps/util.h"

/* KubeVirt's DefaultObsoleteCPUModels (pkg/virt-handler/node-labeller/util). */
const char *const vc_kubevirt_obsolete_models[] = {
	"486",         "486-v1",        "pentium",     "pentium-v1",    "pentium2",
	"pentium2-v1", "pentium3",      "pentium3-v1", "pentiumpro",    "pentiumpro-v1",
	"coreduo",     "coreduo-v1",    "n270",        "n270-v1",       "core2duo",
	"core2duo-v1", "Conroe",        "Conroe-v1",   "athlon",        "athlon-v1",
	"phenom",      "phenom-v1",     "qemu64",      "qemu64-v1",     "qemu32",
	"qemu32-v1",   "kvm64",         "kvm64-v1",    "kvm32",         "kvm32-v1",
	"Opteron_G1",  "Opteron_G1-v1", "Opteron_G2",  "Opteron_G2-v1",
};

const size_t vc_kubevirt_n_obsolete_models = ARRAY_LENGTH(vc_kubevirt_obsolete_models);

bool
vc_kubevirt_obsolete(const char *model)
{
	for (size_t i = 0; i < vc_kubevirt_n_obsolete_models; i++)
		if (streq(model, vc_kubevirt_obsolete_models[i]))
			return true;
	return false;
}
