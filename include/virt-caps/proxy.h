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
 * The proxy URL to reach @server through, in libcurl's syntax, or NULL
 * for a direct connection. @proxy_url is the kubeconfig cluster's
 * proxy-url (NULL if none). A proxy without a scheme is http://, and
 * socks5:// resolves names on the proxy, as Go's SOCKS5 dialer does.
 */
char *vc_proxy_for(const char *server, const char *proxy_url);

/** Whether NO_PROXY-syntax @no_proxy exempts @host (lower case, IPv6 without brackets) on
 * @port. */
bool vc_proxy_exempt(const char *no_proxy, const char *host, const char *port);

/** @url without user information, for messages ("http://proxy:3128"). */
char *vc_proxy_redact(const char *url);
