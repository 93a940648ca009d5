/* SPDX-License-Identifier: Apache-2.0 */
/* ExecCredential plugins (client.authentication.k8s.io), run without a shell. */
#include "virt-caps/execcred.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "virt-caps/log.h"
#include "virt-caps/tree.h"

#define EXEC_OUTPUT_MAX (1024 * 1024)
#define EXEC_GROUP "client.authentication.k8s.io/"

/*
 * KUBERNETES_EXEC_INFO for each apiVersion client-go accepts: fixed text,
 * never built from the kubeconfig's value (a quote in it would add JSON).
 */
static const struct {
	const char *version;
	const char *info;
} exec_apis[] = {
	{EXEC_GROUP "v1", "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" EXEC_GROUP
			  "v1\",\"spec\":{\"interactive\":false}}"},
	{EXEC_GROUP "v1beta1", "{\"kind\":\"ExecCredential\",\"apiVersion\":\"" EXEC_GROUP
			       "v1beta1\",\"spec\":{\"interactive\":false}}"},
};

static const char *
exec_info(const char *api_version)
{
	for (size_t i = 0; i < sizeof(exec_apis) / sizeof(exec_apis[0]); i++)
		if (streq(api_version, exec_apis[i].version))
			return exec_apis[i].info;
	return NULL;
}

bool
vc_execcred_api_known(const char *api_version)
{
	return exec_info(api_version) != NULL;
}

enum run_state {
	RUN_READING,
	RUN_DONE,     /* the plugin exited; its output is read */
	RUN_TIMEOUT,  /* --exec-timeout passed */
	RUN_TOO_BIG,  /* more than EXEC_OUTPUT_MAX bytes */
	RUN_READ_ERR, /* reading its standard output failed (errno in err) */
};

/* One run of the plugin: a child in its own process group. */
struct plugin_run {
	const struct vc_kube_config *cfg;
	char *path; /* the command, looked up in PATH */
	pid_t pid;  /* also the process group */
	int out_fd; /* read end of its standard output, non-blocking */
	int err_fd; /* read end of a pipe that gets execv's errno, or EOF */
	/* SIGCHLD is blocked while the plugin runs and let through only while
	 * waiting in ppoll, so that its exit always ends the wait. */
	sigset_t old_mask;
	sigset_t wait_mask;
	struct sigaction old_chld;
	char *buf; /* EXEC_OUTPUT_MAX + 1 bytes, wiped before it is freed */
	size_t len;
	bool eof;
	int err;
	struct timespec deadline;
};

/* Only there to interrupt ppoll(). */
static void
on_sigchld(int sig)
{
}

static void
catch_sigchld(struct plugin_run *r)
{
	struct sigaction sa = {.sa_handler = on_sigchld};
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &r->old_mask);
	r->wait_mask = r->old_mask;
	sigdelset(&r->wait_mask, SIGCHLD);
	sigaction(SIGCHLD, &sa, &r->old_chld);
}

static void
release_sigchld(const struct plugin_run *r)
{
	sigaction(SIGCHLD, &r->old_chld, NULL);
	sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
}

static void
run_child(const struct plugin_run *r, int out_fd, int err_fd)
{
	const struct vc_kube_config *cfg = r->cfg;
	char **argv = xzalloc((cfg->exec_args.n + 2) * sizeof(*argv));
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int err;

	/* Its own process group, so that on a timeout the plugin and
	 * everything it started can be killed together. */
	setpgid(0, 0);
	/* caps-aggregate ignores SIGPIPE and blocks SIGCHLD here; the plugin
	 * gets the defaults. */
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
	argv[0] = cfg->exec_command;
	for (size_t i = 0; i < cfg->exec_args.n; i++)
		argv[i + 1] = cfg->exec_args.v[i];
	for (size_t i = 0; i < cfg->exec_env.n; i++)
		putenv(cfg->exec_env.v[i]);
	setenv("KUBERNETES_EXEC_INFO", exec_info(cfg->exec_api_version), 1);
	if (null_fd >= 0)
		dup2(null_fd, 0);
	dup2(out_fd, 1);
	/* Not execvp: on ENOEXEC it would run the file with /bin/sh. */
	execv(r->path, argv);
	/* The parent says why: "exit status 127" alone does not. */
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static bool
is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) &&
	       faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

/*
 * The program @cmd names, as Go's exec.LookPath finds it (kubectl runs
 * plugins through it): a command with a '/' as it is, else the first
 * executable file of that name in caps-aggregate's own PATH (an empty
 * entry is "."). Like Go, a command found only relative to the working
 * directory is refused: it would run whatever the directory holds.
 * NULL after one error line.
 */
