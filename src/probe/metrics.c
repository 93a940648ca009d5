/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "metrics-private.h"
#include "virt-caps/log.h"

/* A connection's socket and when it was accepted, for the deadline. */
struct vc_metrics_conn {
	int fd;
	double accepted; /* vc_monotonic_s() */
	struct vc_metrics_conn *prev, *next;
};

struct vc_metrics {
	struct MHD_Daemon *daemon;
	unsigned port;
	pthread_t thread; /* runs the daemon; valid while 'serving' */
	bool serving;
	atomic_bool stop;
	struct vc_metrics_conn *conns; /* only the serving thread touches these */
	pthread_mutex_t lock; /* guards what follows: the loop writes, MHD reads */
	unsigned long long successes;
	unsigned long long failures;
	bool have_success; /* the gauges below describe the last successful probe */
	double duration_s;
	double last_success; /* Unix time the probe ended */
	char *virttype;
	char *host_model;
	size_t labels;
	size_t usable_models;
};

/* ---- the address ------------------------------------------------------------ */

static int
parse_port(const char *s, in_port_t *port)
{
	unsigned long long p;

	if (vc_parse_uint(s, 65535, &p) < 0)
		return -EINVAL;
	*port = htons((uint16_t)p);
	return 0;
}

int
vc_metrics_parse_address(const char *s, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	const char *colon = strrchr(s, ':');
	_autofree_ char *host = NULL;

	memset(addr, 0, sizeof(*addr));
	if (!colon || colon == s)
		return -EINVAL;
	host = xstrndup(s, (size_t)(colon - s));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return -EINVAL;
		return parse_port(colon + 1, &in6->sin6_port);
	}
	in4->sin_family = AF_INET;
	*len = sizeof(*in4);
	if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &in4->sin_port);
}

/* Our own listening socket, so that a failure is reported with its errno. */
static int
listen_on(const char *address)
{
	struct sockaddr_storage addr;
	socklen_t len = 0;
	_autoclose_ int fd = -1;
	int one = 1, err;

	if (vc_metrics_parse_address(address, &addr, &len) < 0) {
		vc_err("--metrics-address '%s' is not ADDR:PORT", address);
		return -EINVAL;
	}
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = errno;
		vc_err("--metrics-address %s: cannot create a socket: %s", address,
		       strerror(err));
		return -err;
	}
	/* A restarted probe rebinds at once, past the old sockets' TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 16) < 0) {
		err = errno;
		vc_err("--metrics-address %s: cannot listen there: %s", address,
		       strerror(err));
		return -err;
	}
	return steal_fd(&fd);
}

static unsigned
bound_port(int fd)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	} addr = {.ss = {0}};
	socklen_t len = sizeof(addr);

	if (getsockname(fd, &addr.sa, &len) < 0)
		return 0;
	if (addr.sa.sa_family == AF_INET6)
		return ntohs(addr.in6.sin6_port);
	return ntohs(addr.in4.sin_port);
}

/* ---- the exposition text ----------------------------------------------------- */

/* A label value as the text format wants it: \, " and newline escaped. */
static void
put_label_value(struct vc_buf *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\')
			vc_buf_append(b, "\\\\", 2);
		else if (*v == '"')
			vc_buf_append(b, "\\\"", 2);
		else if (*v == '\n')
			vc_buf_append(b, "\\n", 2);
		else
			vc_buf_append(b, v, 1);
	}
}

