/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "virt-caps/log.h"

DEFINE_CLEANUP_FUNC(CURLU *, curl_url_cleanup, curl_url_cleanup)
DEFINE_CLEANUP_FUNC(char *, curl_free, curl_free)

/* An IP address as 4 or 16 bytes; IPv4-mapped IPv6 counts as IPv4, as in Go. */
struct ip {
	unsigned char b[16];
	size_t len;
};

static bool
parse_ip(const char *s, struct ip *ip)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
						 0, 0, 0, 0, 0xff, 0xff};

	if (inet_pton(AF_INET, s, ip->b) == 1) {
		ip->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, ip->b) != 1)
		return false;
	ip->len = 16;
	if (memcmp(ip->b, mapped, sizeof(mapped)) == 0) {
		memmove(ip->b, ip->b + 12, 4);
		ip->len = 4;
	}
	return true;
}

static bool
is_loopback(const char *host)
{
	static const unsigned char one[16] = {[15] = 1};
	struct ip ip;

	if (streq(host, "localhost"))
		return true;
	if (!parse_ip(host, &ip))
		return false;
	return ip.len == 4 ? ip.b[0] == 127 : memcmp(ip.b, one, 16) == 0;
}

/* "10.0.0.0/8" or "fd00::/8" against @ip. */
static bool
cidr_match(const char *entry, const char *slash, const struct ip *ip)
{
	_autofree_ char *addr = xstrndup(entry, (size_t)(slash - entry));
	unsigned long long bits;
	struct ip net;
	size_t full;

	if (!parse_ip(addr, &net) || vc_parse_uint(slash + 1, net.len * 8, &bits) < 0)
		return false;
	if (!ip || ip->len != net.len)
		return false;
	full = (size_t)bits / 8;
	if (memcmp(net.b, ip->b, full) != 0)
		return false;
	if (bits % 8 == 0)
		return true;
	return ((net.b[full] ^ ip->b[full]) & (0xff << (8 - bits % 8)) & 0xff) == 0;
}

/* Go's net.SplitHostPort on one NO_PROXY entry; without a port, all of it is the host. */
static void
split_entry(char *e, char **host, char **port)
{
	char *colon = strrchr(e, ':');

	*host = e;
	*port = NULL;
	if (e[0] == '[') {
		char *close = strchr(e, ']');

		if (close && close[1] == ':') {
			*close = '\0';
			*host = e + 1;
			*port = close + 2;
		}
		return;
	}
	if (colon && colon == strchr(e, ':')) {
		*colon = '\0';
		*port = colon + 1;
	}
}

static bool
domain_match(const char *pat, const char *host)
{
	size_t hl = strlen(host), pl;
	bool exact_too = true;

	if (strncmp(pat, "*.", 2) == 0)
		pat++;
	if (pat[0] == '.') { /* ".y.com": subdomains only */
		exact_too = false;
		pat++;
	}
	pl = strlen(pat);
	if (exact_too && streq(host, pat))
		return true;
	return hl > pl && host[hl - pl - 1] == '.' && streq(host + hl - pl, pat);
}

static bool
entry_match(char *e, const char *host, const struct ip *ip, const char *port)
{
	const char *slash = strchr(e, '/');
	char *ehost, *eport;
	struct ip eip;

	if (slash && cidr_match(e, slash, ip))
		return true;
	split_entry(e, &ehost, &eport);
	if (!*ehost)
		return false; /* no host part: Go ignores the entry */
	if (eport && *eport && !streq(eport, port))
		return false;
	if (parse_ip(ehost, &eip))
		return ip && eip.len == ip->len && memcmp(eip.b, ip->b, ip->len) == 0;
	return domain_match(ehost, host);
}

bool
vc_proxy_exempt(const char *no_proxy, const char *host, const char *port)
{
	_autofree_ char *list = xstrdup(no_proxy ? no_proxy : "");
	struct ip ip;
	bool is_ip = parse_ip(host, &ip);
	char *save = NULL;

	for (char *e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		e = vc_trim(e);
		for (char *c = e; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (streq(e, "*"))
			return true;
		if (*e && entry_match(e, host, is_ip ? &ip : NULL, port))
			return true;
	}
	return false;
}

static const char *
env_any(const char *upper, const char *lower)
{
	const char *v = getenv(upper);

	return strempty(v) ? getenv(lower) : v;
}

/* A scheme Go accepts for a proxy; socks5 resolves names on the proxy. */
static const char *
curl_scheme(const char *scheme)
{
	if (streq(scheme, "http") || streq(scheme, "https"))
		return scheme;
	return streq(scheme, "socks5") ? "socks5h" : NULL;
}

/*
 * Go's parseProxy: the scheme is lower-cased (url.Parse does), and a
 * proxy without one is http://. NULL for another scheme.
 */
static char *
normalize(const char *proxy)
{
	const char *sep = strstr(proxy, "://");
	size_t n = sep ? (size_t)(sep - proxy) : 0;
	_autofree_ char *scheme = xstrndup(proxy, n);
	const char *known;

	for (char *c = scheme; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("+-.", *c))
			return xasprintf("http://%s", proxy); /* no scheme after all */
		*c = (char)tolower((unsigned char)*c);
	}
	if (!sep)
		return xasprintf("http://%s", proxy);
	known = curl_scheme(scheme);
	return known ? xasprintf("%s%s", known, sep) : NULL;
}

