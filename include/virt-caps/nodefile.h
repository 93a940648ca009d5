/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A node-list file for `caps-aggregate -f`: the output of
 * `kubectl get nodes -o json` or `-o yaml` ("-": standard input), read in
 * chunks and streamed to the node callback, never held whole. The format
 * is told by the first byte that is not blank: '{' or '[' is JSON,
 * anything else is read as YAML.
 */
#pragma once

#include "virt-caps/nodelist.h"

struct vc_nodefile_opts {
	vc_nodelist_fn *node; /* each node, as the readers hand it out */
	/* Keep only labels this accepts (NULL: every label). */
	bool (*want)(void *data, const char *key, size_t len);
	void *data;
};

/**
 * Read @path. Returns the number of nodes read (at least one), or
 * -EINVAL after one line naming the input: unreadable, not a node list
 * in either format, or a list without nodes.
 */
long vc_nodefile_read(const char *path, const struct vc_nodefile_opts *o);
