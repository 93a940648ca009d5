/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodelist.h"

#include <errno.h>
#include <yajl/yajl_parse.h>

#include "nodeitems.h"

/* yajl's events go straight to the decoding shared with the YAML reader
 * (nodeitems.c); what is left here is yajl and its errors. */
struct vc_nodelist {
	yajl_handle h;
	struct vc_nodeitems *it;
	size_t fed;
};

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	return vc_nodeitems_scalar(ctx, (const char *)s, len);
}

static int
on_null(void *ctx)
{
	return vc_nodeitems_scalar(ctx, NULL, 0);
}

static int
on_bool(void *ctx, int v)
{
	return vc_nodeitems_scalar(ctx, NULL, 0);
}

static int
on_number(void *ctx, const char *s, size_t len)
{
	return vc_nodeitems_scalar(ctx, NULL, 0);
}

static int
on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	return vc_nodeitems_key(ctx, (const char *)s, len);
}

static int
on_start_map(void *ctx)
{
	return vc_nodeitems_start_map(ctx);
}

static int
on_end_map(void *ctx)
{
	return vc_nodeitems_end_map(ctx);
}

static int
on_start_array(void *ctx)
{
	return vc_nodeitems_start_seq(ctx);
}

static int
on_end_array(void *ctx)
{
	return vc_nodeitems_end_seq(ctx);
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

struct vc_nodelist *
vc_nodelist_new(const char *what, vc_nodelist_fn *fn, void *data)
{
	struct vc_nodelist *p = xzalloc(sizeof(*p));

	p->it = vc_nodeitems_new(VC_NODEITEMS_JSON, what, fn, data);
	p->h = yajl_alloc(&callbacks, NULL, p->it);
	if (!p->h)
		abort();
	return p;
}

void
vc_nodelist_free(struct vc_nodelist *p)
{
	if (!p)
		return;
	yajl_free(p->h);
	vc_nodeitems_free(p->it);
	free(p);
}

static int
check_status(struct vc_nodelist *p, yajl_status st, const unsigned char *buf, size_t len)
{
	unsigned char *msg;

	if (st == yajl_status_ok)
		return 0;
	if (vc_nodeitems_failed(p->it)) /* our callback stopped it and said why */
		return -EINVAL;
	msg = yajl_get_error(p->h, 0, buf, len);
	vc_nodeitems_fail(p->it, "invalid JSON near byte %zu: %s",
			  p->fed + yajl_get_bytes_consumed(p->h), (const char *)msg);
	yajl_free_error(p->h, msg);
	return -EINVAL;
}

int
vc_nodelist_feed(struct vc_nodelist *p, const void *buf, size_t len)
{
	int rc;

	if (vc_nodeitems_failed(p->it))
		return -EINVAL;
	rc = check_status(p, yajl_parse(p->h, buf, len), buf, len);
	p->fed += len;
	return rc;
}

int
vc_nodelist_finish(struct vc_nodelist *p)
{
	yajl_status st;

	if (vc_nodeitems_failed(p->it))
		return -EINVAL;
	st = yajl_complete_parse(p->h); /* may still call back, e.g. a bare number */
	/* Without a document, "empty input" says more than yajl would. */
	if (vc_nodeitems_started(p->it) && check_status(p, st, NULL, 0) < 0)
		return -EINVAL;
	return vc_nodeitems_finish(p->it);
}

void
vc_nodelist_set_filter(struct vc_nodelist *p,
		       bool (*want)(void *data, const char *key, size_t len))
{
	vc_nodeitems_set_filter(p->it, want);
}

const char *
vc_nodelist_continue(const struct vc_nodelist *p)
{
	return vc_nodeitems_continue(p->it);
}

size_t
vc_nodelist_count(const struct vc_nodelist *p)
{
	return vc_nodeitems_count(p->it);
}
