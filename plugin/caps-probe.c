/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-probe: ask libvirt what CPUs this node can offer to virtual
 * machines, apply KubeVirt's node-labeller rules, and publish the result
 * as an NFD feature file (or print it).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "virt-caps/cli.h"
#include "virt-caps/collect.h"
#include "virt-caps/escape.h"
#include "virt-caps/featurefile.h"
#include "virt-caps/health.h"
#include "virt-caps/labels.h"
#include "virt-caps/log.h"
#include "virt-caps/metrics.h"
#include "virt-caps/nodereport.h"
#include "virt-caps/out.h"
#include "virt-caps/probe.h"
#include "virt-caps/rules.h"

struct options {
	struct vc_probe_opts probe;
	struct vc_rules rules;
	struct vc_label_opts labels;
	const char *features_dir;
	const char *feature_file;
	const char *from_dir;
	const char *node_name;
	const char *metrics_address; /* NULL: no metrics server */
	unsigned health; /* enum vc_health_check bits of --health, 0 without */
	bool verbose;    /* -v given: the loop also lists labels that came and went */
	unsigned long interval;
	bool once;
	bool to_stdout;
	bool report;
	enum vc_output format;
	unsigned long long given; /* bit_of() of every option on the command line */
};

static const char usage_text[] =
	"Usage: caps-probe [OPTION]...\n"
	"Probe libvirt/QEMU for the CPUs this node can offer to virtual machines,\n"
	"apply KubeVirt's node-labeller rules and write an NFD feature file.\n"
	"\n"
	"Modes:\n"
	"      --once                probe, write the feature file(s) and exit\n"
	"                            (default: loop, probing every --interval)\n"
	"      --stdout              probe once and print the label lines; no file\n"
	"  -o, --output=FORMAT       probe once and print the node report as yaml or\n"
	"                            json; no file. It also lists what labels omit:\n"
	"                            libvirt's blockers of each unusable model and\n"
	"                            its deprecated models\n"
	"      --from-dir=DIR        compute from saved node-labeller files in DIR\n"
	"                            (virsh_domcapabilities.xml, capabilities.xml and,\n"
	"                            on x86_64/s390x, supported_features.xml) instead\n"
	"                            of asking libvirt; no versions, no Hyper-V.\n"
	"                            Offline: prints the labels (or, with -o, the\n"
	"                            report) and exits; it writes a feature file only\n"
	"                            with --once and an explicit --features-dir\n"
	"      --health[=CHECK]      read the health record in the state directory,\n"
	"                            print one line and exit 0 when healthy, 1 when\n"
	"                            not: live (the last finished probe started\n"
	"                            within two intervals or, before the first one\n"
	"                            finishes, the loop started within two\n"
	"                            intervals), ready (the last probe succeeded and\n"
	"                            its labels, 3 intervals, have not expired) or\n"
	"                            both (default); times ahead of the clock fail\n"
	"                            both. For exec liveness and readiness probes.\n"
	"                            Takes only --state-dir\n"
	"\n"
	"libvirt:\n"
	"  -c, --connect=URI         libvirt URI (default: the embedded QEMU driver,\n"
	"                            qemu:///embed?root=STATE_DIR; no daemon needed)\n"
	"      --state-dir=DIR       embedded driver root and QEMU capability cache\n"
	"                            (default " VC_STATE_DIR "); keep it across runs\n"
	"      --arch=ARCH           guest arch (default: this machine's, from uname)\n"
	"      --machine=TYPE        machine type (default q35, virt on aarch64,\n"
	"                            s390-ccw-virtio on s390x)\n"
	"      --virttype=TYPE       kvm or qemu (default kvm when the KVM device is\n"
	"                            usable, else qemu)\n"
	"      --kvm-device=PATH     KVM device for virttype detection and Hyper-V\n"
	"                            capabilities (default /dev/kvm)\n"
	"\n"
	"Labels:\n"
	"      --label-scheme=SCHEME nfd (default: keys under --label-namespace) or\n"
	"                            kubevirt (exactly KubeVirt's node-labeller keys;\n"
	"                            never run it next to KubeVirt's own labeller)\n"
	"      --label-namespace=NS  nfd scheme namespace (default\n"
	"                            " VC_NFD_NAMESPACE ")\n"
	"      --obsolete-models=LIST comma-separated models never labelled usable\n"
	"                            (default: KubeVirt's 34-model list; given, it\n"
	"                            replaces that list and enables the\n"
	"                            obsolete-host-model label)\n"
	"      --node-name=NAME      node name for reports (default $NODE_NAME, then\n"
	"                            the host name)\n"
	"\n"
	"Feature file:\n"
	"      --features-dir=DIR    NFD features directory (default\n"
	"                            " VC_FEATURES_DIR ")\n"
	"      --feature-file=NAME   file name (default " VC_FEATUREFILE_NAME
	"); a set over\n"
	"                            NFD's 65536-byte limit takes 2, 4 or 8 files\n"
	"                            NAME, NAME-2, NAME-3..., each label in the file\n"
	"                            a hash of its key selects, so that NFD never\n"
	"                            misses a label the old and new sets both have\n"
	"      --interval=DURATION   loop period, e.g. 30s, 10m, 1h (default 1h); the\n"
	"                            labels expire after 3 intervals\n"
	"\n"
	"Metrics (loop mode only; off by default):\n"
	"      --metrics-address=ADDR:PORT\n"
	"                            serve Prometheus metrics at\n"
	"                            http://ADDR:PORT/metrics, bound to that address\n"
	"                            only: a numeric IPv4 address or a bracketed\n"
	"                            IPv6 one ([::1]:9100); 0.0.0.0:PORT for every\n"
	"                            IPv4 interface (a pod's scrape port)\n"
	"\n"
	"Loop: one info line per probe (shown by default; -q hides it): virttype,\n"
	"host model, usable models, labels, duration, whether the labels changed;\n"
	"with -v also each label that came or went. A probe in which libvirt\n"
	"re-probed QEMU (its capability cache was outdated) says so. After each\n"
	"probe (loop and --once) the state directory's file 'health' records the\n"
	"last attempt and success, failures in a row and the last error.\n"
	"\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 ok (and on SIGTERM/SIGINT in loop mode), 2 usage error,\n"
	"3 bad input or data (unreadable or malformed XML, unusable directory),\n"
	"4 libvirt failure (also: --virttype kvm and the KVM device cannot be\n"
	"opened), 5 standard output could not be written; --health: 0 healthy,\n"
	"1 not, 3 unreadable or malformed record; a --metrics-address that cannot\n"
	"be bound (in use, not this host's) exits 3. On any error\n"
	"the previous feature files stay untouched, except for a failure while\n"
	"they are being replaced: then each is the old or the new one, every\n"
	"label of both sets is still there, and the next probe repairs them.\n";

