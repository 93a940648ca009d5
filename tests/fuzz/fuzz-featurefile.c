/* SPDX-License-Identifier: Apache-2.0 */
/* The NFD feature-file reader (directives, expiry, key=value lines). */
#include "fuzz-common.h"
#include "probe/featurefile-private.h"
#include "virt-caps/featurefile.h"
#include "virt-caps/labels.h"
#include "virt-caps/util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_labels l = {0};
	long long expiry;
	_autofree_ char *s = xzalloc(size + 1);

	fuzz_init();
	vc_featurefile_parse((const char *)data, size, 1800000000, &l, &expiry);
	vc_labels_clear(&l);
	/* The RFC 3339 parser on its own, as a NUL-terminated string. */
	memcpy(s, data, size);
	s[size] = '\0';
	vc_parse_rfc3339(s, &expiry);
	return 0;
}
