/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/kubeconfig.h"

#include <curl/curl.h>
#include <errno.h>
#include <libgen.h>
#include <sys/stat.h>

#include "virt-caps/execcred.h"
#include "virt-caps/log.h"
#include "virt-caps/proxy.h"
#include "virt-caps/tree.h"

#define CONFIG_MAX (16 * 1024 * 1024)
#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* The kubeconfig files in force, first wins, each with its directory for
 * resolving relative paths. */
struct files {
	struct vc_tree **docs;
	char **dirs;
	char **paths;
	size_t n;
};

static void
files_clear(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		vc_tree_free(f->docs[i]);
		free(f->dirs[i]);
		free(f->paths[i]);
	}
	free(f->docs);
	free(f->dirs);
	free(f->paths);
}

static int
add_file(struct files *f, const char *path)
{
	/* vc_tree_load and vc_tree_free wipe the text and every string. */
	struct vc_tree *doc = vc_tree_load(path, CONFIG_MAX);
	_autofree_ char *copy = xstrdup(path);

	if (!doc)
		return -EINVAL;
	if (doc->type != VC_T_MAP) {
		vc_err("%s: not a kubeconfig (expected a YAML map)", path);
		vc_tree_free(doc);
		return -EINVAL;
	}
	f->docs = xrealloc(f->docs, (f->n + 1) * sizeof(*f->docs));
	f->dirs = xrealloc(f->dirs, (f->n + 1) * sizeof(*f->dirs));
	f->paths = xrealloc(f->paths, (f->n + 1) * sizeof(*f->paths));
	f->docs[f->n] = doc;
	f->dirs[f->n] = xstrdup(dirname(copy));
	f->paths[f->n] = xstrdup(path);
	f->n++;
	return 0;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * A file of $KUBECONFIG or ~/.kube/config that is worth reading: it exists
 * and is not empty (client-go reads a zero-length kubeconfig as an empty
 * config, so `touch ~/.kube/config` must not break the run).
 */
static bool
has_config(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !(S_ISREG(st.st_mode) && st.st_size == 0);
}

/* kubectl's order: --kubeconfig, $KUBECONFIG (missing entries skipped), ~/.kube/config.
 */
static int
find_files(const char *flag, struct files *f)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	struct vc_strv list = {0};
	int rc = 0;

	if (flag)
		return add_file(f, flag);
	if (!strempty(env)) {
		vc_strv_split(&list, env, ":");
		for (size_t i = 0; i < list.n && rc == 0; i++)
			if (has_config(list.v[i]))
				rc = add_file(f, list.v[i]);
		vc_strv_clear(&list);
		return rc;
	}
	if (!strempty(home)) {
		_autofree_ char *path = xasprintf("%s/.kube/config", home);

		if (has_config(path))
			return add_file(f, path);
	}
	return 0;
}

/* The first entry named @name in the @section list of any file. */
static const struct vc_tree *
find_named(const struct files *f, const char *section, const char *field,
	   const char *name, size_t *which)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct vc_tree *list = vc_tree_get(f->docs[i], section);

		for (size_t k = 0; list && list->type == VC_T_LIST && k < list->n; k++) {
			if (streq(vc_tree_str(list->items[k], "name"), name)) {
				*which = i;
				return vc_tree_get(list->items[k], field);
			}
		}
	}
	return NULL;
}

/*
 * @path relative to the kubeconfig's directory @dir, without the "./"
 * that joining adds: "./plug.sh" beside ./kc stays ./plug.sh (it was
 * shown as ././plug.sh). The result keeps a slash, so that an exec
 * command is never looked up in PATH.
 */
static char *
resolve(const char *dir, const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; path[0] == '/';)
			path++;
	return xasprintf("%s/%s", dir, path);
}

/* @path, @kind and @name say where: the kubeconfig file, "cluster" or "user" and its
 * name. */
static int
decode_data(const char *b64, const char *what, const char *path, const char *kind,
	    const char *name, char **out, size_t *len)
{
	if (!b64)
		return 0;
	*out = vc_base64_decode(b64, len);
	if (!*out) {
		vc_err("kubeconfig %s: %s '%s': %s is not valid base64", path, kind, name,
		       what);
		return -EINVAL;
	}
	return 0;
}