enum {
	OPT_ONCE = 256,
	OPT_STDOUT,
	OPT_FROM_DIR,
	OPT_STATE_DIR,
	OPT_ARCH,
	OPT_MACHINE,
	OPT_VIRTTYPE,
	OPT_KVM_DEVICE,
	OPT_SCHEME,
	OPT_NAMESPACE,
	OPT_OBSOLETE,
	OPT_NODE_NAME,
	OPT_FEATURES_DIR,
	OPT_FEATURE_FILE,
	OPT_INTERVAL,
	OPT_METRICS_ADDRESS,
	OPT_HEALTH,
};

static const struct option long_options[] = {
	{"once", no_argument, NULL, OPT_ONCE},
	{"stdout", no_argument, NULL, OPT_STDOUT},
	{"output", required_argument, NULL, 'o'},
	{"from-dir", required_argument, NULL, OPT_FROM_DIR},
	{"connect", required_argument, NULL, 'c'},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"arch", required_argument, NULL, OPT_ARCH},
	{"machine", required_argument, NULL, OPT_MACHINE},
	{"virttype", required_argument, NULL, OPT_VIRTTYPE},
	{"kvm-device", required_argument, NULL, OPT_KVM_DEVICE},
	{"label-scheme", required_argument, NULL, OPT_SCHEME},
	{"label-namespace", required_argument, NULL, OPT_NAMESPACE},
	{"obsolete-models", required_argument, NULL, OPT_OBSOLETE},
	{"node-name", required_argument, NULL, OPT_NODE_NAME},
	{"features-dir", required_argument, NULL, OPT_FEATURES_DIR},
	{"feature-file", required_argument, NULL, OPT_FEATURE_FILE},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"metrics-address", required_argument, NULL, OPT_METRICS_ADDRESS},
	{"health", optional_argument, NULL, OPT_HEALTH},
	{NULL, 0, NULL, 0},
};

