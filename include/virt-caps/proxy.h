/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Choosing the proxy for the API server the way kubectl (client-go and
 * Go's net/http) chooses it, so that libcurl's own reading of the
 * environment (ALL_PROXY, lowercase-only http_proxy, its own NO_PROXY
 * syntax) never applies: the kubeconfig's proxy-url wins; else
 * HTTPS_PROXY/https_proxy for https servers, HTTP_PROXY/http_proxy for
 * http servers (upper case first); NO_PROXY/no_proxy (host names with
 * their subdomains, ".domain" for subdomains only, IP addresses, CIDR
 * ranges, an optional :port, "*" for all) and loopback hosts (localhost,
 * 127.0.0.0/8, ::1) go direct. ALL_PROXY is not read.
 */
#pragma once

#include "virt-caps/util.h"

/**
 * The proxy URL to reach @server through, in libcurl's syntax, in *@out,
 * or NULL there for a direct connection. @proxy_url is the kubeconfig
 * cluster's proxy-url (NULL if none). A proxy without a scheme is
 * http://, the scheme is lower-cased, and socks5:// resolves names on the
 * proxy, as Go's SOCKS5 dialer does. Returns 0, or -EINVAL after one
 * error line naming the variable (the password left out) when the proxy
 * URL cannot be parsed.
 */
int vc_proxy_for(const char *server, const char *proxy_url, char **out);
/**
 * @proxy as vc_proxy_for() would use it, or NULL with *@why set (a
 * static reason that never quotes the URL) when it is not a proxy URL
 * libcurl can use: another scheme, bad syntax, no host, or a user or
 * password holding a (percent-encoded) control byte, which libcurl would
 * drop together with the proxy.
 */
char *vc_proxy_check(const char *proxy, const char **why);
/** Whether NO_PROXY-syntax @no_proxy exempts @host (lower case, IPv6 without brackets) on
 * @port. */
bool vc_proxy_exempt(const char *no_proxy, const char *host, const char *port);

/** @url without user information and path, for messages ("http://proxy:3128"),
 * even when it cannot be parsed. */
char *vc_proxy_redact(const char *url);