/* client-go's parseProxyURL: http, https and socks5 only. */
static bool
proxy_scheme_ok(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	       strncasecmp(url, "https://", 8) == 0 ||
	       strncasecmp(url, "socks5://", 9) == 0;
}

static bool
has_part(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	bool has = curl_url_get(u, part, &v, 0) == CURLUE_OK && v;

	curl_free(v);
	return has;
}

/*
 * The server URL appears in every message, so a password in it would too;
 * a query or fragment would silently change the path of every request
 * (https://h/#x lists /#x/api/v1/nodes, sent as /). kubectl has no use for
 * either: refused, even empty. Called once the scheme is settled
 * (default_scheme): libcurl must never guess one.
 */
static int
check_server(const char *server, const char *path, const char *name)
{
	CURLU *u = curl_url();
	CURLUcode rc;
	const char *why = NULL;
	_autofree_ char *shown = NULL;

	if (!u)
		abort();
	rc = curl_url_set(u, CURLUPART_URL, server, 0);
	if (rc != CURLUE_OK)
		why = curl_url_strerror(rc);
	else if (strncasecmp(server, "https://", 8) != 0 &&
		 strncasecmp(server, "http://", 7) != 0)
		why = "the scheme must be https:// or http://";
	else if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD))
		why = "user information (user:password@) is not allowed; use a token or a client certificate";
	else if (strpbrk(server, "?#"))
		why = "a query (?) or fragment (#) is not allowed";
	curl_url_cleanup(u);
	if (!why)
		return 0;
	shown = vc_proxy_redact(server);
	vc_err("kubeconfig %s: cluster '%s': server '%s': %s", path, name, shown, why);
	return -EINVAL;
}

/* Checked before libcurl sees it: its error would quote the password. */
static int
check_proxy_syntax(const char *url, const char *path, const char *name)
{
	_autofree_ char *checked = NULL, *shown = NULL;
	const char *why = NULL;

	if (!url)
		return 0;
	checked = vc_proxy_check(url, &why);
	if (checked)
		return 0;
	shown = vc_proxy_redact(url);
	vc_err("kubeconfig %s: cluster '%s': proxy-url '%s' is not a usable proxy URL: %s",
	       path, name, shown, why);
	return -EINVAL;
}

/*
 * Refused as kubectl refuses them: a CA with insecure-skip-tls-verify
 * ("specifying a root certificates file with the insecure flag is not
 * allowed": which one should win is not ours to guess), and a proxy-url
 * that is not http, https or socks5 (not quoted: it may hold a password).
 */
static int
check_cluster(const struct vc_kube_config *c, const char *path, const char *name)
{
	if (c->insecure && (c->ca_file || c->ca_data)) {
		vc_err("kubeconfig %s: cluster '%s' sets both insecure-skip-tls-verify and %s; specifying a root certificates file with the insecure flag is not allowed (remove one)",
		       path, name,
		       c->ca_data ? "certificate-authority-data"
				  : "certificate-authority");
		return -EINVAL;
	}
	if (c->proxy_url && !proxy_scheme_ok(c->proxy_url)) {
		vc_err("kubeconfig %s: cluster '%s': proxy-url must start with http://, https:// or socks5://",
		       path, name);
		return -EINVAL;
	}
	return check_proxy_syntax(c->proxy_url, path, name);
}

static int
read_cluster(const struct vc_tree *cl, const char *path, const char *dir,
	     const char *name, struct vc_kube_config *c)
{
	const char *insecure = vc_tree_str(cl, "insecure-skip-tls-verify");

	c->server = xstrdup(vc_tree_str(cl, "server"));
	if (strempty(c->server)) {
		vc_err("kubeconfig %s: cluster '%s' of context '%s' has no server", path,
		       name, c->context);
		return -EINVAL;
	}
	c->ca_file = resolve(dir, vc_tree_str(cl, "certificate-authority"));
	c->insecure = streq(insecure, "true");
	if (!strempty(vc_tree_str(cl, "proxy-url")))
		c->proxy_url = xstrdup(vc_tree_str(cl, "proxy-url"));
	if (vc_tree_str(cl, "tls-server-name"))
		vc_warn("kubeconfig %s: cluster '%s': tls-server-name is not supported; the server URL's host name is verified",
			path, name);
	if (decode_data(vc_tree_str(cl, "certificate-authority-data"),
			"certificate-authority-data", path, "cluster", name, &c->ca_data,
			&c->ca_len) < 0)
		return -EINVAL;
	return check_cluster(c, path, name);
}