/* One bit per option of long_options, for the checks of what goes together. */
static unsigned long long
bit_of(int c)
{
	if (c == 'o')
		return 1ULL << 62;
	if (c == 'c')
		return 1ULL << 61;
	return 1ULL << (c - OPT_ONCE);
}

static int
set_metrics_address(struct options *o, const char *arg)
{
	struct sockaddr_storage addr;
	socklen_t len;

	if (vc_metrics_parse_address(arg, &addr, &len) < 0)
		return vc_cli_usage_error(
			"--metrics-address: '%s' is not ADDR:PORT (127.0.0.1:9100, [::1]:9100)",
			arg);
	o->metrics_address = arg;
	return 0;
}

static int
set_value_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case 'o':
		o->report = true;
		return vc_cli_output(arg,
				     VC_OUTPUT_BIT(VC_OUTPUT_YAML) |
					     VC_OUTPUT_BIT(VC_OUTPUT_JSON),
				     &o->format);
	case OPT_SCHEME:
		if (vc_label_scheme_parse(arg, &o->labels.scheme) < 0)
			return vc_cli_usage_error(
				"--label-scheme must be nfd or kubevirt, not '%s'", arg);
		return 0;
	case OPT_INTERVAL:
		if (vc_parse_duration(arg, &o->interval) < 0 || o->interval == 0)
			return vc_cli_usage_error(
				"--interval: '%s' is not a duration like 30s, 10m or 1h",
				arg);
		return 0;
	case OPT_HEALTH:
		if (!arg || streq(arg, "both"))
			o->health = VC_HEALTH_LIVE | VC_HEALTH_READY;
		else if (streq(arg, "live"))
			o->health = VC_HEALTH_LIVE;
		else if (streq(arg, "ready"))
			o->health = VC_HEALTH_READY;
		else
			return vc_cli_usage_error(
				"--health must be live, ready or both, not '%s'", arg);
		return 0;
	case OPT_OBSOLETE:
		vc_strv_clear(&o->rules.obsolete);
		vc_strv_split(&o->rules.obsolete, arg, ", ");
		o->rules.obsolete_explicit = true;
		return 0;
	case OPT_VIRTTYPE:
		/* strcmp, not streq: streq's NULL test made gcc -O2 with
		 * sanitizers believe arg may be NULL here (-Wformat-overflow). */
		if (strcmp(arg, "kvm") != 0 && strcmp(arg, "qemu") != 0)
			return vc_cli_usage_error(
				"--virttype must be kvm or qemu, not '%s'", arg);
		o->probe.virttype = arg;
		return 0;
	case OPT_METRICS_ADDRESS:
		return set_metrics_address(o, arg);
	}
	return 1;
}

static const char *
opt_name(int c)
{
	for (const struct option *opt = long_options; opt->name; opt++)
		if (opt->val == c)
			return opt->name;
	return "?";
}

