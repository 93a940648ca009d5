/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-line grammar both programs share: getopt_long with one-line
 * usage errors, the common options (-v info, -v -v debug, -q errors only,
 * -h, --version), one --output parser, and writing to standard output.
 */
#pragma once

#include <getopt.h>

#include "virt-caps/exitcode.h"
#include "virt-caps/out.h"
#include "virt-caps/util.h"

/* The --help text of the common options, for usage texts. */
#define VC_CLI_COMMON_HELP                                                               \
	"  -v, --verbose             say what is done (info); -v -v adds debug detail\n" \
	"  -q, --quiet               errors only\n"                                      \
	"  -h, --help                show this help and exit\n"                          \
	"      --version             show the version and exit\n"

struct vc_cli {
	const char *subcommand;         /* "diff", or NULL: named in usage errors */
	const char *usage;              /* printed by --help */
	const char *short_opts;         /* the command's own, without ':' */
	const struct option *long_opts; /* the command's own, ending with {0} */
	/* One of the command's own options: 0, or -EINVAL (usage error reported). */
	int (*option)(void *ctx, int c, const char *arg);
	void *ctx;
	void (*version)(void); /* NULL: "PROGRAM VERSION" */
};

enum {
	VC_CLI_RUN = 0,  /* options parsed: go on with argv[optind...] */
	VC_CLI_DONE = 1, /* --help or --version printed: exit 0 */
};

/**
 * Name the program in messages and make a closed standard output an
 * error of write() (EPIPE), not SIGPIPE. First thing in main().
 */
void vc_cli_init(const char *program);

/**
 * Parse @argv's options (from argv[1]) with the common options added to the
 * command's own, and set the log level: warnings by default, -v info,
 * -v -v debug, -q errors only. Returns VC_CLI_RUN with
 * optind at the first operand, VC_CLI_DONE, -EINVAL after one usage
 * line naming the option, or -EIO when --help/--version could not be
 * written.
 */
int vc_cli_parse(const struct vc_cli *cli, int argc, char **argv);

/**
 * The exit status when vc_cli_parse() did not return VC_CLI_RUN: 0 after
 * --help/--version, 5 when they could not be written, else 2.
 */
enum vc_exit vc_cli_exit(int rc);

/**
 * "NAME: MESSAGE (see NAME --help)" on stderr, "(see NAME SUBCOMMAND
 * --help)" once vc_cli_parse() parsed a subcommand's options; returns
 * -EINVAL.
 */
int vc_cli_usage_error(const char *fmt, ...) _printf_(1, 2);

/** What --output can name; each command allows some of them. */
enum vc_output {
	VC_OUTPUT_YAML,
	VC_OUTPUT_JSON,
	VC_OUTPUT_TABLE,
	VC_OUTPUT_TEXT,
};
#define VC_OUTPUT_BIT(f) (1U << (f))

/**
 * Parse --output @arg among the @allowed outputs (VC_OUTPUT_BIT set).
 * Returns 0 or -EINVAL after a usage error listing the allowed values.
 */
int vc_cli_output(const char *arg, unsigned allowed, enum vc_output *out);

/** The out.h backend of a structured output (YAML for the others). */
enum vc_format vc_cli_format(enum vc_output f);

/**
 * Write all of @text to standard output and flush. Returns 0, or -EIO
 * after one line saying the output could not be written (VC_EXIT_OUTPUT).
 */
int vc_cli_write_stdout(const char *text, size_t len);

/**
 * Finish the document @out (YAML or JSON), free it and write it to
 * standard output. Returns 0, or -EIO after one line ("cannot render the
 * @what" when the document could not be finished).
 */
int vc_cli_write_out(struct vc_out *out, const char *what);

/**
 * Finish and free @out, made with vc_out_new_stream(format, stdout): for
 * documents too large to hold whole, written once the input is read and
 * checked. Returns 0, or -EIO after one line saying the output could not
 * be written (VC_EXIT_OUTPUT).
 */
int vc_cli_finish_stream(struct vc_out *out);

/**
 * vc_cli_write_stdout() of a text for people, which it takes and frees:
 * every byte a terminal could act on but LF is written as \xNN (escape.h),
 * whatever input or map the text was made from.
 */
int vc_cli_write_text(char *text);

/** Report a failed write of standard output once; returns -EIO. */
int vc_cli_output_failed(int err);