static char *
look_path(const char *cmd)
{
	_autofree_ char *list = xstrdup(getenv("PATH") ? getenv("PATH") : "");
	char *rest = list, *dir;

	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	while (*list && (dir = strsep(&rest, ":"))) {
		_autofree_ char *path = xasprintf("%s/%s", *dir ? dir : ".", cmd);

		if (!is_executable(path))
			continue;
		if (path[0] == '/')
			return steal(&path);
		vc_err("exec credential plugin %s was found only relative to the working directory (PATH entry '%s'); refused, as kubectl refuses it",
		       cmd, *dir ? dir : "");
		return NULL;
	}
	vc_err("exec credential plugin %s was not found in PATH", cmd);
	return NULL;
}

/*
 * Why execv failed in the child: a command that is not there or cannot be
 * run says so, rather than "exit status 127". A file that is neither a
 * program nor a script with a #! line is an error, as in kubectl, never
 * a shell script.
 */
static int
exec_failed(const struct plugin_run *r, int err)
{
	const char *cmd = r->cfg->exec_command;

	if (err == ENOENT)
		vc_err("exec credential plugin %s does not exist", cmd);
	else if (err == ENOEXEC)
		vc_err("cannot run exec credential plugin %s: exec format error (neither a program nor a script starting with #!)",
		       cmd);
	else
		vc_err("cannot run exec credential plugin %s: %s", cmd, strerror(err));
	return -ENOENT;
}