static int
set_path_option(struct options *o, int c, const char *arg)
{
	const char **slot[] = {
		[OPT_FROM_DIR - OPT_ONCE] = &o->from_dir,
		[OPT_STATE_DIR - OPT_ONCE] = &o->probe.state_dir,
		[OPT_ARCH - OPT_ONCE] = &o->probe.arch,
		[OPT_MACHINE - OPT_ONCE] = &o->probe.machine,
		[OPT_KVM_DEVICE - OPT_ONCE] = &o->probe.kvm_dev,
		[OPT_NAMESPACE - OPT_ONCE] = &o->labels.ns,
		[OPT_NODE_NAME - OPT_ONCE] = &o->node_name,
		[OPT_FEATURES_DIR - OPT_ONCE] = &o->features_dir,
		[OPT_FEATURE_FILE - OPT_ONCE] = &o->feature_file,
	};

	if (c == 'c') {
		if (strempty(arg))
			return vc_cli_usage_error(
				"option connect: an empty value is not allowed");
		o->probe.uri = arg;
		return 0;
	}
	if (c < OPT_ONCE || c - OPT_ONCE >= (int)ARRAY_LENGTH(slot) ||
	    !slot[c - OPT_ONCE])
		return 1;
	if (strempty(arg))
		return vc_cli_usage_error("option %s: an empty value is not allowed",
					  opt_name(c));
	*slot[c - OPT_ONCE] = arg;
	return 0;
}

/* The first of @opts given on the command line, or 0. */
static int
first_given(const struct options *o, const int *opts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (o->given & bit_of(opts[i]))
			return opts[i];
	return 0;
}

/* Options that would mean nothing in the chosen mode are refused, never ignored. */
static int
check_modes(const struct options *o)
{
	static const int libvirt_opts[] = {'c',         OPT_STATE_DIR, OPT_ARCH,
					   OPT_MACHINE, OPT_VIRTTYPE,  OPT_KVM_DEVICE};
	static const int file_opts[] = {OPT_ONCE, OPT_INTERVAL, OPT_FEATURES_DIR,
					OPT_FEATURE_FILE, OPT_METRICS_ADDRESS};
	int c;

	if (o->health && (o->given & ~(bit_of(OPT_HEALTH) | bit_of(OPT_STATE_DIR))))
		return vc_cli_usage_error("--health takes no option but --state-dir");
	if (o->from_dir && (c = first_given(o, libvirt_opts, ARRAY_LENGTH(libvirt_opts))))
		return vc_cli_usage_error(
			"--from-dir does not talk to libvirt: --%s has no effect",
			opt_name(c));
	if ((o->to_stdout || o->report) &&
	    (c = first_given(o, file_opts, ARRAY_LENGTH(file_opts))))
		return vc_cli_usage_error(
			"--%s has no effect with --%s, which prints and writes no file",
			opt_name(c), o->to_stdout ? "stdout" : "output");
	if (o->once && o->metrics_address)
		return vc_cli_usage_error(
			"--metrics-address serves the loop's metrics: it has no effect with --once");
	/* --from-dir is offline: it prints, or writes only where told to. */
	if (o->from_dir && !o->once &&
	    (c = first_given(o, file_opts + 1, ARRAY_LENGTH(file_opts) - 1)))
		return vc_cli_usage_error(
			"--from-dir never loops and writes a feature file only with --once: --%s has no effect",
			opt_name(c));
	if (o->from_dir && o->once && !(o->given & bit_of(OPT_FEATURES_DIR)))
		return vc_cli_usage_error(
			"--from-dir --once writes only into an explicit --features-dir");
	if (o->probe.uri && (o->given & bit_of(OPT_STATE_DIR)))
		return vc_cli_usage_error(
			"--state-dir has no effect with --connect (the URI says which driver)");
	return 0;
}

static int
check_options(struct options *o)
{
	const char *why = NULL;

	if (o->to_stdout && o->report)
		return vc_cli_usage_error("--stdout and --output are alternatives");
	if (o->labels.ns && !vc_dns_subdomain_valid(o->labels.ns, &why))
		return vc_cli_usage_error(
			"--label-namespace '%s' is not a lowercase DNS subdomain",
			o->labels.ns);
	if (!vc_featurefile_name_valid(o->feature_file))
		return vc_cli_usage_error(
			"--feature-file '%s' must be a plain file name not starting with '.'",
			o->feature_file);
	return check_modes(o);
}

static void
print_version(void)
{
	_autofree_ char *lib = vc_probe_library_version();

	printf("caps-probe %s (libvirt %s)\n", VC_VERSION, lib);
}