/*
 * What client-go's exec authenticator refuses: an apiVersion other than
 * v1 and v1beta1 (v1alpha1 is gone, and without one it cannot know what
 * to send), and interactiveMode Always, which needs a terminal that a
 * plugin never gets here. Messages do not quote the values.
 */
static int
check_exec(const struct vc_tree *ex, const char *path, const char *user)
{
	const char *mode = vc_tree_str(ex, "interactiveMode");

	if (!vc_execcred_api_known(vc_tree_str(ex, "apiVersion"))) {
		vc_err("kubeconfig %s: user '%s': exec apiVersion must be client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1",
		       path, user);
		return -EINVAL;
	}
	if (mode && !streq(mode, "Never") && !streq(mode, "IfAvailable")) {
		vc_err("kubeconfig %s: user '%s': exec interactiveMode must be Never or IfAvailable: caps-aggregate never gives a plugin a terminal",
		       path, user);
		return -EINVAL;
	}
	/* The plugin still runs: one that needs the cluster says so itself. */
	if (streq(vc_tree_str(ex, "provideClusterInfo"), "true"))
		vc_warn("kubeconfig %s: user '%s': exec provideClusterInfo is not supported; the plugin gets no cluster information",
			path, user);
	return 0;
}

static int
read_exec(const struct vc_tree *ex, const char *dir, const char *path,
	  struct vc_kube_config *c)
{
	const char *cmd = vc_tree_str(ex, "command");
	const struct vc_tree *env = vc_tree_get(ex, "env");

	if (check_exec(ex, path, c->user) < 0)
		return -EINVAL;

	/* Like kubectl: a relative path with a slash is relative to the file. */
	c->exec_command = cmd && cmd[0] != '/' && strchr(cmd, '/') ? resolve(dir, cmd)
								   : xstrdup(cmd);
	vc_tree_strings(vc_tree_get(ex, "args"), &c->exec_args);
	for (size_t i = 0; env && env->type == VC_T_LIST && i < env->n; i++) {
		const char *name = vc_tree_str(env->items[i], "name");
		const char *value = vc_tree_str(env->items[i], "value");

		if (name)
			vc_strv_push_owned(&c->exec_env,
					   xasprintf("%s=%s", name, value ? value : ""));
	}
	c->exec_api_version = xstrdup(vc_tree_str(ex, "apiVersion"));
	return 0;
}

