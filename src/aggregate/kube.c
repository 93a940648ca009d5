/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/kube.h"

#include <curl/curl.h>
#include <errno.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "virt-caps/escape.h"
#include "virt-caps/log.h"
#include "virt-caps/names.h"
#include "virt-caps/proxy.h"

DEFINE_CLEANUP_FUNC(char *, curl_free, curl_free)

#define ACCEPT_METADATA                                                                  \
	"Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"      \
	"application/json"
#define ERROR_BODY_MAX 65536
#define STATUS_MESSAGE_MAX 300 /* of the server's words quoted in an error */
#define MAX_RESTARTS 3
/* Real continue tokens are well under 1 KiB; a longer one is the server's
 * fault, and would be sent back in every later request's URL. */
#define CONTINUE_MAX (64 * 1024)

enum outcome {
	PAGE_OK,
	PAGE_RETRY,   /* transient: back off and read the page again */
	PAGE_RESTART, /* 410 Gone: the continue token expired */
	PAGE_FATAL,   /* reported */
};

struct lister {
	CURL *h; /* one handle for every page: its connection is reused */
	const struct vc_kube_config *cfg;
	const struct vc_kube_opts *o;
	const struct vc_kube_sink *sink;
	struct curl_slist *headers;
	char *base;  /* server + /api/v1/nodes */
	char *token; /* bearer token in force (from kubeconfig, file or plugin) */
	char *proxy; /* NULL: direct */
	size_t page;
	size_t listed;        /* nodes of the pages read so far */
	struct vc_names seen; /* continue tokens received so far */
	double start;         /* CLOCK_MONOTONIC seconds: when the listing began */
	double deadline;      /* CLOCK_MONOTONIC seconds: end of --list-timeout */
	char reason[1024];    /* why the last attempt failed */
};

/* One response. */
struct response {
	CURL *h;
	struct lister *l;
	struct vc_nodelist *parser;
	struct vc_buf error_body;
	long retry_after;
	size_t nodes;  /* listed in this response */
	bool too_many; /* more than --max-nodes in all: transfer aborted */
};

/* Milliseconds left before the listing's deadline (0: passed). */
static long
left_ms(const struct lister *l)
{
	double left = l->deadline - vc_monotonic_s();

	return left > 0 ? (long)(left * 1000.0) + 1 : 0;
}

/* Counts nodes against --max-nodes before the sink sees them. */
static void
on_node(void *data, const char *name, const struct vc_label_ref *labels, size_t n)
{
	struct response *r = data;
	const struct lister *l = r->l;

	if (l->listed + ++r->nodes > l->o->max_nodes) {
		r->too_many = true;
		return;
	}
	l->sink->node(l->sink->data, name, labels, n);
}

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct response *r = data;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		if (r->error_body.len < ERROR_BODY_MAX)
			vc_buf_append(&r->error_body, ptr, n);
		return n;
	}
	/* Returning less than n aborts the transfer (CURLE_WRITE_ERROR). */
	if (vc_nodelist_feed(r->parser, ptr, n) < 0 || r->too_many)
		return 0;
	return n;
}

static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct response *r = data;
	size_t n = size * nmemb;

	/* Seconds only; an HTTP date (or anything else) is ignored. */
	if (n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		_autofree_ char *v = xstrndup(ptr + 12, n - 12);
		unsigned long long secs;

		if (vc_parse_uint(vc_trim(v), 86400, &secs) == 0)
			r->retry_after = (long)secs;
	}
	return n;
}

/*
 * The "message" of a Kubernetes Status body, or "" (never the raw body).
 * Read with yajl's event parser, not yajl_tree: the body is the
 * server's, and yajl_tree_free() recurses once per nesting level, so a
 * 64 KiB "[[[[..." would cost a deep stack. Nesting beyond a Status's
 * few levels stops the parse; the message is cut to a bounded length.
 */
struct status_scan {
	unsigned depth;
	bool is_message; /* the next value is the top-level "message" */
	char *message;
};

#define STATUS_DEPTH_MAX 16

static int
scan_scalar(void *ctx)
{
	((struct status_scan *)ctx)->is_message = false;
	return 1;
}

static int
scan_bool(void *ctx, int v)
{
	return scan_scalar(ctx);
}