static int
set_option(void *ctx, int c, const char *arg)
{
	struct options *o = ctx;
	int rc = set_value_option(o, c, arg);

	o->given |= bit_of(c);
	if (rc == 1)
		rc = set_path_option(o, c, arg);
	if (rc != 1)
		return rc;
	if (c == OPT_ONCE)
		o->once = true;
	else /* OPT_STDOUT: the table has no other option */
		o->to_stdout = true;
	return 0;
}

/* VC_CLI_RUN to go on, VC_CLI_DONE after --help/--version, -EINVAL on usage errors. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	const struct vc_cli cli = {
		.usage = usage_text,
		.short_opts = "o:c:",
		.long_opts = long_options,
		.option = set_option,
		.ctx = o,
		.version = print_version,
	};
	int rc = vc_cli_parse(&cli, argc, argv);

	if (rc != VC_CLI_RUN)
		return rc;
	if (optind < argc)
		return vc_cli_usage_error("unexpected argument '%s'", argv[optind]);
	return check_options(o);
}

/* ---- collecting the node record ------------------------------------------ */

static char *
node_name(const struct options *o)
{
	const char *env = getenv("NODE_NAME");
	char host[256] = "";

	if (o->node_name)
		return xstrdup(o->node_name);
	if (!strempty(env))
		return xstrdup(env);
	gethostname(host, sizeof(host) - 1);
	return xstrdup(host);
}

/* One probe: node record and labels. VC_EXIT_OK or the failure's class. */
static enum vc_exit
collect(const struct options *o, struct vc_node *n, struct vc_labels *l)
{
	enum vc_result rc = VC_OK;

	if (o->from_dir)
		rc = vc_collect_from_dir(o->from_dir, &o->rules, n) < 0 ? VC_ERR_INPUT
									: VC_OK;
	else
		rc = vc_collect_live(&o->probe, &o->rules, n);
	if (rc < 0)
		return vc_exit_for(rc);
	n->name = node_name(o);
	vc_labels_build(n, &o->labels, l);
	return VC_EXIT_OK;
}

/* ---- output ---------------------------------------------------------------- */

static int
print_labels(const struct vc_labels *l)
{
	struct vc_buf b = {0};
	_autofree_ char *text = NULL;
	size_t len = 0;

	/* Render everything first: no partial output on error. */
	for (size_t i = 0; i < l->n; i++)
		vc_buf_printf(&b, "%s=%s\n", l->v[i].key, l->v[i].value);
	text = vc_buf_steal(&b, &len);
	return vc_cli_write_stdout(text, len);
}

static int
print_report(const struct options *o, const struct vc_node *n)
{
	_autoout_ struct vc_out *out = vc_out_new(vc_cli_format(o->format));
	_autofree_ char *text = NULL;
	size_t len = 0;

	vc_nodereport_write_probe(out, n);
	if (vc_out_finish(out, &text, &len) < 0) {
		vc_err("cannot render the node report");
		return -EIO;
	}
	return vc_cli_write_stdout(text, len);
}

static enum vc_exit
run_print(const struct options *o)
{
	_cleanup_(vc_node_clear) struct vc_node n = {0};
	_cleanup_(vc_labels_clear) struct vc_labels l = {0};
	enum vc_exit rc = collect(o, &n, &l);

	if (rc != VC_EXIT_OK)
		return rc;
	if ((o->report ? print_report(o, &n) : print_labels(&l)) < 0)
		return VC_EXIT_OUTPUT;
	return VC_EXIT_OK;
}

/* ---- one probe, its outcome and the health record ----------------------- */

/* The label set's identity between probes: FNV-1a of keys and values. */
static unsigned long long
labels_digest(const struct vc_labels *l)
{
	unsigned long long h = VC_FNV1A_INIT;

	for (size_t i = 0; i < l->n; i++) {
		h = vc_fnv1a(h, l->v[i].key, strlen(l->v[i].key) + 1);
		h = vc_fnv1a(h, l->v[i].value, strlen(l->v[i].value) + 1);
	}
	return h;
}

