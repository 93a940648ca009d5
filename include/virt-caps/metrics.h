/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-probe's Prometheus endpoint (--metrics-address): GET /metrics in
 * the text exposition format, served by libmicrohttpd from a thread of
 * ours while the loop probes. The loop hands each probe's outcome to
 * vc_metrics_update(); the server thread only reads, under a mutex.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "virt-caps/health.h"

struct vc_metrics;

/*
 * Limits that keep slow or greedy clients from starving the scraper
 * (a scrape is one short request): connections in all, connections from
 * one IP address (more are closed as soon as accepted), seconds of
 * silence, and seconds a connection may live however it trickles bytes.
 */
#define VC_METRICS_MAX_CONNECTIONS 64U
#define VC_METRICS_MAX_PER_IP 4U
#define VC_METRICS_IDLE_TIMEOUT_S 5U
#define VC_METRICS_DEADLINE_S 10.0

/**
 * Parse "ADDR:PORT" (a numeric IPv4 address or a bracketed IPv6 one,
 * "[::1]:9100"; PORT 0 to 65535, 0 takes a free port). Returns 0 or
 * -EINVAL; reports nothing, the caller names the option.
 */
int vc_metrics_parse_address(const char *s, struct sockaddr_storage *addr,
			     socklen_t *len);

/**
 * Bind @address (already checked by vc_metrics_parse_address) and serve
 * from a thread of our own, which closes connections past the deadline. Start it after
 * blocking the signals the loop waits for: the thread inherits the mask. Returns NULL
 * after one error line naming the address (address in use, not local...).
 */
struct vc_metrics *vc_metrics_start(const char *address);

/** The port the server listens on (the chosen one when asked for 0). */
unsigned vc_metrics_port(const struct vc_metrics *m);

/** Count one probe and, when it succeeded, keep what it found. */
void vc_metrics_update(struct vc_metrics *m, const struct vc_probe_outcome *o);

/** The text /metrics serves now; the caller frees it. */
char *vc_metrics_render(struct vc_metrics *m, size_t *len);

/** Stop serving (waits for the thread) and free; NULL is fine. */
void vc_metrics_stop(struct vc_metrics *m);

static inline void
vc_metrics_stopp(struct vc_metrics **m)
{
	vc_metrics_stop(*m);
}
#define _autometrics_ __attribute__((cleanup(vc_metrics_stopp)))
