/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/cli.h"

#include <errno.h>
#include <signal.h>

#include "virt-caps/escape.h"
#include "virt-caps/log.h"

#define OPT_VERSION 0x4000

static const struct option common_long[] = {
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
};

static const char *const output_names[] = {
	[VC_OUTPUT_YAML] = "yaml",
	[VC_OUTPUT_JSON] = "json",
	[VC_OUTPUT_TABLE] = "table",
	[VC_OUTPUT_TEXT] = "text",
};

/* The subcommand being parsed ("advise"), or NULL: set by vc_cli_parse,
 * so that every usage error points at the right --help. */
static const char *current_subcommand;

int
vc_cli_usage_error(const char *fmt, ...)
{
	const char *prog = vc_log_get_program();
	_autofree_ char *line = NULL;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The message quotes the user's arguments: keep it one inert line,
	 * escaped as every other stderr line is (vc_log). */
	line = vc_escape_text(msg);
	fprintf(stderr, "%s: %s (see %s%s%s --help)\n", prog, line, prog,
		current_subcommand ? " " : "",
		current_subcommand ? current_subcommand : "");
	return -EINVAL;
}

/* The command's options followed by the common ones, for getopt_long. */
static struct option *
merge_options(const struct option *own)
{
	size_t n = 0;
	struct option *all;

	while (own[n].name)
		n++;
	all = xzalloc((n + ARRAY_LENGTH(common_long) + 1) * sizeof(*all));
	memcpy(all, own, n * sizeof(*all));
	memcpy(all + n, common_long, sizeof(common_long));
	return all;
}

/* Returns 1 when @c was a common option that ends the run (help, version). */
static int
common_option(const struct vc_cli *cli, int c, int *level)
{
	switch (c) {
	case 'v':
		(*level)++;
		return 0;
	case 'q':
		*level = VC_LOG_ERROR;
		return 0;
	case 'h':
		fputs(cli->usage, stdout);
		return 1;
	default: /* OPT_VERSION */
		if (cli->version)
			cli->version();
		else
			printf("%s %s\n", vc_log_get_program(), VC_VERSION);
		return 1;
	}
}

/*
 * getopt's '?' or ':' for @arg, the argument it was working on. A short
 * option is named by itself ("-Z" of "-vZ"): optopt says which. For an
 * unknown long option optopt is 0; for a long one missing its value,
 * @arg is the long option.
 */
static int
bad_option(const char *sub, int c, const char *arg)
{
	char shortopt[3] = {'-', (char)optopt, '\0'};
	const char *name = strncmp(arg, "--", 2) == 0 || !optopt ? arg : shortopt;

	if (c == ':')
		return vc_cli_usage_error("%s%soption '%s' needs a value", sub,
					  *sub ? ": " : "", name);
	return vc_cli_usage_error("%s%sunknown option '%s'", sub, *sub ? ": " : "", name);
}

static int
parse_loop(const struct vc_cli *cli, int argc, char **argv, const struct option *all)
{
	_autofree_ char *shorts =
		xasprintf(":%s%s", cli->short_opts ? cli->short_opts : "", "vqh");
	const char *sub = cli->subcommand ? cli->subcommand : "";
	int c, level = VC_LOG_WARN;

	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if (c == ':' || c == '?')
			return bad_option(sub, c, argv[optind - 1]);
		if (c == 'v' || c == 'q' || c == 'h' || c == OPT_VERSION) {
			/* A long usage text fails in fputs() already, with
			 * nothing left for fflush() to report: ask ferror(). */
			if (common_option(cli, c, &level))
				return fflush(stdout) == 0 && !ferror(stdout)
					       ? VC_CLI_DONE
					       : vc_cli_output_failed(errno ? errno
									    : EIO);
			continue;
		}
		if (cli->option(cli->ctx, c, optarg) < 0)
			return -EINVAL;
	}
	vc_log_set_level(level > VC_LOG_DEBUG ? VC_LOG_DEBUG : (enum vc_log_level)level);
	return VC_CLI_RUN;
}

enum vc_exit
vc_cli_exit(int rc)
{
	if (rc == VC_CLI_DONE)
		return VC_EXIT_OK;
	return rc == -EIO ? VC_EXIT_OUTPUT : VC_EXIT_USAGE;
}

void
vc_cli_init(const char *program)
{
	vc_log_set_program(program);
	/* A reader that went away (a closed pipe) is a failed write of
	 * standard output, exit 5 with one line, not a silent SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
}

int
vc_cli_parse(const struct vc_cli *cli, int argc, char **argv)
{
	_autofree_ struct option *all = merge_options(cli->long_opts);

	current_subcommand = cli->subcommand;
	/* getopt's own messages take two lines; ours take one. */
	opterr = 0;
	optind = 1;
	return parse_loop(cli, argc, argv, all);
}

int
vc_cli_output(const char *arg, unsigned allowed, enum vc_output *out)
{
	struct vc_buf names = {0};
	_autofree_ char *text = NULL;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < ARRAY_LENGTH(output_names); i++) {
		if (!(allowed & VC_OUTPUT_BIT(i)))
			continue;
		if (streq(arg, output_names[i])) {
			*out = (enum vc_output)i;
			return 0;
		}
		n++;
	}
	for (size_t i = 0; i < ARRAY_LENGTH(output_names); i++)
		if (allowed & VC_OUTPUT_BIT(i))
			vc_buf_printf(&names, "%s%s",
				      k++ == 0 ? ""
				      : k == n ? " or "
					       : ", ",
				      output_names[i]);
	text = vc_buf_steal(&names, NULL);
	return vc_cli_usage_error("%s%s--output must be %s, not '%s'",
				  current_subcommand ? current_subcommand : "",
				  current_subcommand ? ": " : "", text, arg);
}

enum vc_format
vc_cli_format(enum vc_output f)
{
	return f == VC_OUTPUT_JSON ? VC_FMT_JSON : VC_FMT_YAML;
}

int
vc_cli_output_failed(int err)
{
	vc_err("cannot write the output to standard output: %s", strerror(err));
	return -EIO;
}

int
vc_cli_write_stdout(const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
		return vc_cli_output_failed(errno ? errno : EIO);
	return 0;
}

int
vc_cli_finish_stream(struct vc_out *out)
{
	int rc;

	errno = 0;
	rc = vc_out_finish(out, NULL, NULL);
	vc_out_free(out);
	return rc < 0 ? vc_cli_output_failed(errno ? errno : EIO) : 0;
}

int
vc_cli_write_out(struct vc_out *out, const char *what)
{
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc = vc_out_finish(out, &text, &len);

	vc_out_free(out);
	if (rc < 0) {
		vc_err("cannot render the %s", what);
		return rc;
	}
	return vc_cli_write_stdout(text, len);
}

int
vc_cli_write_text(char *text)
{
	_autofree_ char *owned = text;
	_autofree_ char *safe = vc_escape_lines(owned);

	return vc_cli_write_stdout(safe, strlen(safe));
}