/* Write the feature file(s). VC_EXIT_OK or VC_EXIT_DATA (reported). */
static enum vc_exit
publish(const struct options *o, const struct vc_labels *l)
{
	struct vc_featurefile_opts f = {
		.dir = o->features_dir,
		.name = o->feature_file,
		.expiry = (long long)time(NULL) +
			  VC_LABEL_EXPIRY_INTERVALS * (long long)o->interval,
	};
	/* Any failure here is the features directory's: bad input for us. */
	int files = vc_featurefile_write(&f, l);

	if (files < 0)
		return VC_EXIT_DATA;
	vc_debug("wrote %zu labels to %s/%s (%d file%s)", l->n, f.dir, f.name, files,
		 vc_plural((size_t)files));
	return VC_EXIT_OK;
}

static void
fill_success(struct vc_probe_outcome *out, const struct vc_node *n,
	     const struct vc_labels *l, struct vc_strv *lines)
{
	out->ok = true;
	out->host_model = xstrdup(n->host_model);
	out->usable_models = n->models.n;
	out->labels = l->n;
	out->digest = labels_digest(l);
	vc_strv_clear(lines);
	for (size_t i = 0; i < l->n; i++)
		vc_strv_push_owned(lines, xasprintf("%s=%s", l->v[i].key, l->v[i].value));
}

/* Probe and publish once into @out; the labels' "key=value" lines in @lines. */
static void
probe_publish(const struct options *o, struct vc_probe_outcome *out,
	      struct vc_strv *lines)
{
	_cleanup_(vc_node_clear) struct vc_node n = {0};
	_cleanup_(vc_labels_clear) struct vc_labels l = {0};
	bool live = !o->from_dir;
	unsigned long long stamp = live ? vc_probe_cache_stamp(&o->probe) : 0;
	double t0 = vc_monotonic_s();

	out->started = (long long)time(NULL);
	vc_log_clear_last_error();
	out->exit = collect(o, &n, &l);
	if (out->exit == VC_EXIT_OK)
		out->exit = publish(o, &l);
	out->duration = vc_monotonic_s() - t0;
	out->qemu_reprobed = live && vc_probe_cache_stamp(&o->probe) != stamp;
	out->virttype = xstrdup(n.virttype);
	if (out->exit != VC_EXIT_OK)
		out->error = xstrdup(vc_log_last_error());
	else
		fill_success(out, &n, &l, lines);
}

/* The health record lives in the state directory of the embedded driver. */
static const char *
health_dir(const struct options *o)
{
	if (o->from_dir || o->probe.uri)
		return NULL;
	return o->probe.state_dir ? o->probe.state_dir : VC_STATE_DIR;
}

static void
report_reprobe(const struct options *o, const struct vc_probe_outcome *out)
{
	if (out->qemu_reprobed)
		vc_info("libvirt probed QEMU anew (its capability cache in %s/cache was "
			"missing or outdated): this probe took %.1fs",
			health_dir(o), out->duration);
}

/* Probe and publish once (--once). VC_EXIT_OK or the failure's class (reported). */
static enum vc_exit
run_once(const struct options *o)
{
	_cleanup_(vc_probe_outcome_clear) struct vc_probe_outcome out = {0};
	_cleanup_(vc_strv_clear) struct vc_strv lines = {0};
	_cleanup_(vc_health_clear) struct vc_health h = {0};

	probe_publish(o, &out, &lines);
	report_reprobe(o, &out);
	if (health_dir(o)) {
		h.started = out.started;
		h.interval = o->interval;
		vc_health_update(&h, &out);
		vc_health_write(health_dir(o), &h);
	}
	if (out.ok)
		vc_info("wrote %zu labels to %s/%s in %.2fs", out.labels, o->features_dir,
			o->feature_file, out.duration);
	return (enum vc_exit)out.exit;
}