/* The child's execvp errno, or 0 once the exec succeeded (@fd closed on exec). */
static int
exec_errno(int fd)
{
	int err = 0;
	ssize_t n;

	while ((n = read(fd, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(fd);
	return n == (ssize_t)sizeof(err) ? err : 0;
}

static void
close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static int
pipe_failed(const struct plugin_run *r, int fds[2])
{
	vc_err("cannot run exec credential plugin %s: pipe: %s", r->cfg->exec_command,
	       strerror(errno));
	if (fds)
		close_pair(fds);
	return -EINVAL;
}

/* Returns 0 with the plugin started, else -EINVAL (reported). */
static int
start_child(struct plugin_run *r)
{
	int fds[2], errp[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return pipe_failed(r, NULL);
	if (pipe2(errp, O_CLOEXEC) < 0)
		return pipe_failed(r, fds);
	r->pid = fork();
	if (r->pid < 0) {
		vc_err("cannot run exec credential plugin %s: fork: %s",
		       r->cfg->exec_command, strerror(errno));
		close_pair(fds);
		close_pair(errp);
		return -EINVAL;
	}
	if (r->pid == 0) {
		close(fds[0]);
		close(errp[0]);
		run_child(r, fds[1], errp[1]);
	}
	/* Also here, so that the group exists before anything is killed. */
	setpgid(r->pid, r->pid);
	close(fds[1]);
	close(errp[1]);
	r->err_fd = errp[0];
	r->out_fd = fds[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Milliseconds left until the deadline, 0 when it has passed. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Read what the pipe holds now, up to one byte past the cap. */
static enum run_state
drain(struct plugin_run *r)
{
	while (!r->eof) {
		ssize_t n =
			read(r->out_fd, r->buf + r->len, EXEC_OUTPUT_MAX + 1 - r->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return RUN_READING;
		if (n < 0) {
			r->err = errno;
			return RUN_READ_ERR;
		}
		r->eof = n == 0;
		r->len += (size_t)n;
		if (r->len > EXEC_OUTPUT_MAX)
			return RUN_TOO_BIG;
	}
	return RUN_READING;
}

static bool
exited(const struct plugin_run *r)
{
	siginfo_t si = {0};

	/* WNOWAIT: the zombie keeps the process group's id from being reused
	 * until the group has been killed. */
	return waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == r->pid;
}

/*
 * Read the plugin's output until it exits. kubectl reads until end of file,
 * so a background child that keeps the plugin's standard output open
 * makes it wait for ever; here the output ends when the plugin exits (what
 * it wrote before is all in the pipe by then), and never after the deadline.
 */
static enum run_state
collect(struct plugin_run *r)
{
	for (;;) {
		struct pollfd p = {.fd = r->eof ? -1 : r->out_fd, .events = POLLIN};
		enum run_state st = drain(r);
		struct timespec ts;
		int ms;

		if (st != RUN_READING)
			return st;
		if (exited(r)) {
			st = drain(r);
			return st == RUN_READING ? RUN_DONE : st;
		}
		ms = ms_left(&r->deadline);
		if (ms == 0)
			return RUN_TIMEOUT;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		/* A SIGCHLD pending since exited() looked ends this at once. */
		if (ppoll(&p, 1, &ts, &r->wait_mask) < 0 && errno != EINTR) {
			r->err = errno;
			return RUN_READ_ERR;
		}
	}
}

/*
 * Kill what is left of the plugin's process group and reap it. caps-aggregate
 * is a child subreaper while the plugin runs, so the plugin's orphaned
 * children become its own and are reaped here too: none is left behind.
 */
static int
finish(struct plugin_run *r)
{
	int status = 0;

	kill(-r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	while (waitpid(-r->pid, NULL, 0) > 0 || errno == EINTR)
		;
	close(r->out_fd);
	return status;
}

static int
report(const struct plugin_run *r, enum run_state st, int status, unsigned long timeout_s)
{
	const char *cmd = r->cfg->exec_command;

	switch (st) {
	case RUN_TIMEOUT:
		vc_err("exec credential plugin %s did not finish within %lus (--exec-timeout); it was killed",
		       cmd, timeout_s);
		return -ETIMEDOUT;
	case RUN_TOO_BIG:
		vc_err("exec credential plugin %s wrote more than %d bytes; it was killed",
		       cmd, EXEC_OUTPUT_MAX);
		return -EFBIG;
	case RUN_READ_ERR:
		vc_err("cannot read the output of exec credential plugin %s: %s", cmd,
		       strerror(r->err));
		return -EIO;
	default:
		break;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		vc_err("exec credential plugin %s failed (%s %d)", cmd,
		       WIFEXITED(status) ? "exit status" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -EINVAL;
	}
	return 0;
}

/* Run the plugin; its standard output goes to r->buf (never to the logs). */
static int
run_plugin(struct plugin_run *r, unsigned long timeout_s)
{
	enum run_state st;
	int rc, status, err;

	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += (time_t)timeout_s;
	r->path = look_path(r->cfg->exec_command);
	if (!r->path)
		return -ENOENT;
	prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
	catch_sigchld(r);
	rc = start_child(r);
	if (rc == 0 && (err = exec_errno(r->err_fd)) != 0) {
		finish(r);
		rc = exec_failed(r, err);
	} else if (rc == 0) {
		st = collect(r);
		status = finish(r);
		rc = report(r, st, status, timeout_s);
	}
	release_sigchld(r);
	prctl(PR_SET_CHILD_SUBREAPER, 0L, 0L, 0L, 0L);
	free(r->path);
	return rc;
}

static void
replace(char **slot, size_t *len, const char *value)
{
	vc_free_secret(*slot, len ? *len : *slot ? strlen(*slot) : 0);
	*slot = xstrdup(value);
	if (len)
		*len = strlen(value);
}

static int
take_credential(struct vc_kube_config *cfg, const struct vc_tree *doc)
{
	const struct vc_tree *status = vc_tree_get(doc, "status");
	const char *token = vc_tree_str(status, "token");
	const char *cert = vc_tree_str(status, "clientCertificateData");
	const char *key = vc_tree_str(status, "clientKeyData");

	if (!streq(vc_tree_str(doc, "kind"), "ExecCredential") ||
	    (strempty(token) && !(cert && key))) {
		vc_err("exec credential plugin %s returned no ExecCredential with a token or client certificate",
		       cfg->exec_command);
		return -EINVAL;
	}
	/* As client-go: an answer for another version is not understood. */
	if (!streq(vc_tree_str(doc, "apiVersion"), cfg->exec_api_version)) {
		vc_err("exec credential plugin %s did not answer with apiVersion %s, the one its kubeconfig configures",
		       cfg->exec_command, cfg->exec_api_version);
		return -EINVAL;
	}
	if (token && !vc_kube_token_valid(token)) {
		vc_err("exec credential plugin %s returned a token with a control character (CR, LF...); refused",
		       cfg->exec_command);
		return -EINVAL;
	}
	if (!strempty(token))
		replace(&cfg->token, NULL, token);
	if (cert && key) {
		replace(&cfg->cert_data, &cfg->cert_len, cert);
		replace(&cfg->key_data, &cfg->key_len, key);
	}
	return 0;
}

int
vc_execcred_apply(struct vc_kube_config *cfg, unsigned long timeout_s)
{
	struct plugin_run r = {.cfg = cfg, .out_fd = -1, .err_fd = -1};
	_autofree_ char *what = NULL;
	struct vc_tree *doc = NULL;
	int rc;

	if (!cfg->exec_command)
		return 0;
	if (!exec_info(cfg->exec_api_version)) { /* kubeconfig.c refuses it first */
		vc_err("exec credential plugin %s: unknown apiVersion",
		       cfg->exec_command);
		return -EINVAL;
	}
	/* One block of the largest size allowed: never grown, so never copied. */
	r.buf = xzalloc(EXEC_OUTPUT_MAX + 1);
	rc = run_plugin(&r, timeout_s);
	what = xasprintf("output of exec credential plugin %s", cfg->exec_command);
	if (rc == 0)
		doc = vc_tree_parse(r.buf, r.len, what);
	vc_free_secret(r.buf, r.len);
	if (rc < 0 || !doc)
		return -EINVAL;
	rc = take_credential(cfg, doc);
	vc_tree_free(doc); /* wipes every string */
	return rc;
}
