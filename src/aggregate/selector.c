/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/selector.h"

#include <ctype.h>
#include <errno.h>

#include "virt-caps/log.h"

/* As the API server would: a valid label key, and a valid value. */
static int
check_term(const char *t, const char *key, const char *value)
{
	const char *why = NULL;

	if (strempty(key)) {
		vc_err("selector term '%s' has no label key", t);
		return -EINVAL;
	}
	if (!vc_label_key_valid(key, &why)) {
		vc_err("selector term '%s': '%s' is not a label key: %s", t, key, why);
		return -EINVAL;
	}
	if (!vc_label_value_valid(value, &why)) {
		vc_err("selector term '%s': '%s' is not a label value: %s", t, value,
		       why);
		return -EINVAL;
	}
	return 0;
}

static int
parse_term(const char *t, struct vc_selector *sel)
{
	const char *ne = strstr(t, "!="), *eq = strchr(t, '=');
	const char *val = "";
	size_t klen = strlen(t);
	char op = 'e';

	if (strstr(t, " in ") || strstr(t, " notin ") || strchr(t, '(')) {
		vc_err("selector '%s': set-based terms are not supported with -f; use k=v, k!=v, k, !k",
		       t);
		return -EINVAL;
	}
	if (ne) {
		op = '!';
		klen = (size_t)(ne - t);
		val = ne + 2;
	} else if (eq) {
		op = '=';
		klen = (size_t)(eq - t);
		val = eq[1] == '=' ? eq + 2 : eq + 1;
	} else if (*t == '!') {
		op = 'n';
		t++;
		klen--;
	}
	vc_strv_push_owned(&sel->keys, vc_trim(xstrndup(t, klen)));
	vc_strv_push_owned(&sel->values, vc_trim(xstrdup(val)));
	sel->ops = xrealloc(sel->ops, sel->n + 1);
	sel->ops[sel->n++] = op;
	return check_term(t, sel->keys.v[sel->n - 1], sel->values.v[sel->n - 1]);
}

int
vc_selector_parse(const char *s, struct vc_selector *sel)
{
	struct vc_strv terms = {0};
	size_t commas = 0;
	int rc = 0;

	vc_strv_split(&terms, s, ",");
	for (const char *c = s; *c; c++)
		commas += *c == ',';
	/* "" selects everything, as with kubectl; an empty term is an error. */
	for (size_t i = 0; i < terms.n; i++)
		if (strempty(vc_trim(terms.v[i])))
			commas = SIZE_MAX;
	if (commas && commas != terms.n - 1) {
		vc_err("selector '%s' has an empty term", s);
		rc = -EINVAL;
	}
	for (size_t i = 0; i < terms.n && rc == 0; i++)
		rc = parse_term(terms.v[i], sel);
	vc_strv_clear(&terms);
	if (rc < 0)
		vc_selector_clear(sel); /* nothing for the caller to free on error */
	return rc;
}

static const char *
lookup(const struct vc_label_ref *labels, size_t n, const char *key, bool *found)
{
	for (size_t i = 0; i < n; i++) {
		if (streq(labels[i].key, key)) {
			*found = true;
			return labels[i].value ? labels[i].value : "";
		}
	}
	*found = false;
	return NULL;
}

bool
vc_selector_match(const struct vc_selector *sel, const struct vc_label_ref *labels,
		  size_t n)
{
	for (size_t i = 0; i < sel->n; i++) {
		bool found;
		const char *v = lookup(labels, n, sel->keys.v[i], &found);
		bool ok;

		switch (sel->ops[i]) {
		case '=':
			ok = found && streq(v, sel->values.v[i]);
			break;
		case '!':
			ok = !found || !streq(v, sel->values.v[i]);
			break;
		case 'e':
			ok = found;
			break;
		default:
			ok = !found;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

void
vc_selector_clear(struct vc_selector *sel)
{
	vc_strv_clear(&sel->keys);
	vc_strv_clear(&sel->values);
	free(sel->ops);
	memset(sel, 0, sizeof(*sel));
}