static int
scan_number(void *ctx, const char *v, size_t len)
{
	return scan_scalar(ctx);
}

static int
scan_string(void *ctx, const unsigned char *v, size_t len)
{
	struct status_scan *s = ctx;
	size_t n = len;

	if (s->is_message && !s->message) {
		/* Cut at a character boundary, and say that it was cut. */
		if (n > STATUS_MESSAGE_MAX)
			for (n = STATUS_MESSAGE_MAX; n > 0 && (v[n] & 0xc0) == 0x80; n--)
				;
		s->message = xasprintf("%.*s%s", (int)n, (const char *)v,
				       n < len ? "..." : "");
	}
	return scan_scalar(ctx);
}

static int
scan_key(void *ctx, const unsigned char *k, size_t len)
{
	struct status_scan *s = ctx;

	s->is_message = s->depth == 1 && len == 7 && memcmp(k, "message", 7) == 0;
	return 1;
}

static int
scan_open(void *ctx)
{
	struct status_scan *s = ctx;

	s->is_message = false;
	return ++s->depth <= STATUS_DEPTH_MAX; /* 0 stops the parse */
}

static int
scan_close(void *ctx)
{
	((struct status_scan *)ctx)->depth--;
	return 1;
}

static char *
status_message(const struct vc_buf *body)
{
	static const yajl_callbacks cb = {
		.yajl_null = scan_scalar,
		.yajl_boolean = scan_bool,
		.yajl_number = scan_number,
		.yajl_string = scan_string,
		.yajl_start_map = scan_open,
		.yajl_map_key = scan_key,
		.yajl_end_map = scan_close,
		.yajl_start_array = scan_open,
		.yajl_end_array = scan_close,
	};
	struct status_scan s = {0};
	yajl_handle h = yajl_alloc(&cb, NULL, &s);

	if (!h)
		abort();
	if (body->len &&
	    yajl_parse(h, (const unsigned char *)body->data, body->len) == yajl_status_ok)
		yajl_complete_parse(h);
	yajl_free(h);
	return s.message ? s.message : xstrdup("");
}