/* --health: one line on standard output, 0 healthy, 1 not, 3 bad record. */
static enum vc_exit
run_health(const struct options *o)
{
	_cleanup_(vc_health_clear) struct vc_health h = {0};
	_autofree_ char *line = NULL;
	_autofree_ char *text = NULL;
	_autofree_ char *why = NULL;
	_autofree_ char *shown = NULL;
	const char *dir = o->probe.state_dir ? o->probe.state_dir : VC_STATE_DIR;
	int rc = vc_health_read(dir, &h, &why);
	bool healthy = false;

	if (rc == -ENOENT) {
		shown = vc_escape_text(dir);
		line = xasprintf("not %s: no health record in %s: caps-probe has not "
				 "started there (or another --state-dir)",
				 (o->health & VC_HEALTH_LIVE) ? "live" : "ready", shown);
	} else if (rc < 0) {
		vc_err("%s/%s: %s", dir, VC_HEALTH_FILE, why);
		return VC_EXIT_DATA;
	} else {
		healthy = vc_health_judge(&h, o->health, (long long)time(NULL), &line);
	}
	text = xasprintf("%s\n", line);
	if (vc_cli_write_stdout(text, strlen(text)) < 0)
		return VC_EXIT_OUTPUT;
	return healthy ? VC_EXIT_OK : VC_EXIT_LOSS;
}

/* ---- loop ---------------------------------------------------------------- */

/* Exponential backoff from 5 s up to the interval, with +-20% jitter so that
 * a fleet of nodes that failed together does not retry in step. */
static unsigned long
retry_delay(unsigned failures, unsigned long interval)
{
	unsigned shift = failures > 10 ? 10 : failures - 1;
	unsigned long base = 5UL << shift;
	double jitter = 0.8 + 0.4 * ((double)rand() / (double)RAND_MAX);
	unsigned long d;

	if (base > interval)
		base = interval;
	d = (unsigned long)((double)base * jitter);
	return d ? d : 1;
}

/* Sleep @seconds; true when SIGTERM/SIGINT arrived. */
static bool
wait_for_signal(const sigset_t *set, unsigned long seconds)
{
	struct timespec end, now, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return false;
		if (sigtimedwait(set, NULL, &left) > 0)
			return true;
		if (errno == EAGAIN)
			return false;
	}
}

/* What the loop keeps between probes. */
struct loop_state {
	struct vc_health health;
	struct vc_strv labels; /* the last published "key=value" lines */
	bool have_labels;      /* labels are published (by this run or an earlier one) */
	/* Borrowed from run_loop; NULL without --metrics-address. */
	struct vc_metrics *metrics;
};

static void
loop_state_clear(struct loop_state *st)
{
	vc_health_clear(&st->health);
	vc_strv_clear(&st->labels);
}

/* A fresh record (not ready until a probe succeeds); an earlier run's
 * label digest is kept to say whether the first probe changed anything. */
static void
loop_start(const struct options *o, struct loop_state *st)
{
	_autofree_ char *file = xasprintf("%s/%s", o->features_dir, o->feature_file);
	_autofree_ char *why = NULL;
	unsigned long long digest = 0;
	int rc = health_dir(o) ? vc_health_read(health_dir(o), &st->health, &why)
			       : -ENOENT;

	if (rc == 0)
		digest = st->health.label_digest;
	else if (rc != -ENOENT)
		vc_warn("replacing the %s health record %s/%s: %s",
			rc == -EINVAL ? "malformed" : "unreadable", health_dir(o),
			VC_HEALTH_FILE, why);
	vc_health_clear(&st->health);
	st->health.started = (long long)time(NULL);
	st->health.interval = o->interval;
	st->health.label_digest = digest;
	st->have_labels = access(file, F_OK) == 0;
	if (health_dir(o))
		vc_health_write(health_dir(o), &st->health);
}

/* At -v: each label that came (+) or went (-), one line each. */
static void
log_label_diff(const struct vc_strv *before, const struct vc_strv *after)
{
	for (size_t i = 0; i < after->n; i++)
		if (!vc_strv_contains(before, after->v[i]))
			vc_info("label + %s", after->v[i]);
	for (size_t i = 0; i < before->n; i++)
		if (!vc_strv_contains(after, before->v[i]))
			vc_info("label - %s", before->v[i]);
}