static bool
is_control(unsigned int c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Whether @part, once percent-decoded, holds a control byte. libcurl
 * would not send such credentials and silently connects without the
 * proxy instead; a configured proxy must never be skipped. Decoded here:
 * libcurl's own decoding fails on exactly these bytes.
 */
static bool
has_control(CURLU *u, CURLUPart part)
{
	_cleanup_(curl_freep) char *v = NULL;
	unsigned int c;

	if (curl_url_get(u, part, &v, 0) != CURLUE_OK || !v)
		return false; /* no user or no password */
	for (const char *p = v; *p; p++) {
		if (is_control((unsigned char)*p))
			return true;
		if (*p == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2]) && sscanf(p + 1, "%2x", &c) == 1 &&
		    is_control(c))
			return true;
	}
	return false;
}

char *
vc_proxy_check(const char *proxy, const char **why)
{
	_cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
	_cleanup_(curl_freep) char *host = NULL;
	_autofree_ char *url = normalize(proxy);
	CURLUcode rc;

	if (!u)
		abort();
	if (!url) {
		*why = "the scheme must be http://, https:// or socks5://";
		return NULL;
	}
	/* Parsed here, so that libcurl never rejects it with an error that
	 * quotes the whole URL, password included. socks5h is no URL scheme
	 * libcurl fetches, only a proxy scheme: hence NON_SUPPORT_SCHEME. */
	rc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc != CURLUE_OK) {
		*why = curl_url_strerror(rc);
		return NULL;
	}
	if (has_control(u, CURLUPART_USER) || has_control(u, CURLUPART_PASSWORD)) {
		*why = "its user or password holds a control character (percent-encoded)";
		return NULL;
	}
	return steal(&url);
}

/* Checked only when used: NO_PROXY or a loopback server make it moot. */
static int
env_proxy(const char *name, const char *value, char **out)
{
	_autofree_ char *shown = NULL;
	const char *why = NULL;

	*out = vc_proxy_check(value, &why);
	if (*out)
		return 0;
	shown = vc_proxy_redact(value);
	vc_err("%s: '%s' is not a usable proxy URL: %s", name, shown, why);
	return -EINVAL;
}

/* Scheme, lower-case host (IPv6 unbracketed) and port (default by scheme). */
static int
split_server(const char *server, char **scheme, char **host, char **port)
{
	_cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
	_cleanup_(curl_freep) char *s = NULL, *h = NULL, *p = NULL;
	size_t n;

	if (!u || curl_url_set(u, CURLUPART_URL, server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
		return -EINVAL;
	n = strlen(h);
	*host = h[0] == '[' && n > 1 ? xstrndup(h + 1, n - 2) : xstrdup(h);
	for (char *c = *host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	*scheme = xstrdup(s);
	*port = xstrdup(p);
	return 0;
}

/* The proxy variable for @scheme that is set, upper case first, and its
 * value in *@value; NULL if none. */
static const char *
env_name(const char *scheme, const char **value)
{
	const char *upper = streq(scheme, "https") ? "HTTPS_PROXY" : "HTTP_PROXY";
	const char *lower = streq(scheme, "https") ? "https_proxy" : "http_proxy";

	if (!streq(scheme, "https") && !streq(scheme, "http"))
		return NULL;
	*value = getenv(upper);
	if (!strempty(*value))
		return upper;
	*value = getenv(lower);
	return strempty(*value) ? NULL : lower;
}

int
vc_proxy_for(const char *server, const char *proxy_url, char **out)
{
	_autofree_ char *scheme = NULL, *host = NULL, *port = NULL;
	const char *why = NULL, *name, *value = NULL;

	*out = NULL;
	if (!strempty(proxy_url)) { /* client-go's http.ProxyURL: always, even loopback */
		/* Checked where the kubeconfig was read. */
		*out = vc_proxy_check(proxy_url, &why);
		if (*out)
			return 0;
		vc_err("proxy-url: not a usable proxy URL: %s", why);
		return -EINVAL;
	}
	if (split_server(server, &scheme, &host, &port) < 0)
		return 0; /* libcurl reports the bad URL */
	name = env_name(scheme, &value);
	if (!name || !value || is_loopback(host) ||
	    vc_proxy_exempt(env_any("NO_PROXY", "no_proxy"), host, port))
		return 0;
	return env_proxy(name, value, out);
}

char *
vc_proxy_redact(const char *url)
{
	const char *sep = strstr(url, "://");
	const char *start = sep ? sep + 3 : url;
	/* The last '@' anywhere: a URL too broken to parse may hold a
	 * password with a raw '/' or '?' in it. */
	const char *at = strrchr(start, '@');
	const char *host = at ? at + 1 : start;
	const char *end = host + strcspn(host, "/?#");

	return xasprintf("%.*s%.*s", (int)(start - url), url, (int)(end - host), host);
}
