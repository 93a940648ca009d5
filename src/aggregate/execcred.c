/* SPDX-License-Identifier: Apache-2.0 */
/* ExecCredential plugins (client.authentication.k8s.io), run without a shell. */
#include "virt-caps/execcred.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "virt-caps/log.h"
#include "virt-caps/tree.h"

#define EXEC_OUTPUT_MAX (1024 * 1024)

static void
run_child(const struct vc_kube_config *cfg, int out_fd)
{
	const char *api = cfg->exec_api_version ? cfg->exec_api_version
						: "client.authentication.k8s.io/v1";
	char **argv = xzalloc((cfg->exec_args.n + 2) * sizeof(*argv));
	_autofree_ char *info = xasprintf(
		"{\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\",\"spec\":{\"interactive\":false}}",
		api);
	int null_fd = open("/dev/null", O_RDONLY);

	argv[0] = cfg->exec_command;
	for (size_t i = 0; i < cfg->exec_args.n; i++)
		argv[i + 1] = cfg->exec_args.v[i];
	for (size_t i = 0; i < cfg->exec_env.n; i++)
		putenv(cfg->exec_env.v[i]);
	setenv("KUBERNETES_EXEC_INFO", info, 1);
	if (null_fd >= 0)
		dup2(null_fd, 0);
	dup2(out_fd, 1);
	execvp(argv[0], argv);
	_exit(127);
}

/* Run the plugin; its standard output goes to @out (never to the logs). */
static int
run_plugin(const struct vc_kube_config *cfg, struct vc_buf *out)
{
	int fds[2], status = 0;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		vc_err("cannot run exec credential plugin %s: pipe: %s",
		       cfg->exec_command, strerror(errno));
		return -EINVAL;
	}
	pid = fork();
	if (pid < 0) {
		vc_err("cannot run exec credential plugin %s: fork: %s",
		       cfg->exec_command, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -EINVAL;
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(cfg, fds[1]);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && out->len < EXEC_OUTPUT_MAX)
			vc_buf_append(out, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		vc_err("exec credential plugin %s failed (%s %d)", cfg->exec_command,
		       WIFEXITED(status) ? "exit status" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -EINVAL;
	}
	return 0;
}

static void
replace(char **slot, size_t *len, const char *value)
{
	if (*slot)
		explicit_bzero(*slot, strlen(*slot));
	free(*slot);
	*slot = xstrdup(value);
	if (len)
		*len = strlen(value);
}

int
vc_execcred_apply(struct vc_kube_config *cfg)
{
	struct vc_buf out = {0};
	_autotree_ struct vc_tree *doc = NULL;
	const struct vc_tree *status;
	const char *token, *cert, *key;
	int rc;

	if (!cfg->exec_command)
		return 0;
	rc = run_plugin(cfg, &out);
	if (rc == 0)
		doc = vc_tree_parse(out.data ? out.data : "", out.len,
				    "exec credential plugin output");
	if (out.data)
		explicit_bzero(out.data, out.len);
	vc_buf_clear(&out);
	if (rc < 0 || !doc)
		return -EINVAL;
	status = vc_tree_get(doc, "status");
	token = vc_tree_str(status, "token");
	cert = vc_tree_str(status, "clientCertificateData");
	key = vc_tree_str(status, "clientKeyData");
	if (!streq(vc_tree_str(doc, "kind"), "ExecCredential") ||
	    (!token && !(cert && key))) {
		vc_err("exec credential plugin %s returned no ExecCredential with a token or client certificate",
		       cfg->exec_command);
		return -EINVAL;
	}
	if (token && !vc_kube_token_valid(token)) {
		vc_err("exec credential plugin %s returned a token with a control character (CR, LF...); refused",
		       cfg->exec_command);
		return -EINVAL;
	}
	if (token)
		replace(&cfg->token, NULL, token);
	if (cert && key) {
		replace(&cfg->cert_data, &cfg->cert_len, cert);
		replace(&cfg->key_data, &cfg->key_len, key);
	}
	return 0;
}