static int
check_file(const char *what, const char *path)
{
	if (path && access(path, R_OK) < 0) {
		vc_err("cannot read %s %s: %s", what, path, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

static void
set_blob(CURL *h, CURLoption opt, const char *data, size_t len)
{
	struct curl_blob b = {.data = (void *)data, .len = len, .flags = CURL_BLOB_COPY};

	curl_easy_setopt(h, opt, &b);
}

static void
setup_tls(CURL *h, const struct vc_kube_config *c)
{
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/*
	 * A configured CA is the only one trusted, as with kubectl: libcurl
	 * would otherwise add its built-in CA path (/etc/ssl/certs on Debian)
	 * and, without a file, its default bundle, so that any public CA
	 * could vouch for a server that receives our credentials.
	 */
	if (c->ca_data || c->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_data ? NULL : c->ca_file);
	}
	if (c->ca_data)
		set_blob(h, CURLOPT_CAINFO_BLOB, c->ca_data, c->ca_len);
	curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	if (c->cert_data)
		set_blob(h, CURLOPT_SSLCERT_BLOB, c->cert_data, c->cert_len);
	else if (c->cert_file)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_data)
		set_blob(h, CURLOPT_SSLKEY_BLOB, c->key_data, c->key_len);
	else if (c->key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
}

static char *
page_url(const struct lister *l, CURL *h, const char *cont)
{
	struct vc_buf b = {0};

	vc_buf_printf(&b, "%s?limit=%zu", l->base, l->o->page_size);
	if (l->o->selector) {
		_cleanup_(curl_freep) char *sel = curl_easy_escape(h, l->o->selector, 0);

		vc_buf_printf(&b, "&labelSelector=%s", sel);
	}
	if (cont) {
		_cleanup_(curl_freep) char *c = curl_easy_escape(h, cont, 0);

		vc_buf_printf(&b, "&continue=%s", c);
	}
	return vc_buf_steal(&b, NULL);
}

/* What every request sets: the connection's limits, proxy and TLS. */
static void
setup_common(struct lister *l, const char *url, char *errbuf)
{
	CURL *h = l->h;
	long timeout = (long)l->o->timeout_s * 1000, left = left_ms(l);

	/* No request (and no connection attempt) outlives the listing's deadline. */
	timeout = timeout < left ? timeout : left;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout < 10000 ? timeout : 10000L);
	/* Our choice of proxy only: libcurl's reading of the environment is off. */
	curl_easy_setopt(h, CURLOPT_PROXY, l->proxy ? l->proxy : "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, l->proxy ? "" : "*");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "caps-aggregate/" VC_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	setup_tls(h, l->cfg);
}

static void
setup_request(struct lister *l, struct response *r, const char *url, char *errbuf)
{
	setup_common(l, url, errbuf);
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->h, CURLOPT_HEADERDATA, r);
}

static bool
tls_fatal(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CIPHER ||
	       rc == CURLE_SSL_ENGINE_NOTFOUND || rc == CURLE_SSL_ENGINE_SETFAILED ||
	       rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT;
}

static enum outcome
http_error(struct lister *l, long status, const struct vc_buf *body)
{
	_autofree_ char *msg = status_message(body);
	const char *server = l->cfg->server;

	if (status == 401) {
		vc_err("the API server at %s did not accept the credentials of user '%s' (401 Unauthorized)%s%s",
		       server, l->cfg->user, *msg ? ": " : "", msg);
		return PAGE_FATAL;
	}
	if (status == 403) {
		vc_err("user '%s' may not list nodes at %s (403 Forbidden): it needs get/list on nodes%s%s",
		       l->cfg->user, server, *msg ? "; the server said: " : "", msg);
		return PAGE_FATAL;
	}
	/* Gone means an expired continue token only when one was sent. */
	if (status == 410 && l->page > 0)
		return PAGE_RESTART;
	snprintf(l->reason, sizeof(l->reason), "page %zu: HTTP %ld%s%s", l->page + 1,
		 status, *msg ? ": " : "", msg);
	if (status == 429 || status >= 500)
		return PAGE_RETRY;
	vc_err("listing nodes at %s failed: HTTP %ld%s%s", server, status,
	       *msg ? ": " : "", msg);
	return PAGE_FATAL;
}

static enum outcome
too_many(const struct lister *l)
{
	vc_err("listing nodes at %s: more than --max-nodes=%zu nodes (page %zu); raise --max-nodes if the cluster really is that large",
	       l->cfg->server, l->o->max_nodes, l->page + 1);
	return PAGE_FATAL;
}

/*
 * Whether libcurl's error text quotes the proxy's user information: some
 * of its messages quote the whole proxy URL, password included.
 */
static bool
quotes_proxy(const struct lister *l, const char *errbuf)
{
	const char *sep = l->proxy ? strstr(l->proxy, "://") : NULL;
	const char *at = sep ? strrchr(sep + 3, '@') : NULL;
	_autofree_ char *userinfo = NULL;

	if (!at)
		return false;
	userinfo = xstrndup(sep + 3, (size_t)(at - sep - 3));
	return strstr(errbuf, userinfo) != NULL;
}

/*
 * The reader refused the body; its complaint (kept, not printed) is the
 * reason. A truncated or garbled body may come right next time: retried,
 * with a warning each time and one error at the end. A body over the
 * size limits or of another kind (a Status, a PodList: a proxy or a
 * server that answers with something else) would come the same again:
 * one error at once.
 */
static enum outcome
bad_body(struct lister *l, const struct response *r)
{
	const char *why = vc_nodelist_complaint(r->parser);
	_autofree_ char *copy = why ? xstrdup(why) : NULL;

	if (copy) /* yajl's messages end with a newline */
		snprintf(l->reason, sizeof(l->reason), "%s", vc_trim(copy));
	else
		snprintf(l->reason, sizeof(l->reason),
			 "page %zu: incomplete or invalid node list", l->page + 1);
	if (!vc_nodelist_too_big(r->parser) && !vc_nodelist_wrong_kind(r->parser))
		return PAGE_RETRY;
	vc_err("%s", l->reason);
	return PAGE_FATAL;
}

static enum outcome
classify(struct lister *l, struct response *r, CURLcode rc, const char *errbuf)
{
	long status = 0;

	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
	if (r->too_many)
		return too_many(l);
	if (rc == CURLE_OK && status != 200)
		return http_error(l, status, &r->error_body);
	if (rc == CURLE_WRITE_ERROR)
		return bad_body(l, r);
	if (rc != CURLE_OK) {
		snprintf(l->reason, sizeof(l->reason), "page %zu: %s", l->page + 1,
			 *errbuf && !quotes_proxy(l, errbuf) ? errbuf
							     : curl_easy_strerror(rc));
		if (!tls_fatal(rc))
			return PAGE_RETRY;
		vc_err("cannot list nodes at %s: %s", l->cfg->server, l->reason);
		return PAGE_FATAL;
	}
	if (vc_nodelist_finish(r->parser) < 0)
		return bad_body(l, r);
	/* The reader may hand over the page's last nodes only at its end. */
	return r->too_many ? too_many(l) : PAGE_OK;
}

static enum outcome
take_continue(const struct lister *l, const char *cont, char **next)
{
	if (strlen(cont) > CONTINUE_MAX) {
		vc_err("listing nodes at %s: page %zu returned a continue token longer than %d KiB (the limit); the API server is not behaving",
		       l->cfg->server, l->page + 1, CONTINUE_MAX / 1024);
		return PAGE_FATAL;
	}
	*next = xstrdup(cont);
	return PAGE_OK;
}

static void
debug_response(const struct lister *l, CURL *h)
{
	curl_off_t bytes = 0;
	double secs = 0;
	long status = 0;

	if (vc_log_get_level() < VC_LOG_DEBUG)
		return;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &secs);
	vc_debug("page %zu: HTTP %ld, %lld bytes in %.2fs", l->page + 1, status,
		 (long long)bytes, secs);
}

