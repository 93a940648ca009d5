/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kept report: a ConfigMap (read and written with the API client of
 * kube.c, as the node listing's identity) or a file (the PVC overlay).
 * Order: read the previous report, compare, store the new one, and only
 * then let the caller print; a run that cannot store prints no report, so
 * the Job's log never shows a report that the next run will not compare
 * against. The store happens also when something was lost: the next
 * night compares with the newest state and alarms once per loss.
 */
#include "virt-caps/keep.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "virt-caps/cli.h"
#include "virt-caps/diff.h"
#include "virt-caps/execcred.h"
#include "virt-caps/kube.h"
#include "virt-caps/log.h"
#include "virt-caps/out.h"
#include "virt-caps/tree.h"

#define SA_NAMESPACE "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
#define PREVIOUS_MAX (256 * 1024 * 1024)

struct keeper {
	const struct vc_keep *k;
	const struct vc_input *in;
	struct vc_kube_config cfg;
	char *where; /* "configmap NS/NAME" or "file PATH", for messages */
	char *ns;
	char *path;         /* the ConfigMap's API path */
	char *rv;           /* resourceVersion read; NULL: no ConfigMap */
	struct vc_tree *cm; /* the ConfigMap read, updated in place; NULL: none */
	char *previous;     /* the kept report; NULL: none yet */
	size_t prev_len;
};

/* Store outcomes besides the exit codes. */
#define STORE_CONFLICT (-1)

int
vc_keep_parse(struct vc_keep *k, const char *arg)
{
	const char *slash = strchr(arg, '/');

	if (k->kind != VC_KEEP_NONE)
		return vc_cli_usage_error("--keep given twice");
	if (strncmp(arg, "file:", 5) == 0 && arg[5]) {
		*k = (struct vc_keep){.kind = VC_KEEP_FILE, .name = arg + 5, .ns = k->ns};
		return 0;
	}
	if (slash && slash[1] && !strchr(slash + 1, '/') &&
	    (strncmp(arg, "configmap/", 10) == 0 || strncmp(arg, "cm/", 3) == 0)) {
		*k = (struct vc_keep){
			.kind = VC_KEEP_CONFIGMAP, .name = slash + 1, .ns = k->ns};
		return 0;
	}
	return vc_cli_usage_error("--keep takes configmap/NAME or file:PATH, not '%s'",
				  arg);
}

/* --keep-namespace, else the pod's own namespace, else virt-caps. */
static char *
keep_namespace(const struct vc_keep *k)
{
	const char *dir = getenv("VIRT_CAPS_SERVICEACCOUNT_DIR");
	_autofree_ char *file = dir ? xasprintf("%s/namespace", dir) : NULL;
	_autofree_ char *text = NULL;
	size_t len = 0;

	if (k->ns)
		return xstrdup(k->ns);
	if (vc_read_file(file ? file : SA_NAMESPACE, 256, &text, &len) == 0 &&
	    !strempty(vc_trim(text)))
		return xstrdup(vc_trim(text));
	return xstrdup(VC_KEEP_DEFAULT_NAMESPACE);
}

/* ---- ConfigMap ---------------------------------------------------------------- */

static enum vc_exit
cm_open(struct keeper *kp)
{
	const struct vc_input *in = kp->in;

	kp->ns = keep_namespace(kp->k);
	kp->where = xasprintf("configmap %s/%s", kp->ns, kp->k->name);
	kp->path = xasprintf("/api/v1/namespaces/%s/configmaps/%s", kp->ns, kp->k->name);
	if (vc_kube_config_load(in->kubeconfig, in->context, &kp->cfg) < 0)
		return VC_EXIT_DATA;
	if (vc_execcred_apply(&kp->cfg, in->exec_timeout_s) < 0)
		return VC_EXIT_DATA;
	return VC_EXIT_OK;
}

/* 403 on the POST after a GET 404: the ConfigMap is missing, not the Role. */
static void
cm_create_refused(const struct keeper *kp, const char *sep, const char *message)
{
	vc_err("%s: the ConfigMap does not exist and user '%s' may not create it (403 Forbidden): re-apply manifests/aggregate, which ships it empty, or grant create on configmaps in namespace %s%s%s",
	       kp->where, kp->cfg.user, kp->ns, sep, message);
}

/* 401, 403 and other refusals: who, what, and the Role that allows it. */
static enum vc_exit
cm_refused(const struct keeper *kp, const char *verb, const struct vc_kube_reply *r)
{
	const char *sep = *r->message ? "; the server said: " : "";

	if (r->status == 401)
		vc_err("%s: the API server at %s did not accept the credentials of user '%s' (401 Unauthorized)%s%s",
		       kp->where, kp->cfg.server, kp->cfg.user, sep, r->message);
	else if (r->status == 403 && streq(verb, "create"))
		cm_create_refused(kp, sep, r->message);
	else if (r->status == 403)
		vc_err("%s: user '%s' may not %s it (403 Forbidden): it needs get and update on this one ConfigMap (the Role caps-aggregate-report of manifests/aggregate)%s%s",
		       kp->where, kp->cfg.user, verb, sep, r->message);
	else
		vc_err("%s: %s failed: HTTP %ld%s%s", kp->where, verb, r->status, sep,
		       r->message);
	return VC_EXIT_BACKEND;
}

/* A proxy's or gateway's page instead of the API's JSON. */
static bool
looks_like_json(const struct vc_buf *body)
{
	size_t i = 0;

	while (i < body->len && strchr(" \t\r\n", body->data[i]))
		i++;
	return i < body->len && body->data[i] == '{';
}

/* A map with at least one entry. */
static bool
has_entries(const struct vc_tree *t)
{
	return t && t->type == VC_T_MAP && t->n;
}

/*
 * Another ConfigMap of the same name, holding data of its own: taking it
 * over as a first run would overwrite someone's configuration.
 */
static bool
is_foreign(const struct keeper *kp, const struct vc_tree *t)
{
	const struct vc_tree *data = vc_tree_get(t, "data");

	if (vc_tree_get(data, VC_KEEP_KEY))
		return false;
	if (!has_entries(data) && !has_entries(vc_tree_get(t, "binaryData")))
		return false;
	vc_err("ConfigMap %s/%s holds other data and no %s: not ours; choose another name",
	       kp->ns, kp->k->name, VC_KEEP_KEY);
	return true;
}

/* The report and resourceVersion of a ConfigMap as the API returns it. */
static enum vc_exit
cm_take(struct keeper *kp, const struct vc_kube_reply *r)
{
	_autotree_ struct vc_tree *t = NULL;
	const char *rv, *report;

	if (!looks_like_json(&r->body)) {
		vc_err("%s: the API server's answer (HTTP 200, Content-Type %s) is not JSON",
		       kp->where, r->content_type ? r->content_type : "not given");
		return VC_EXIT_BACKEND;
	}
	t = vc_tree_parse(r->body.data, r->body.len, kp->where);
	if (!t)
		return VC_EXIT_BACKEND;
	rv = vc_tree_str(vc_tree_get(t, "metadata"), "resourceVersion");
	report = vc_tree_str(vc_tree_get(t, "data"), VC_KEEP_KEY);
	if (strempty(rv)) {
		vc_err("%s: the API server's answer has no metadata.resourceVersion",
		       kp->where);
		return VC_EXIT_BACKEND;
	}
	if (is_foreign(kp, t))
		return VC_EXIT_DATA;
	kp->rv = xstrdup(rv);
	if (!strempty(report)) {
		kp->previous = xstrdup(report);
		kp->prev_len = strlen(report);
	}
	kp->cm = steal(&t);
	return VC_EXIT_OK;
}

static enum vc_exit
cm_get(struct keeper *kp)
{
	struct vc_kube_reply r;
	enum vc_exit rc = VC_EXIT_BACKEND;
	enum vc_result res = vc_kube_request(&kp->cfg, kp->in->kube.timeout_s, "GET",
					     kp->path, NULL, &r);

	if (res != VC_OK)
		rc = vc_exit_for(res);
	else if (r.status == 200)
		rc = cm_take(kp, &r);
	else if (r.status == 404)
		rc = VC_EXIT_OK; /* the first run: created at the store */
	else
		rc = cm_refused(kp, "get", &r);
	vc_kube_reply_clear(&r);
	return rc;
}

/*
 * A scalar of the ConfigMap read, as it was: the tree keeps JSON numbers
 * and literals as unquoted text.
 */
static void
put_scalar(struct vc_out *o, const struct vc_tree *t)
{
	bool literal = !t->quoted;
	unsigned long long v;

	if (literal && (streq(t->text, "true") || streq(t->text, "false")))
		vc_out_bool(o, streq(t->text, "true"));
	else if (literal && vc_parse_uint(t->text, ULLONG_MAX, &v) == 0)
		vc_out_uint(o, v);
	else /* strings; other numbers: no such field in a ConfigMap */
		vc_out_str(o, t->text);
}

static void
put_tree(struct vc_out *o, const struct vc_tree *t)
{
	switch (t->type) {
	case VC_T_NULL:
		vc_out_null(o);
		return;
	case VC_T_SCALAR:
		put_scalar(o, t);
		return;
	case VC_T_LIST:
		vc_out_list_begin(o);
		for (size_t i = 0; i < t->n; i++)
			put_tree(o, t->items[i]);
		vc_out_list_end(o);
		return;
	case VC_T_MAP:
		vc_out_map_begin(o);
		for (size_t i = 0; i < t->n; i++) {
			vc_out_key(o, t->keys[i]);
			put_tree(o, t->items[i]);
		}
		vc_out_map_end(o);
		return;
	}
}

/* The data read with the report in place (added when missing). */
static void
put_data(struct vc_out *o, const struct vc_tree *data, const char *text)
{
	vc_out_key(o, "data");
	vc_out_map_begin(o);
	for (size_t i = 0; data && data->type == VC_T_MAP && i < data->n; i++) {
		if (streq(data->keys[i], VC_KEEP_KEY))
			continue;
		vc_out_key(o, data->keys[i]);
		put_tree(o, data->items[i]);
	}
	vc_out_key(o, VC_KEEP_KEY);
	vc_out_str(o, text);
	vc_out_map_end(o);
}

/*
 * The ConfigMap read, resourceVersion included, with only data.report
 * changed: PUT replaces the object, and its other keys, annotations
 * (kubectl's last-applied) and labels belong to whoever set them.
 */
static void
put_read(struct vc_out *o, const struct vc_tree *cm, const char *text)
{
	vc_out_map_begin(o);
	for (size_t i = 0; i < cm->n; i++) {
		if (streq(cm->keys[i], "data"))
			continue;
		vc_out_key(o, cm->keys[i]);
		put_tree(o, cm->items[i]);
	}
	put_data(o, vc_tree_get(cm, "data"), text);
	vc_out_map_end(o);
}

/* A new ConfigMap (none was read). */
static void
put_new(struct vc_out *o, const struct keeper *kp, const char *text)
{
	vc_out_map_begin(o);
	vc_out_key(o, "apiVersion");
	vc_out_str(o, "v1");
	vc_out_key(o, "kind");
	vc_out_str(o, "ConfigMap");
	vc_out_key(o, "metadata");
	vc_out_map_begin(o);
	vc_out_key(o, "name");
	vc_out_str(o, kp->k->name);
	vc_out_key(o, "namespace");
	vc_out_str(o, kp->ns);
	vc_out_key(o, "labels");
	vc_out_map_begin(o);
	vc_out_key(o, "app.kubernetes.io/name");
	vc_out_str(o, "caps-aggregate");
	vc_out_key(o, "app.kubernetes.io/part-of");
	vc_out_str(o, "virt-caps");
	vc_out_map_end(o);
	vc_out_map_end(o);
	put_data(o, NULL, text);
	vc_out_map_end(o);
}

static char *
cm_body(const struct keeper *kp, const char *text)
{
	_autoout_ struct vc_out *o = vc_out_new(VC_FMT_JSON);
	char *json = NULL;

	if (kp->cm)
		put_read(o, kp->cm, text);
	else
		put_new(o, kp, text);
	if (vc_out_finish(o, &json, NULL) < 0)
		abort(); /* memory output: only an allocation can fail */
	return json;
}

/* PUT over the ConfigMap read (POST when there was none). */
static int
cm_put(struct keeper *kp, const char *text)
{
	_autofree_ char *body = cm_body(kp, text);
	_autofree_ char *coll = xasprintf("/api/v1/namespaces/%s/configmaps", kp->ns);
	struct vc_kube_reply r;
	int rc = VC_EXIT_BACKEND;
	enum vc_result res =
		vc_kube_request(&kp->cfg, kp->in->kube.timeout_s, kp->cm ? "PUT" : "POST",
				kp->cm ? kp->path : coll, body, &r);

	if (res != VC_OK)
		rc = vc_exit_for(res);
	else if (r.status == 200 || r.status == 201)
		rc = VC_EXIT_OK;
	else if (r.status == 409)
		rc = STORE_CONFLICT; /* stale resourceVersion, or created meanwhile */
	else
		rc = cm_refused(kp, kp->cm ? "update" : "create", &r);
	vc_kube_reply_clear(&r);
	return rc;
}

/* ---- file (the PVC overlay) --------------------------------------------------- */

static enum vc_exit
file_get(struct keeper *kp)
{
	int rc = vc_read_file(kp->k->name, PREVIOUS_MAX, &kp->previous, &kp->prev_len);

	if (rc == -ENOENT)
		return VC_EXIT_OK; /* the first run */
	if (rc < 0) {
		vc_err("cannot read the kept report %s: %s", kp->k->name, strerror(-rc));
		return VC_EXIT_DATA;
	}
	if (kp->prev_len == 0) {
		free(steal(&kp->previous));
	}
	return VC_EXIT_OK;
}

/* The directory of @path, so that the rename is made durable too. */
static int
fsync_dir_of(const char *path)
{
	_autofree_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	_autoclose_ int fd = -1;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/*
 * Next to the old one, then renamed over it: never half a report. The
 * temporary name is in a directory others may write (a shared volume):
 * whatever sits there is removed, and O_EXCL|O_NOFOLLOW refuses a link
 * planted between the unlink and the open, so no other file is written.
 */
static int
file_put(struct keeper *kp, const char *text, size_t len)
{
	_autofree_ char *tmp = xasprintf("%s.tmp", kp->k->name);
	_autoclose_ int fd = -1;
	int rc = 0;

	if (unlink(tmp) < 0 && errno != ENOENT)
		rc = -errno;
	fd = rc ? -1
		: open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (!rc)
		rc = fd < 0 ? -errno : vc_write_all(fd, text, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, kp->k->name) < 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync_dir_of(kp->k->name);
	if (rc < 0) {
		vc_err("cannot store the report in %s: %s", kp->k->name, strerror(-rc));
		if (fd >= 0)
			unlink(tmp);
		return VC_EXIT_OUTPUT;
	}
	return VC_EXIT_OK;
}

/* ---- compare and store -------------------------------------------------------- */

/* The comparison as YAML comments: the Job's log stays one valid report. */
static char *
comment_of(const struct keeper *kp, const struct vc_diff *d)
{
	_autofree_ char *text = d ? vc_diff_text(d) : NULL;
	struct vc_buf b = {0};

	if (!d) {
		vc_buf_printf(&b, "# kept in %s: no previous report; this one is kept\n",
			      kp->where);
		return vc_buf_steal(&b, NULL);
	}
	vc_buf_printf(&b, "# compared with the previous report kept in %s:\n", kp->where);
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		vc_buf_printf(&b, "#   %.*s\n", nl ? (int)(nl - line) : (int)strlen(line),
			      line);
	}
	return vc_buf_steal(&b, NULL);
}

static enum vc_exit
compare(const struct keeper *kp, const char *text, size_t len, char **comment, bool *lost)
{
	struct vc_rdoc a = {0}, b = {0};
	struct vc_diff d = {0};
	/* Reported once, by the parser; the name carries the remedy. */
	_autofree_ char *what = xasprintf(
		"the previous report kept in %s (remove it to start again)", kp->where);

	*lost = false;
	if (!kp->previous) {
		*comment = comment_of(kp, NULL);
		return VC_EXIT_OK;
	}
	if (vc_rdoc_parse(kp->previous, kp->prev_len, what, &a) < 0)
		return VC_EXIT_DATA;
	if (vc_rdoc_parse(text, len, "the new report", &b) == 0) {
		vc_diff_compute(&a, &b, &d);
		*comment = comment_of(kp, &d);
		*lost = d.lost;
	}
	vc_diff_clear(&d);
	vc_rdoc_clear(&a);
	vc_rdoc_clear(&b);
	return *comment ? VC_EXIT_OK : VC_EXIT_DATA;
}

static int
fetch_previous(struct keeper *kp)
{
	free(steal(&kp->rv));
	vc_tree_free(steal(&kp->cm));
	free(steal(&kp->previous));
	kp->prev_len = 0;
	return kp->k->kind == VC_KEEP_FILE ? file_get(kp) : cm_get(kp);
}

static int
store(struct keeper *kp, const char *text, size_t len)
{
	return kp->k->kind == VC_KEEP_FILE ? file_put(kp, text, len) : cm_put(kp, text);
}

static enum vc_exit
check_fits(const struct keeper *kp, size_t len)
{
	size_t data = len + strlen(VC_KEEP_KEY);

	if (kp->k->kind != VC_KEEP_CONFIGMAP || data <= VC_KEEP_CONFIGMAP_MAX)
		return VC_EXIT_OK;
	vc_err("%s: the report (%zu bytes) does not fit in a ConfigMap (at most %d bytes of data); keep it in a file on a volume instead (manifests/aggregate-pvc, --keep file:PATH)",
	       kp->where, len, VC_KEEP_CONFIGMAP_MAX);
	return VC_EXIT_DATA;
}

/* Read, compare, store; a conflict (another writer) reads again, once. */
static enum vc_exit
keep_once_more(struct keeper *kp, const char *text, size_t len, char **comment,
	       bool *lost)
{
	int rc = STORE_CONFLICT;

	for (int attempt = 0; rc == STORE_CONFLICT && attempt < 2; attempt++) {
		free(steal(comment));
		rc = fetch_previous(kp);
		if (rc == VC_EXIT_OK)
			rc = compare(kp, text, len, comment, lost);
		if (rc == VC_EXIT_OK)
			rc = store(kp, text, len);
		if (rc == STORE_CONFLICT)
			vc_info("%s changed since it was read (409 Conflict)%s",
				kp->where, attempt ? "" : "; reading it again");
	}
	if (rc == STORE_CONFLICT) {
		vc_err("%s: changed by someone else twice while this run stored its report (409 Conflict); is another caps-aggregate --keep running?",
		       kp->where);
		rc = VC_EXIT_BACKEND;
	}
	if (rc != VC_EXIT_OK)
		free(steal(comment));
	return (enum vc_exit)rc;
}

enum vc_exit
vc_keep_report(const struct vc_keep *k, const struct vc_input *in, const char *text,
	       size_t len, char **comment, bool *lost)
{
	struct keeper kp = {.k = k, .in = in};
	enum vc_exit rc = VC_EXIT_OK;

	*comment = NULL;
	if (k->kind == VC_KEEP_FILE)
		kp.where = xasprintf("file %s", k->name);
	else
		rc = cm_open(&kp);
	if (rc == VC_EXIT_OK)
		rc = check_fits(&kp, len);
	if (rc == VC_EXIT_OK)
		rc = keep_once_more(&kp, text, len, comment, lost);
	if (k->kind == VC_KEEP_CONFIGMAP)
		vc_kube_config_clear(&kp.cfg);
	free(kp.where);
	free(kp.ns);
	free(kp.path);
	free(kp.rv);
	vc_tree_free(kp.cm);
	free(kp.previous);
	return rc;
}