static const char *
change_word(const struct loop_state *st, const struct vc_probe_outcome *out)
{
	if (!st->health.label_digest)
		return "first labels";
	return out->changed ? "labels changed" : "labels unchanged";
}

static void
log_success(const struct options *o, struct loop_state *st,
	    const struct vc_probe_outcome *out, struct vc_strv *lines)
{
	vc_info("probe ok in %.2fs: virttype %s, host model %s, %zu usable model%s, "
		"wrote %zu labels to %s/%s, %s",
		out->duration, out->virttype, out->host_model ? out->host_model : "none",
		out->usable_models, vc_plural(out->usable_models), out->labels,
		o->features_dir, o->feature_file, change_word(st, out));
	/* The first probe of a run has nothing in memory to compare with. */
	if (o->verbose && out->changed && st->labels.n)
		log_label_diff(&st->labels, lines);
	vc_strv_clear(&st->labels);
	st->labels = *lines;
	memset(lines, 0, sizeof(*lines));
	st->have_labels = true;
}

/* One probe of the loop; the delay until the next. */
static unsigned long
loop_probe(const struct options *o, struct loop_state *st)
{
	_cleanup_(vc_probe_outcome_clear) struct vc_probe_outcome out = {0};
	_cleanup_(vc_strv_clear) struct vc_strv lines = {0};
	unsigned long delay = o->interval;

	probe_publish(o, &out, &lines);
	out.changed = out.ok && out.digest != st->health.label_digest;
	if (st->metrics)
		vc_metrics_update(st->metrics, &out);
	report_reprobe(o, &out);
	if (out.ok) {
		log_success(o, st, &out, &lines);
	} else {
		delay = retry_delay(st->health.consecutive_failures + 1, o->interval);
		vc_warn("probe failed (%u in a row) after %.2fs; retrying in %lus, %s",
			st->health.consecutive_failures + 1, out.duration, delay,
			st->have_labels ? "previous labels kept"
					: "no labels published yet");
	}
	vc_health_update(&st->health, &out);
	if (health_dir(o))
		vc_health_write(health_dir(o), &st->health);
	return delay;
}

static int
run_loop(const struct options *o, const sigset_t *set)
{
	_cleanup_(loop_state_clear) struct loop_state st = {0};
	_autometrics_ struct vc_metrics *metrics = NULL;

	if (o->metrics_address && !(metrics = vc_metrics_start(o->metrics_address)))
		return VC_EXIT_DATA;
	st.metrics = metrics;
	loop_start(o, &st);
	vc_info("probing every %lus into %s", o->interval, o->features_dir);
	for (;;) {
		if (wait_for_signal(set, loop_probe(o, &st))) {
			vc_info("signal received, exiting");
			return 0;
		}
	}
}

static void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	vc_rules_default(&o->rules);
	o->features_dir = VC_FEATURES_DIR;
	o->feature_file = VC_FEATUREFILE_NAME;
	o->interval = 3600;
	o->format = VC_OUTPUT_YAML;
}

static void
options_clear(struct options *o)
{
	vc_rules_clear(&o->rules);
}

int
main(int argc, char **argv)
{
	_cleanup_(options_clear) struct options o;
	sigset_t set;
	int rc;

	vc_cli_init("caps-probe");
	options_init(&o);
	rc = parse_options(argc, argv, &o);
	if (rc != VC_CLI_RUN)
		return vc_cli_exit(rc);
	if (o.health) {
		rc = run_health(&o);
	} else if (o.to_stdout || o.report || (o.from_dir && !o.once)) {
		rc = run_print(&o);
	} else if (o.once) {
		rc = run_once(&o);
	} else {
		/* Block the signals before libvirt starts threads, then take
		 * them synchronously between probes: a write in progress
		 * always ends. */
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		/* A daemon's log: the summary line per probe is shown by
		 * default; -v adds the labels that came and went, -q hides it. */
		o.verbose = vc_log_get_level() >= VC_LOG_INFO;
		if (vc_log_get_level() == VC_LOG_WARN)
			vc_log_set_level(VC_LOG_INFO);
		rc = run_loop(&o, &set);
	}
	vc_probe_close();
	return rc;
}