bool
vc_kube_token_valid(const char *token)
{
	/* CR and LF would end the Authorization header and start another one;
	 * no other control character belongs in a bearer token either. */
	for (const unsigned char *p = (const unsigned char *)token; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/*
 * User settings that would change who the request runs as, refused rather
 * than ignored: impersonation (kubectl's --as...) would otherwise run as
 * the real identity, and basic auth would go out anonymous. The API server
 * dropped basic auth in Kubernetes 1.19.
 */
static int
check_identity(const struct vc_tree *u, const char *path, const char *user)
{
	static const char *const as[] = {"as", "as-uid", "as-groups", "as-user-extra"};

	for (size_t i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
		if (!vc_tree_get(u, as[i]))
			continue;
		vc_err("kubeconfig %s: user '%s' sets %s (impersonation), which caps-aggregate does not support; it will not run as another identity than asked",
		       path, user, as[i]);
		return -EINVAL;
	}
	if (vc_tree_get(u, "username") || vc_tree_get(u, "password")) {
		vc_err("kubeconfig %s: user '%s' sets username/password (basic authentication), which caps-aggregate does not support (the API server dropped it in Kubernetes 1.19); use a token, client certificate or exec plugin",
		       path, user);
		return -EINVAL;
	}
	return 0;
}

/* @path: the kubeconfig file that defines the user, for messages. */
static int
read_user(const struct vc_tree *u, const char *dir, const char *path,
	  struct vc_kube_config *c)
{
	const struct vc_tree *ex = vc_tree_get(u, "exec");
	const char *token = vc_tree_str(u, "token");

	if (!u)
		return 0; /* no credentials: anonymous */
	if (check_identity(u, path, c->user) < 0)
		return -EINVAL;
	if (token && !vc_kube_token_valid(token)) {
		vc_err("kubeconfig %s: the token of user '%s' contains a control character (CR, LF...); refused",
		       path, c->user);
		return -EINVAL;
	}
	if (token && strlen(token) > VC_KUBE_TOKEN_MAX) {
		vc_err("kubeconfig %s: the token of user '%s' is longer than %d KiB (the limit); refused",
		       path, c->user, VC_KUBE_TOKEN_MAX / 1024);
		return -EINVAL;
	}
	/* An empty token is no token, as for kubectl. */
	c->token = strempty(token) ? NULL : xstrdup(token);
	c->token_file = resolve(dir, vc_tree_str(u, "tokenFile"));
	c->cert_file = resolve(dir, vc_tree_str(u, "client-certificate"));
	c->key_file = resolve(dir, vc_tree_str(u, "client-key"));
	if (ex && ex->type == VC_T_MAP && strempty(vc_tree_str(ex, "command"))) {
		vc_err("kubeconfig %s: user '%s': exec needs a command (the credential plugin to run)",
		       path, c->user);
		return -EINVAL;
	}
	if (ex && ex->type == VC_T_MAP && read_exec(ex, dir, path, c) < 0)
		return -EINVAL;
	if (vc_tree_get(u, "auth-provider"))
		vc_warn("kubeconfig %s: user '%s' uses an auth-provider, which is not supported; use an exec plugin",
			path, c->user);
	if (decode_data(vc_tree_str(u, "client-certificate-data"),
			"client-certificate-data", path, "user", c->user, &c->cert_data,
			&c->cert_len) < 0 ||
	    decode_data(vc_tree_str(u, "client-key-data"), "client-key-data", path,
			"user", c->user, &c->key_data, &c->key_len) < 0)
		return -EINVAL;
	return 0;
}

static const char *
current_context(const struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *cur = vc_tree_str(f->docs[i], "current-context");

		if (!strempty(cur))
			return cur;
	}
	return NULL;
}

/*
 * client-go's rule (DefaultServerURL): a server written without a scheme
 * ("10.0.0.1:6443") is https when TLS is configured (a CA, a client
 * certificate, insecure-skip-tls-verify), else http, which then gets the
 * plain-HTTP warning. libcurl would guess http:// even with a CA.
 */
static void
default_scheme(struct vc_kube_config *c)
{
	bool tls =
		c->ca_file || c->ca_data || c->cert_file || c->cert_data || c->insecure;
	char *with;

	if (strstr(c->server, "://"))
		return;
	with = xasprintf("%s://%s", tls ? "https" : "http", c->server);
	free(c->server);
	c->server = with;
}

static int
from_files(const struct files *f, const char *context, struct vc_kube_config *c)
{
	const struct vc_tree *ctx, *cl, *u;
	const char *cluster_name, *user_name;
	size_t ci = 0, cli = 0, ui = 0;

	context = context ? context : current_context(f);
	if (!context) {
		vc_err("kubeconfig %s: no current-context; give --context", f->paths[0]);
		return -EINVAL;
	}
	c->context = xstrdup(context);
	ctx = find_named(f, "contexts", "context", context, &ci);
	if (!ctx) {
		vc_err("kubeconfig %s%s: context '%s' not found", f->paths[0],
		       f->n > 1 ? " (and the other $KUBECONFIG files)" : "", context);
		return -EINVAL;
	}
	cluster_name = vc_tree_str(ctx, "cluster");
	user_name = vc_tree_str(ctx, "user");
	cl = find_named(f, "clusters", "cluster", cluster_name ? cluster_name : "", &cli);
	if (!cl) {
		vc_err("kubeconfig %s: cluster '%s' was not found for context '%s'",
		       f->paths[ci], cluster_name ? cluster_name : "", context);
		return -EINVAL;
	}
	c->user = xstrdup(user_name ? user_name : "anonymous");
	u = user_name ? find_named(f, "users", "user", user_name, &ui) : NULL;
	/* As kubectl's validation: a typo must not become an anonymous request. */
	if (!strempty(user_name) && !u) {
		vc_err("kubeconfig %s: user '%s' was not found for context '%s'",
		       f->paths[ci], user_name, context);
		return -EINVAL;
	}
	c->source = xasprintf("kubeconfig %s", f->paths[ci]);
	if (read_cluster(cl, f->paths[cli], f->dirs[cli],
			 cluster_name ? cluster_name : "", c) < 0 ||
	    read_user(u, f->dirs[ui], f->paths[ui], c) < 0)
		return -EINVAL;
	default_scheme(c);
	return check_server(c->server, f->paths[cli], cluster_name ? cluster_name : "");
}

/* The service account name from the token's JWT "sub" claim, for messages. */
static char *
token_subject(const char *token)
{
	const char *dot = strchr(token, '.'), *end = dot ? strchr(dot + 1, '.') : NULL;
	_autofree_ char *payload = NULL, *json = NULL;
	const char *p, *q;

	if (!end)
		return NULL;
	payload = xstrndup(dot + 1, (size_t)(end - dot - 1));
	json = vc_base64_decode(payload, NULL);
	if (!json || !(p = strstr(json, "\"sub\":\"")))
		return NULL;
	p += 7;
	q = strchr(p, '"');
	return q ? xstrndup(p, (size_t)(q - p)) : NULL;
}

static int
in_cluster(struct vc_kube_config *c)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("VIRT_CAPS_SERVICEACCOUNT_DIR");
	_autofree_ char *token_path = NULL;
	char *token = NULL;
	size_t len = 0;

	dir = dir ? dir : SA_DIR;
	token_path = xasprintf("%s/token", dir);
	if (strempty(host) || !exists(token_path)) {
		vc_err("no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a cluster (no KUBERNETES_SERVICE_HOST or %s)",
		       token_path);
		return -EINVAL;
	}
	c->source = xstrdup("in-cluster service account");
	c->server = strchr(host, ':')
			    ? xasprintf("https://[%s]:%s", host, port ? port : "443")
			    : xasprintf("https://%s:%s", host, port ? port : "443");
	c->token_file = steal(&token_path);
	c->ca_file = xasprintf("%s/ca.crt", dir);
	/* Only for the name in messages; the token is read again, and
	 * checked, when the request is made. */
	if (vc_read_file(c->token_file, 65536, &token, &len) == 0)
		c->user = token_subject(token);
	vc_free_secret(token, len);
	if (!c->user)
		c->user = xstrdup("the pod's service account");
	return 0;
}

