/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "virt-caps/domcaps.h"
#include "virt-caps/log.h"
#include "virt-caps/rules.h"

static const char *
default_machine(const char *arch)
{
	if (streq(arch, "x86_64"))
		return "q35";
	if (streq(arch, "aarch64"))
		return "virt";
	if (streq(arch, "s390x"))
		return "s390-ccw-virtio";
	return NULL;
}

/* 0 when @dev opens read-write (what QEMU needs for KVM), else the errno. */
static int
kvm_open_error(const char *dev)
{
	_autoclose_ int fd = open(dev, O_RDWR | O_CLOEXEC);

	return fd >= 0 ? 0 : errno;
}

/* Whether this process is in group @gid (primary or supplementary). */
static bool
in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups((int)ARRAY_LENGTH(groups), groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * Why @dev could not be opened, with the remedy, as one line. libvirt
 * would only say "the accel 'kvm' is not supported", which names neither
 * the device nor the fix. The device node carries the host's gid, so the
 * number to add to supplementalGroups is the one stat() sees here.
 */
static char *
kvm_problem(const char *dev, int err)
{
	struct stat st;

	if (err == ENOENT)
		return xasprintf(
			"cannot open %s: %s (no KVM on this node, or the device "
			"is not given to the container: KubeVirt's device plugin "
			"resource devices.kubevirt.io/kvm)",
			dev, strerror(err));
	if ((err != EACCES && err != EPERM) || stat(dev, &st) < 0)
		return xasprintf("cannot open %s read-write: %s", dev, strerror(err));
	return xasprintf(
		"cannot open %s read-write: %s (device uid %u gid %u mode %04o; this "
		"process uid %u gid %u, %s group %u): add gid %u to the pod's "
		"securityContext.supplementalGroups, or enable the container "
		"runtime's device_ownership_from_security_context (see README, "
		"\"/dev/kvm for a non-root user\")",
		dev, strerror(err), (unsigned)st.st_uid, (unsigned)st.st_gid,
		(unsigned)(st.st_mode & 07777), (unsigned)geteuid(), (unsigned)getegid(),
		in_group(st.st_gid) ? "in" : "not in", (unsigned)st.st_gid,
		(unsigned)st.st_gid);
}

/*
 * The virttype: the one asked for, or kvm when the device opens. An
 * explicit kvm with an unusable device fails here, before libvirt. An
 * automatic fallback to qemu publishes software-emulated CPUs, not the
 * hardware's: a warning, unless the node has no KVM device at all.
 */
static enum vc_result
choose_virttype(const struct vc_probe_opts *o, struct vc_probe_result *r)
{
	const char *dev = o->kvm_dev ? o->kvm_dev : "/dev/kvm";
	int err = o->virttype && streq(o->virttype, "qemu") ? 0 : kvm_open_error(dev);
	_autofree_ char *why = err ? kvm_problem(dev, err) : NULL;

	if (o->virttype && streq(o->virttype, "kvm") && err) {
		vc_err("--virttype kvm: %s", why);
		return VC_ERR_BACKEND;
	}
	if (!o->virttype && err == ENOENT)
		vc_info("%s; probing with software emulation (virttype qemu)", why);
	else if (!o->virttype && err)
		vc_warn("%s; falling back to software emulation (virttype qemu), whose "
			"host model and vendor are not this machine's",
			why);
	r->virttype = xstrdup(o->virttype ? o->virttype : err ? "qemu" : "kvm");
	return 0;
}

static char *
embed_uri(const char *dir)
{
	_autofree_ char *abs = realpath(dir, NULL);
	const char *p = abs ? abs : dir;
	char *out = xzalloc(strlen("qemu:///embed?root=") + 3 * strlen(p) + 1);
	char *o = stpcpy(out, "qemu:///embed?root=");

	for (; *p; p++) {
		if (strchr("/._-~", *p) || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*p);
	}
	return out;
}

/* libvirt prints every error to stderr by default; we report our own. */
static void
silent_error(void *data, virErrorPtr err)
{
}

static const char *
last_error(void)
{
	const virError *e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

static int
last_error_code(void)
{
	const virError *e = virGetLastError();

	return e ? e->code : VIR_ERR_OK;
}

/*
 * libvirt logs to stderr by itself ("info : libvirt version ...", "error :
 * virStateInitialize ..."), before our own line about the same failure.
 * Its detail is for -v -v; otherwise its log goes nowhere, unless the
 * operator chose its logging (LIBVIRT_LOG_OUTPUTS, LIBVIRT_DEBUG). Read
 * once, by virInitialize.
 */
static void
quiet_libvirt_log(void)
{
	if (vc_log_get_level() >= VC_LOG_DEBUG || getenv("LIBVIRT_LOG_OUTPUTS") ||
	    getenv("LIBVIRT_DEBUG"))
		return;
	setenv("LIBVIRT_LOG_OUTPUTS", "4:file:/dev/null", 0);
}

static enum vc_result
init_libvirt(void)
{
	static bool done;

	if (done)
		return 0;
	quiet_libvirt_log();
	virSetErrorFunc(NULL, silent_error);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		vc_err("cannot initialise libvirt: %s", last_error());
		return VC_ERR_BACKEND;
	}
	done = true;
	return 0;
}

static int
mkdir_p(const char *path, mode_t mode)
{
	_autofree_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The embedded driver keeps QEMU's capability cache in its root; as an
 * ordinary user it also writes under $XDG_CACHE_HOME and reads firmware
 * descriptions under $XDG_CONFIG_HOME (an unreadable ~/.config fails the
 * probe): both are kept inside the state directory too. */
static int
prepare_state_dir(const char *dir)
{
	_autofree_ char *cache = xasprintf("%s/cache", dir);
	_autofree_ char *config = xasprintf("%s/config", dir);
	const char *failed = dir;
	int rc = mkdir_p(dir, 0755);

	if (rc == 0 && (rc = mkdir_p(cache, 0700)) < 0)
		failed = cache;
	if (rc < 0) {
		vc_err("cannot create state directory %s: %s", failed, strerror(-rc));
		return rc;
	}
	if (access(dir, W_OK) < 0) {
		rc = -errno;
		vc_err("state directory %s is not writable: %s", dir, strerror(-rc));
		return rc;
	}
	setenv("XDG_CACHE_HOME", cache, 1);
	setenv("XDG_CONFIG_HOME", config, 1);
	return 0;
}

static char *
get_domcaps(virConnectPtr conn, const struct vc_probe_result *r, unsigned *flags)
{
	for (;;) {
		char *xml = virConnectGetDomainCapabilities(
			conn, NULL, r->arch, r->machine, r->virttype, *flags);

		if (xml)
			return xml;
		/* Older libraries refuse flags they do not know with INVALID_ARG;
		 * the same code also means a bad machine, so only retry while
		 * there are flags left to drop. */
		if (last_error_code() != VIR_ERR_INVALID_ARG || *flags == 0)
			break;
		vc_debug("domain capabilities with flags 0x%x refused: %s", *flags,
			 last_error());
		*flags = (*flags & VC_DOMCAPS_SUPPORTED_CPU_FEATURES)
				 ? (*flags & ~VC_DOMCAPS_SUPPORTED_CPU_FEATURES)
				 : 0;
	}
	vc_err("cannot get domain capabilities (arch %s, machine %s, virttype %s): %s",
	       r->arch, r->machine, r->virttype, last_error());
	return NULL;
}

/*
 * node-labeller.sh feeds the baseline from domain capabilities taken
 * with --supported-cpu-features, while labels use them without it. When
 * the library knows that flag we make both calls; otherwise one.
 */
static enum vc_result
probe_domcaps(virConnectPtr conn, struct vc_probe_result *r, char **for_baseline)
{
	unsigned flags =
		VC_DOMCAPS_EXPAND_CPU_FEATURES | VC_DOMCAPS_SUPPORTED_CPU_FEATURES;
	char *first = get_domcaps(conn, r, &flags);

	if (!first)
		return VC_ERR_BACKEND;
	if (!(flags & VC_DOMCAPS_SUPPORTED_CPU_FEATURES)) {
		r->domcaps_xml = first;
		r->domcaps_flags = flags;
		*for_baseline = xstrdup(first);
		return 0;
	}
	*for_baseline = first;
	flags &= ~VC_DOMCAPS_SUPPORTED_CPU_FEATURES;
	r->domcaps_xml = get_domcaps(conn, r, &flags);
	r->domcaps_flags = flags;
	return r->domcaps_xml ? VC_OK : VC_ERR_BACKEND;
}

static enum vc_result
probe_baseline(virConnectPtr conn, struct vc_probe_result *r, const char *domcaps)
{
	_autofree_ char *cpu =
		vc_domcaps_host_cpu_xml(domcaps, strlen(domcaps), "domain capabilities");
	const char *cpus[1];

	if (!cpu)
		return VC_ERR_INPUT;
	cpus[0] = cpu;
	r->baseline_xml = virConnectBaselineHypervisorCPU(
		conn, NULL, r->arch, r->machine, r->virttype, cpus, 1,
		VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES);
	if (!r->baseline_xml) {
		vc_err("cannot compute the baseline of the host-model CPU: %s",
		       last_error());
		return VC_ERR_BACKEND;
	}
	return 0;
}

static enum vc_result
probe_host(virConnectPtr conn, struct vc_probe_result *r)
{
	r->caps_xml = virConnectGetCapabilities(conn);
	if (!r->caps_xml) {
		vc_err("cannot get host capabilities: %s", last_error());
		return VC_ERR_BACKEND;
	}
	if (virConnectGetLibVersion(conn, &r->lib_version) < 0 ||
	    virConnectGetVersion(conn, &r->hv_version) < 0) {
		vc_err("cannot get libvirt/hypervisor versions: %s", last_error());
		return VC_ERR_BACKEND;
	}
	return 0;
}

static enum vc_result
resolve_target(const struct vc_probe_opts *o, struct vc_probe_result *r)
{
	struct utsname u;
	const char *machine;

	if (o->arch) {
		r->arch = xstrdup(o->arch);
	} else {
		uname(&u);
		r->arch = xstrdup(u.machine);
	}
	machine = o->machine ? o->machine : default_machine(r->arch);
	if (!machine) {
		vc_err("arch %s is not supported (x86_64, aarch64, s390x); give --machine to try",
		       r->arch);
		return VC_ERR_INPUT;
	}
	r->machine = xstrdup(machine);
	return choose_virttype(o, r);
}

/* The connection is kept for the life of the process. Every open of an
 * embedded URI registers the QEMU driver again in libvirt's process-wide
 * driver table, which has room for about 20: a loop that opened a new
 * connection per probe failed for good after ~20 probes ("Too many
 * drivers, cannot register QEMU"), found by bench/soak.sh. */
static virConnectPtr kept_conn;
static char *kept_uri;

void
vc_probe_close(void)
{
	if (kept_conn)
		virConnectClose(kept_conn);
	kept_conn = NULL;
	free(kept_uri);
	kept_uri = NULL;
}

static enum vc_result
connect_libvirt(const struct vc_probe_opts *o, struct vc_probe_result *r,
		virConnectPtr *conn)
{
	if (o->uri) {
		r->uri = xstrdup(o->uri);
	} else {
		const char *dir = o->state_dir ? o->state_dir : VC_STATE_DIR;

		/* Checked on every probe: a state directory that became
		 * unusable is reported even while the connection lives. */
		if (prepare_state_dir(dir) < 0)
			return VC_ERR_INPUT;
		r->uri = embed_uri(dir);
	}
	if (kept_conn && streq(kept_uri, r->uri) && virConnectIsAlive(kept_conn) == 1) {
		*conn = kept_conn;
		return 0;
	}
	vc_probe_close();
	if (init_libvirt() < 0)
		return VC_ERR_BACKEND;
	kept_conn = virConnectOpen(r->uri);
	if (!kept_conn) {
		vc_err("cannot connect to libvirt at %s: %s", r->uri, last_error());
		return VC_ERR_BACKEND;
	}
	kept_uri = xstrdup(r->uri);
	*conn = kept_conn;
	return 0;
}

enum vc_result
vc_probe_run(const struct vc_probe_opts *o, struct vc_probe_result *r)
{
	virConnectPtr conn = NULL;
	_autofree_ char *for_baseline = NULL;
	enum vc_result rc;

	memset(r, 0, sizeof(*r));
	rc = resolve_target(o, r);
	if (rc < 0)
		return rc;
	rc = connect_libvirt(o, r, &conn);
	if (rc < 0)
		return rc;
	rc = probe_domcaps(conn, r, &for_baseline);
	if (rc == 0 && vc_arch_has_named_models(r->arch))
		rc = probe_baseline(conn, r, for_baseline);
	if (rc == 0)
		rc = probe_host(conn, r);
	return rc;
}

void
vc_probe_result_clear(struct vc_probe_result *r)
{
	free(r->arch);
	free(r->machine);
	free(r->virttype);
	free(r->uri);
	free(r->domcaps_xml);
	free(r->baseline_xml);
	free(r->caps_xml);
	memset(r, 0, sizeof(*r));
}

char *
vc_probe_library_version(void)
{
	unsigned long v = 0;

	if (virGetVersion(&v, NULL, NULL) < 0)
		return xstrdup("unknown");
	return vc_probe_version_string(v);
}

char *
vc_probe_version_string(unsigned long v)
{
	return xasprintf("%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000, v % 1000);
}

unsigned long long
vc_probe_cache_stamp(const struct vc_probe_opts *o)
{
	const char *root = o->state_dir ? o->state_dir : VC_STATE_DIR;
	_autofree_ char *dir = xasprintf("%s/cache/qemu/capabilities", root);
	DIR *d = o->uri ? NULL : opendir(dir);
	unsigned long long h = VC_FNV1A_INIT;
	const struct dirent *e;
	struct stat st;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) < 0)
			continue;
		/* Order-independent: readdir's order is the file system's. */
		h ^= vc_fnv1a(vc_fnv1a(VC_FNV1A_INIT, e->d_name, strlen(e->d_name)),
			      &st.st_mtim, sizeof(st.st_mtim));
	}
	closedir(d);
	return h;
}