static enum outcome
fetch(struct lister *l, const char *cont, char **next, long *retry_after)
{
	CURL *h = l->h;
	_autofree_ char *what = xasprintf("page %zu of %s", l->page + 1, l->base);
	_autofree_ char *url = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct response r = {.h = h, .l = l};
	enum outcome oc;

	curl_easy_reset(h); /* options only: live connections are kept */
	r.parser = vc_nodelist_new(what, on_node, &r);
	vc_nodelist_keep_complaint(r.parser);
	url = page_url(l, h, cont);
	setup_request(l, &r, url, errbuf);
	vc_debug("GET %s", url); /* no credential: those are headers */
	oc = classify(l, &r, curl_easy_perform(h), errbuf);
	debug_response(l, h);
	if (oc == PAGE_OK)
		l->listed += r.nodes;
	if (oc == PAGE_OK && vc_nodelist_continue(r.parser))
		oc = take_continue(l, vc_nodelist_continue(r.parser), next);
	*retry_after = r.retry_after;
	vc_nodelist_free(r.parser);
	vc_buf_clear(&r.error_body);
	return oc;
}

static void
backoff(const struct lister *l, unsigned attempt, long retry_after)
{
	double d = 0.5 * (double)(1U << (attempt > 4 ? 4 : attempt));
	double left = (double)left_ms(l) / 1000.0;
	struct timespec ts;

	d *= 0.8 + 0.4 * ((double)rand() / (double)RAND_MAX);
	if (retry_after > 0)
		d = retry_after > 30 ? 30.0 : (double)retry_after;
	d = d < left ? d : left; /* the deadline ends the wait */
	vc_warn("%s; retrying in %.1fs (%u of %u)", l->reason, d, attempt + 1,
		l->o->retries);
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static enum outcome
deadline_passed(const struct lister *l)
{
	vc_err("listing nodes at %s: not finished within --list-timeout=%lus (%zu page%s, %zu node%s so far); raise --list-timeout for a larger cluster or a slower API server",
	       l->cfg->server, l->o->list_timeout_s, l->page, vc_plural(l->page),
	       l->listed, vc_plural(l->listed));
	return PAGE_FATAL;
}

/* One page, with its retries. */
static enum outcome
read_page(struct lister *l, const char *cont, char **next)
{
	size_t keep = l->sink->count(l->sink->data);
	enum outcome oc;
	long retry_after = 0;

	for (unsigned attempt = 0;; attempt++) {
		if (left_ms(l) == 0)
			return deadline_passed(l);
		oc = fetch(l, cont, next, &retry_after);
		if (oc != PAGE_RETRY)
			return oc;
		vc_debug(
			"page %zu: attempt %u failed with a transient error; %u retr%s left",
			l->page + 1, attempt + 1, l->o->retries - attempt,
			l->o->retries - attempt == 1 ? "y" : "ies");
		l->sink->rollback(l->sink->data, keep);
		if (left_ms(l) == 0)
			return deadline_passed(l);
		if (attempt >= l->o->retries)
			break;
		backoff(l, attempt, retry_after);
	}
	vc_err("listing nodes at %s failed after %u attempt%s: %s", l->cfg->server,
	       l->o->retries + 1, vc_plural(l->o->retries + 1), l->reason);
	return PAGE_FATAL;
}

static bool
token_blank(char c)
{
	/* Go's strings.TrimSpace, which client-go applies, for ASCII. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The token in @text[0..len), trimmed of surrounding white space as
 * client-go trims token files; NULL when there is none or it is unusable. */
static char *
trimmed_token(const char *path, const char *text, size_t len)
{
	_autowipe_ char *token = NULL;
	size_t lead = 0;

	while (lead < len && token_blank(text[lead]))
		lead++;
	while (len > lead && token_blank(text[len - 1]))
		len--;
	if (len == lead) {
		vc_err("token file %s is empty", path);
		return NULL;
	}
	if (len - lead > VC_KUBE_TOKEN_MAX) {
		vc_err("token file %s: the token is longer than %d KiB (the limit); refused",
		       path, VC_KUBE_TOKEN_MAX / 1024);
		return NULL;
	}
	token = xstrndup(text + lead, len - lead);
	if (strlen(token) != len - lead || !vc_kube_token_valid(token)) {
		vc_err("token file %s: the token contains a control character (CR, LF, NUL...); refused",
		       path);
		return NULL;
	}
	return steal(&token);
}

static int
read_token_file(const char *path, char **out)
{
	char *text = NULL;
	size_t len = 0;
	int rc = vc_read_file(path, 1024 * 1024, &text, &len);

	if (rc < 0) {
		vc_err("cannot read token file %s: %s", path, strerror(-rc));
		return rc;
	}
	*out = trimmed_token(path, text, len);
	vc_free_secret(text, len); /* the untrimmed copy */
	return *out ? 0 : -EINVAL;
}

static int
load_token(struct lister *l)
{
	const struct vc_kube_config *c = l->cfg;

	if (c->token) {
		/* Checked where it was read (kubeconfig, plugin); this is the
		 * last line before it becomes a header. */
		if (!vc_kube_token_valid(c->token)) {
			vc_err("%s: the token of user '%s' contains a control character; refused",
			       c->source, c->user);
			return -EINVAL;
		}
		if (strlen(c->token) > VC_KUBE_TOKEN_MAX) {
			vc_err("%s%s: the token of user '%s' is longer than %d KiB (the limit); refused",
			       c->exec_command ? "exec credential plugin " : c->source,
			       c->exec_command ? c->exec_command : "", c->user,
			       VC_KUBE_TOKEN_MAX / 1024);
			return -EINVAL;
		}
		l->token = xstrdup(c->token);
		return 0;
	}
	if (!c->token_file)
		return 0;
	return read_token_file(c->token_file, &l->token);
}

/*
 * Warned, not refused: kubectl accepts http:// too (`kubectl proxy` on
 * loopback is the common case), but credentials sent there can be read
 * and replayed by anyone on the path.
 */
static void
warn_plain_http(const struct lister *l)
{
	const struct vc_kube_config *c = l->cfg;

	if (strncasecmp(c->server, "http://", 7) != 0)
		return;
	if (l->token)
		vc_warn("%s: the API server %s is plain http://: the bearer token travels in clear text to it (and to any proxy)",
			c->source, c->server);
	else if (c->cert_file || c->cert_data)
		vc_warn("%s: the API server %s is plain http://: the client certificate cannot be used and everything travels in clear text",
			c->source, c->server);
}

/* -v -v: which credential and which CAs, named by where they come from. */
static void
debug_identity(const struct lister *l)
{
	const struct vc_kube_config *c = l->cfg;
	const char *cred = "no credentials (anonymous)";

	if (l->token && c->exec_command)
		cred = "a bearer token from the exec credential plugin";
	else if (l->token && c->token_file)
		cred = "a bearer token from the token file";
	else if (l->token)
		cred = "a bearer token from the kubeconfig";
	else if (c->cert_file || c->cert_data)
		cred = "a client certificate";
	vc_debug("authenticating as user '%s' with %s", c->user ? c->user : "anonymous",
		 cred);
	if (c->ca_data)
		vc_debug(
			"trusting only the CA of the kubeconfig's certificate-authority-data");
	else if (c->ca_file)
		vc_debug("trusting only the CA in %s", c->ca_file);
	else if (!c->insecure)
		vc_debug("trusting the system's CAs (the kubeconfig names no CA)");
}

/* @path: of the request (or listing); @accept: the Accept header line. */
static int
prepare(struct lister *l, const char *path, const char *accept)
{
	const struct vc_kube_config *c = l->cfg;
	size_t n = strlen(c->server);

	if (check_file("certificate authority", c->ca_file) < 0 ||
	    check_file("client certificate", c->cert_file) < 0 ||
	    check_file("client key", c->key_file) < 0 || load_token(l) < 0)
		return -EINVAL;
	while (n && c->server[n - 1] == '/')
		n--;
	l->base = xasprintf("%.*s%s", (int)n, c->server, path);
	l->headers = curl_slist_append(NULL, accept);
	if (l->token) {
		_autofree_ char *auth = xasprintf("Authorization: Bearer %s", l->token);

		l->headers = curl_slist_append(l->headers, auth);
		explicit_bzero(auth, strlen(auth));
	}
	if (c->insecure)
		vc_warn("%s: insecure-skip-tls-verify is set; the API server's certificate is not checked",
			c->source);
	warn_plain_http(l);
	debug_identity(l);
	if (vc_proxy_for(c->server, c->proxy_url, &l->proxy) < 0)
		return -EINVAL;
	if (l->proxy) {
		_autofree_ char *shown = vc_proxy_redact(l->proxy);

		vc_info("connecting to %s through the proxy %s", c->server, shown);
	} else {
		vc_debug("connecting to %s directly (no proxy applies)", c->server);
	}
	return 0;
}

static void
lister_clear(struct lister *l)
{
	/* The Authorization header holds the token: wipe before freeing. */
	for (struct curl_slist *s = l->headers; s; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(l->headers);
	if (l->token)
		explicit_bzero(l->token, strlen(l->token));
	free(l->token);
	free(l->base);
	free(l->proxy);
	vc_names_clear(&l->seen);
}

static void
progress(const struct lister *l, bool done)
{
	if (!l->o->progress)
		return;
	size_t n = l->sink->count(l->sink->data);

	fprintf(stderr, "\rlisting nodes: page %zu, %zu node%s%s", l->page, n,
		vc_plural(n), done ? "\n" : "");
}

static void
restart(struct lister *l)
{
	l->sink->rollback(l->sink->data, 0);
	l->page = 0;
	l->listed = 0;
	vc_names_clear(&l->seen);
}

/* A server that hands out a token again would be followed in a circle. */
static bool
seen_before(struct lister *l, const char *cont)
{
	uint32_t before = l->seen.n;

	vc_names_intern(&l->seen, cont, strlen(cont));
	if (l->seen.n != before)
		return false;
	vc_err("listing nodes at %s: page %zu returned a continue token that the API server had already given; the listing would never end",
	       l->cfg->server, l->page);
	return true;
}

static enum vc_result
list_all(struct lister *l)
{
	_autofree_ char *cont = NULL;
	unsigned restarts = 0;

	for (;;) {
		char *next = NULL;
		size_t before = l->listed;
		enum outcome oc = read_page(l, cont, &next);

		if (oc == PAGE_FATAL)
			return VC_ERR_BACKEND;
		if (oc == PAGE_RESTART) {
			if (++restarts > MAX_RESTARTS) {
				vc_err("listing nodes at %s: the listing expired (410 Gone) %d times in a row",
				       l->cfg->server, MAX_RESTARTS + 1);
				return VC_ERR_BACKEND;
			}
			vc_warn("the continue token expired (410 Gone); listing again from the start");
			restart(l);
			free(cont);
			cont = NULL;
			continue;
		}
		l->page++;
		vc_info("page %zu: %zu node%s (%zu so far)", l->page, l->listed - before,
			vc_plural(l->listed - before), l->listed);
		progress(l, false);
		free(cont);
		cont = next;
		if (cont && seen_before(l, cont))
			return VC_ERR_BACKEND;
		if (!cont)
			break;
	}
	progress(l, true);
	vc_info("listed %zu node%s in %zu page%s from %s in %.1fs", l->listed,
		vc_plural(l->listed), l->page, vc_plural(l->page), l->cfg->server,
		vc_monotonic_s() - l->start);
	return VC_OK;
}

enum vc_result
vc_kube_list_nodes(const struct vc_kube_config *cfg, const struct vc_kube_opts *o,
		   const struct vc_kube_sink *sink)
{
	struct lister l = {.cfg = cfg, .o = o, .sink = sink};
	enum vc_result rc = VC_ERR_INPUT;

	l.start = vc_monotonic_s();
	l.deadline = l.start + (double)o->list_timeout_s;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	l.h = curl_easy_init();
	if (!l.h)
		abort();
	if (prepare(&l, "/api/v1/nodes", ACCEPT_METADATA) == 0)
		rc = list_all(&l);
	lister_clear(&l);
	curl_easy_cleanup(l.h);
	curl_global_cleanup();
	return rc;
}

/* ---- one request (the kept report's ConfigMap) ------------------------------ */

static size_t
on_reply(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct vc_kube_reply *r = data;
	size_t n = size * nmemb;

	/* Returning less than n aborts the transfer (CURLE_WRITE_ERROR). */
	if (r->body.len + n > VC_KUBE_REPLY_MAX)
		return 0;
	vc_buf_append(&r->body, ptr, n);
	return n;
}

static enum vc_result
perform_call(struct lister *l, const char *method, const char *body,
	     struct vc_kube_reply *reply)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *type = NULL;
	CURLcode rc;

	setup_common(l, l->base, errbuf);
	curl_easy_setopt(l->h, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(l->h, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(l->h, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(l->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(l->h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(body));
	}
	vc_debug("%s %s", method, l->base);
	rc = curl_easy_perform(l->h);
	if (rc == CURLE_WRITE_ERROR) {
		vc_err("%s %s: the answer is longer than %d MiB (the limit)", method,
		       l->base, VC_KUBE_REPLY_MAX >> 20);
		return VC_ERR_BACKEND;
	}
	if (rc != CURLE_OK) {
		vc_err("%s %s failed: %s", method, l->base,
		       *errbuf && !quotes_proxy(l, errbuf) ? errbuf
							   : curl_easy_strerror(rc));
		return VC_ERR_BACKEND;
	}
	curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, &reply->status);
	curl_easy_getinfo(l->h, CURLINFO_CONTENT_TYPE, &type);
	reply->content_type = type ? vc_escape_text(type) : NULL;
	reply->message =
		reply->status >= 300 ? status_message(&reply->body) : xstrdup("");
	vc_debug("%s %s: HTTP %ld", method, l->base, reply->status);
	return VC_OK;
}

enum vc_result
vc_kube_request(const struct vc_kube_config *cfg, unsigned long timeout_s,
		const char *method, const char *path, const char *body,
		struct vc_kube_reply *reply)
{
	struct vc_kube_opts o = {.timeout_s = timeout_s};
	struct lister l = {.cfg = cfg, .o = &o};
	enum vc_result rc = VC_ERR_INPUT;

	*reply = (struct vc_kube_reply){0};
	l.start = vc_monotonic_s();
	l.deadline = l.start + (double)timeout_s;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	l.h = curl_easy_init();
	if (!l.h)
		abort();
	if (prepare(&l, path, "Accept: application/json") == 0) {
		l.headers =
			curl_slist_append(l.headers, "Content-Type: application/json");
		/* No 100-continue round trip before a large body. */
		l.headers = curl_slist_append(l.headers, "Expect:");
		rc = perform_call(&l, method, body, reply);
	}
	lister_clear(&l);
	curl_easy_cleanup(l.h);
	curl_global_cleanup();
	return rc;
}

void
vc_kube_reply_clear(struct vc_kube_reply *r)
{
	vc_buf_clear(&r->body);
	free(r->message);
	free(r->content_type);
	*r = (struct vc_kube_reply){0};
}