int
vc_kube_config_load(const char *kubeconfig, const char *context,
		    struct vc_kube_config *out)
{
	struct files f = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = find_files(kubeconfig, &f);
	if (rc == 0 && f.n > 0)
		rc = from_files(&f, context, out);
	else if (rc == 0)
		rc = in_cluster(out);
	files_clear(&f);
	if (rc < 0)
		vc_kube_config_clear(out);
	return rc;
}

void
vc_kube_config_clear(struct vc_kube_config *c)
{
	char **strs[] = {&c->source,       &c->context,         &c->user,
			 &c->server,       &c->ca_file,         &c->ca_data,
			 &c->token_file,   &c->cert_file,       &c->key_file,
			 &c->exec_command, &c->exec_api_version};
	struct vc_strv *exec[] = {&c->exec_args, &c->exec_env};

	/* Do not leave secrets in freed memory: the token, the client
	 * certificate and key, and the plugin's arguments and environment
	 * (which often carry a secret of their own). */
	vc_free_secret(c->token, c->token ? strlen(c->token) : 0);
	vc_free_secret(c->cert_data, c->cert_len);
	vc_free_secret(c->key_data, c->key_len);
	for (size_t i = 0; i < ARRAY_LENGTH(exec); i++)
		for (size_t k = 0; k < exec[i]->n; k++)
			explicit_bzero(exec[i]->v[k], strlen(exec[i]->v[k]));
	for (size_t i = 0; i < ARRAY_LENGTH(strs); i++)
		free(*strs[i]);
	free(c->proxy_url);
	vc_strv_clear(&c->exec_args);
	vc_strv_clear(&c->exec_env);
	memset(c, 0, sizeof(*c));
}