static void
put_header(struct vc_buf *b, const char *name, const char *type, const char *help)
{
	vc_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{virttype="...",host_model="..."} VALUE for the last success. */
static void
put_probe_gauge(struct vc_buf *b, const struct vc_metrics *m, const char *name,
		double value)
{
	vc_buf_printf(b, "%s{virttype=\"", name);
	put_label_value(b, m->virttype);
	vc_buf_printf(b, "\",host_model=\"");
	put_label_value(b, m->host_model);
	/* Counts as integers; times to the microsecond, as they are measured. */
	if (value == (double)(long long)value)
		vc_buf_printf(b, "\"} %lld\n", (long long)value);
	else
		vc_buf_printf(b, "\"} %.6f\n", value);
}

static void
render_gauges(struct vc_buf *b, const struct vc_metrics *m)
{
	static const struct {
		const char *name, *help;
	} g[] = {
		{"caps_probe_probe_duration_seconds",
		 "Wall time of the last successful probe."},
		{"caps_probe_last_success_timestamp_seconds",
		 "Unix time at which the last successful probe ended."},
		{"caps_probe_labels", "Labels published by the last successful probe."},
		{"caps_probe_usable_models",
		 "CPU models usable on this node at the last successful probe."},
	};
	double v[] = {m->duration_s, m->last_success, (double)m->labels,
		      (double)m->usable_models};

	for (size_t i = 0; i < ARRAY_LENGTH(g); i++) {
		put_header(b, g[i].name, "gauge", g[i].help);
		/* No sample before the first success: a made-up 0 would read
		 * as a probe that found nothing. */
		if (m->have_success)
			put_probe_gauge(b, m, g[i].name, v[i]);
	}
}

char *
vc_metrics_render(struct vc_metrics *m, size_t *len)
{
	struct vc_buf b = {0};

	pthread_mutex_lock(&m->lock);
	put_header(&b, "caps_probe_probes_total", "counter",
		   "Probes since caps-probe started, by result.");
	vc_buf_printf(&b, "caps_probe_probes_total{result=\"success\"} %llu\n",
		      m->successes);
	vc_buf_printf(&b, "caps_probe_probes_total{result=\"failure\"} %llu\n",
		      m->failures);
	render_gauges(&b, m);
	pthread_mutex_unlock(&m->lock);
	return vc_buf_steal(&b, len);
}

void
vc_metrics_update(struct vc_metrics *m, const struct vc_probe_outcome *o)
{
	pthread_mutex_lock(&m->lock);
	if (!o->ok) {
		m->failures++;
		pthread_mutex_unlock(&m->lock);
		return;
	}
	m->successes++;
	m->have_success = true;
	m->duration_s = o->duration;
	m->last_success = (double)o->started + o->duration;
	free(m->virttype);
	m->virttype = xstrdup(o->virttype);
	free(m->host_model);
	m->host_model = xstrdup(o->host_model);
	m->labels = o->labels;
	m->usable_models = o->usable_models;
	pthread_mutex_unlock(&m->lock);
}

/* ---- the server -------------------------------------------------------------- */

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; version=0.0.4; charset=utf-8");
	else if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	return reply(conn, status, xstrdup(text), strlen(text));
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size,
       void **con_cls)
{
	struct vc_metrics *m = cls;
	size_t len = 0;
	char *body;

	if (!streq(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	/* HEAD is GET without the body: MHD leaves the body out itself. */
	if (!streq(method, MHD_HTTP_METHOD_GET) && !streq(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET /metrics\n");
	body = vc_metrics_render(m, &len);
	return reply(conn, MHD_HTTP_OK, body, len);
}

struct vc_metrics *
vc_metrics_new(void)
{
	struct vc_metrics *m = xzalloc(sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

/*
 * A slow client (slowloris) trickles header bytes to stay under the
 * inactivity timeout: libmicrohttpd has no deadline for a whole request,
 * so we keep our own. The notifications and the deadline both run on the
 * serving thread, between MHD_run_wait() calls: MHD cannot close a socket
 * under our feet.
 */
static void
notify(void *cls, struct MHD_Connection *conn, void **socket_context,
       enum MHD_ConnectionNotificationCode toe)
{
	struct vc_metrics *m = cls;
	struct vc_metrics_conn *c = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = xzalloc(sizeof(*c));
		c->fd = info ? info->connect_fd : -1;
		c->accepted = vc_monotonic_s();
		c->next = m->conns;
		if (m->conns)
			m->conns->prev = c;
		m->conns = c;
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		m->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
	*socket_context = NULL;
}

/* Shut down (not close: MHD owns the fd) what is past the deadline; MHD
 * then reads end-of-file and closes it, freeing the slot. */
static void
enforce_deadline(struct vc_metrics *m)
{
	double now = vc_monotonic_s();

	for (struct vc_metrics_conn *c = m->conns; c; c = c->next) {
		if (c->fd >= 0 && now - c->accepted >= VC_METRICS_DEADLINE_S) {
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1; /* once is enough */
		}
	}
}

static void *
serve(void *arg)
{
	struct vc_metrics *m = arg;

	/* Short waits: the deadline is checked and the stop flag seen at
	 * least this often. */
	while (!atomic_load(&m->stop)) {
		MHD_run_wait(m->daemon, 250);
		enforce_deadline(m);
	}
	return NULL;
}

static struct MHD_Daemon *
start_daemon(struct vc_metrics *m, int fd)
{
	/* No internal thread: ours runs the daemon and the deadline. Epoll
	 * (poll needs MHD's own thread) reports a socket we shut down. */
	return MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, handle, m,
				MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				VC_METRICS_MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, VC_METRICS_MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, VC_METRICS_IDLE_TIMEOUT_S,
				MHD_OPTION_NOTIFY_CONNECTION, notify, m, MHD_OPTION_END);
}

struct vc_metrics *
vc_metrics_start(const char *address)
{
	struct vc_metrics *m;
	int fd = listen_on(address), err;

	if (fd < 0)
		return NULL;
	m = vc_metrics_new();
	m->port = bound_port(fd);
	m->daemon = start_daemon(m, fd);
	if (!m->daemon) {
		vc_err("--metrics-address %s: libmicrohttpd could not start serving",
		       address);
		close(fd);
		vc_metrics_stop(m);
		return NULL;
	}
	err = pthread_create(&m->thread, NULL, serve, m);
	if (err) {
		vc_err("--metrics-address %s: cannot start the serving thread: %s",
		       address, strerror(err));
		vc_metrics_stop(m);
		return NULL;
	}
	m->serving = true;
	/* The port, not the address's: ":0" asked for any free one. */
	vc_info("serving metrics on http://%.*s:%u/metrics",
		(int)(strrchr(address, ':') - address), address, m->port);
	return m;
}

unsigned
vc_metrics_port(const struct vc_metrics *m)
{
	return m->port;
}

void
vc_metrics_stop(struct vc_metrics *m)
{
	if (!m)
		return;
	if (m->serving) {
		atomic_store(&m->stop, true);
		pthread_join(m->thread, NULL);
	}
	/* Closes the connections left, each notified: the list empties. */
	if (m->daemon)
		MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m->virttype);
	free(m->host_model);
	free(m);
}
