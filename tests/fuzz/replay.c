/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A main() for the fuzz targets without libFuzzer: runs each file named on
 * the command line (directories: each file in them) through the target
 * once, so that the seeds and every crash ever found run in the normal
 * test suite, under gcc, ASan+UBSan and valgrind.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-common.h"
#include "virt-caps/util.h"

static int
run_file(const char *path, unsigned *count)
{
	_autofree_ char *data = NULL;
	_autofree_ uint8_t *exact = NULL;
	size_t len;

	if (vc_read_file(path, 1 << 24, &data, &len) < 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	/* Exactly len bytes, no NUL after them, as libFuzzer passes them:
	 * a parser that reads past its length is caught by ASan/valgrind. */
	exact = xzalloc(len ? len : 1);
	memcpy(exact, data, len);
	LLVMFuzzerTestOneInput(exact, len);
	(*count)++;
	return 0;
}

static int
run_path(const char *path, unsigned *count)
{
	struct stat st;
	struct dirent **list;
	int n, rc = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	n = scandir(path, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		_autofree_ char *p = xasprintf("%s/%s", path, list[i]->d_name);

		if (list[i]->d_name[0] != '.' && rc == 0)
			rc = run_path(p, count);
		free(list[i]);
	}
	free(list);
	return n < 0 ? -1 : rc;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			return 1;
	printf("%s: %u inputs replayed\n", argv[0], count);
	return count > 0 ? 0 : 1;
}
