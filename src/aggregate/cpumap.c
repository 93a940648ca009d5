/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/cpumap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "cpumap-private.h"
#include "virt-caps/escape.h"
#include "virt-caps/labels.h"
#include "virt-caps/log.h"
#include "virt-caps/xml.h"

/* libvirt's largest map file (x86_features.xml) is about 20 KiB. */
#define MAP_MAX_FILE (4u << 20)
/*
 * Bytes of all files read (index.xml included): libvirt 9.0's map is
 * 360 KiB; this bounds the time a hostile map takes to parse.
 */
#define MAP_MAX_BYTES (64u << 20)
/* libvirt 11 includes about 200 files: room to grow, a bound for a hostile DIR. */
#define MAP_MAX_FILES 4096
/*
 * Ancestors a model may have; libvirt's longest chain (a versioned model
 * of a -noTSX-IBRS model) is 3.
 */
#define MAP_MAX_DEPTH 32
#define VERSION_MAX 64
/*
 * Features of all models once inheritance is resolved, over all archs:
 * each model holds its own copy of its ancestors' features, so a small
 * hostile map (one big model extended many times) would otherwise grow
 * memory with models x features. libvirt 9.0's map totals 2,655.
 */
#define MAP_MAX_FEATURES 1000000
/* A model name that is no label name part still has a bound. */
#define NAME_MAX_LEN 128

/* A model as its file states it, before inheritance is resolved. */
struct raw_model {
	char *name;
	char *vendor;
	char *parent;     /* the <model name=> it extends, NULL when none */
	const char *file; /* in loader.files, for messages */
	struct vc_strv features;
	unsigned ancestors;                         /* once resolved */
	enum { RAW_NEW, RAW_BUSY, RAW_DONE } state; /* BUSY again: a cycle */
};

/* One arch's models while its files are read. */
struct loader {
	const char *dir;
	const char *index;    /* DIR/index.xml, for messages */
	size_t n_files;       /* over all archs, against MAP_MAX_FILES */
	size_t n_features;    /* resolved, over all archs: MAP_MAX_FEATURES */
	size_t n_bytes;       /* read, over all files: MAP_MAX_BYTES */
	size_t arch_files;    /* l->files of the current arch start here */
	struct vc_strv files; /* the paths read, owned: raw models point into them */
	struct vc_cpumap_arch *arch;
	struct raw_model *raw;
	size_t n_raw;
	size_t cap_raw;
};

static const char *dpkg_admindir = "/var/lib/dpkg";

void
vc_cpumap_set_dpkg_admindir(const char *dir)
{
	dpkg_admindir = dir ? dir : "/var/lib/dpkg";
}

static bool
is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

static void
raw_clear(struct raw_model *r)
{
	free(r->name);
	free(r->vendor);
	free(r->parent);
	vc_strv_clear(&r->features);
}

static void
loader_clear_models(struct loader *l)
{
	for (size_t i = 0; i < l->n_raw; i++)
		raw_clear(&l->raw[i]);
	free(l->raw);
	l->raw = NULL;
	l->n_raw = l->cap_raw = 0;
}

static void
loader_clear(struct loader *l)
{
	loader_clear_models(l);
	vc_strv_clear(&l->files);
}

/*
 * Read a map file whole. Only regular files: a FIFO or a device under a
 * --cpu-map DIR would block or never end. The check is on the opened
 * descriptor, so a file swapped after a check cannot slip through;
 * O_NONBLOCK keeps the open itself from waiting for a FIFO's writer.
 */
static int
read_map_file(const char *path, size_t max, bool quiet_enoent, char **text, size_t *len)
{
	_autoclose_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int rc;

	if (fd < 0) {
		rc = -errno;
		if (!(rc == -ENOENT && quiet_enoent))
			vc_err("%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vc_err("%s: not a regular file", path);
		return -EINVAL;
	}
	rc = vc_read_fd(fd, max, text, len);
	if (rc == -EFBIG)
		vc_err("%s: larger than %zu bytes", path, max);
	else if (rc < 0)
		vc_err("%s: %s", path, strerror(-rc));
	return rc;
}

static int
read_doc(struct loader *l, const char *path, xmlDocPtr *doc)
{
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc = read_map_file(path, MAP_MAX_FILE, false, &text, &len);

	if (rc < 0)
		return rc;
	l->n_bytes += len;
	if (l->n_bytes > MAP_MAX_BYTES) {
		vc_err("%s: the map's files hold more than %u MiB (at %s)", l->index,
		       MAP_MAX_BYTES >> 20, path);
		return -EFBIG;
	}
	*doc = vc_xml_parse(text, len, path, "cpus");
	return *doc ? 0 : -EINVAL;
}

/*
 * Names of the map reach terminals and the kubectl snippets advise
 * prints. Features and vendors become label name parts, so they must be
 * valid ones. Model names are only looked up (a node's labels, explain's
 * argument): libvirt's own include two that no label can carry ("FT-2000+",
 * "ThunderX2 99xx"), so printable ASCII is enough for them (such models
 * are dropped once resolved, see drop_unlabelable).
 */
static bool
printable_name(const char *name, const char **why)
{
	if (strlen(name) > NAME_MAX_LEN) {
		*why = "longer than 128 characters"; /* NAME_MAX_LEN */
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			*why = "not printable ASCII";
			return false;
		}
	}
	return true;
}

/*
 * Refuse @name unless it is valid (@strict: a label name part), escaped
 * in the message as it may hold anything. @model: the model @name
 * belongs to, NULL for a model's own name or a top-level <feature>.
 */
static int
check_name(const char *file, const char *model, const char *what, const char *name,
	   bool strict)
{
	_autofree_ char *esc = NULL;
	const char *why;

	if (strict ? vc_label_name_valid(name, &why) : printable_name(name, &why))
		return 0;
	esc = vc_escape_text(name);
	if (model)
		vc_err("%s: model '%s': %s name '%s' is refused: %s", file, model, what,
		       esc, why);
	else
		vc_err("%s: %s name '%s' is refused: %s", file, what, esc, why);
	return -EINVAL;
}

/* Store @val in *@slot, refusing a second <vendor> or parent <model>. */
static int
set_once(const struct raw_model *r, char **slot, char **val, const char *what)
{
	if (*slot) {
		vc_err("%s: model '%s' names two %s ('%s' and '%s')", r->file, r->name,
		       what, *slot, *val);
		return -EINVAL;
	}
	*slot = steal(val);
	return 0;
}

static int
parse_model_child(struct raw_model *r, xmlNodePtr c)
{
	_autofree_ char *name = NULL;

	/* <decode> and <signature> say nothing about ranks or features. */
	if (!is_elem(c, "feature") && !is_elem(c, "vendor") && !is_elem(c, "model"))
		return 0;
	name = vc_xml_prop(c, "name");
	if (strempty(name)) {
		vc_err("%s: model '%s': <%s> without a name", r->file, r->name,
		       (const char *)c->name);
		return -EINVAL;
	}
	if (check_name(r->file, r->name, (const char *)c->name, name,
		       !is_elem(c, "model")) < 0)
		return -EINVAL;
	if (is_elem(c, "feature")) {
		vc_strv_push_owned(&r->features, steal(&name));
		return 0;
	}
	if (is_elem(c, "vendor"))
		return set_once(r, &r->vendor, &name, "vendors");
	return set_once(r, &r->parent, &name, "models to extend");
}

static int
parse_model(struct loader *l, xmlNodePtr n, const char *file)
{
	struct raw_model *r;
	int rc;

	if (l->n_raw == l->cap_raw) {
		l->cap_raw = l->cap_raw ? 2 * l->cap_raw : 64;
		l->raw = xrealloc(l->raw, l->cap_raw * sizeof(*l->raw));
	}
	r = &l->raw[l->n_raw++];
	*r = (struct raw_model){.name = vc_xml_prop(n, "name"), .file = file};
	if (strempty(r->name)) {
		vc_err("%s: <model> without a name", file);
		return -EINVAL;
	}
	if (check_name(file, NULL, "model", r->name, false) < 0)
		return -EINVAL;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if ((rc = parse_model_child(r, c)) < 0)
			return rc;
	return 0;
}

static int
parse_feature(struct loader *l, xmlNodePtr n, const char *file)
{
	_autofree_ char *name = vc_xml_prop(n, "name");
	_autofree_ char *migratable = vc_xml_prop(n, "migratable");

	if (strempty(name)) {
		vc_err("%s: <feature> without a name", file);
		return -EINVAL;
	}
	if (check_name(file, NULL, "feature", name, true) < 0)
		return -EINVAL;
	if (streq(migratable, "no"))
		vc_strv_push_owned(&l->arch->not_migratable, steal(&name));
	return 0;
}

/* One included file: its features and models (vendors need no record). */
static int
parse_file(struct loader *l, const char *path)
{
	_autoxmldoc_ xmlDocPtr doc = NULL;
	int rc = read_doc(l, path, &doc);

	if (rc < 0)
		return rc;
	for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n && rc == 0;
	     n = n->next) {
		if (is_elem(n, "model"))
			rc = parse_model(l, n, path);
		else if (is_elem(n, "feature"))
			rc = parse_feature(l, n, path);
	}
	return rc;
}

static int
load_include(struct loader *l, xmlNodePtr inc)
{
	_autofree_ char *name = vc_xml_prop(inc, "filename");

	/* Files of the map only: no path outside DIR, no hidden file. */
	if (strempty(name) || strchr(name, '/') || name[0] == '.') {
		vc_err("%s: <include filename='%s'>: not a plain file name in the map's directory",
		       l->index, name ? name : "");
		return -EINVAL;
	}
	if (++l->n_files > MAP_MAX_FILES) {
		vc_err("%s: more than %d included files", l->index, MAP_MAX_FILES);
		return -EINVAL;
	}
	vc_strv_push_owned(&l->files, xasprintf("%s/%s", l->dir, name));
	/* Its models would be defined twice: say why, before reading it again. */
	for (size_t i = l->arch_files; i + 1 < l->files.n; i++) {
		if (streq(l->files.v[i], l->files.v[l->files.n - 1])) {
			vc_err("%s: '%s' is included twice in arch '%s'", l->index,
			       l->files.v[i], l->arch->name);
			return -EINVAL;
		}
	}
	return parse_file(l, l->files.v[l->files.n - 1]);
}

static int
cmp_raw(const void *a, const void *b)
{
	return strcmp(((const struct raw_model *)a)->name,
		      ((const struct raw_model *)b)->name);
}

static int
cmp_key_raw(const void *key, const void *elem)
{
	return strcmp(key, ((const struct raw_model *)elem)->name);
}

static int copy_parent(struct loader *l, size_t i, unsigned depth);

static int
too_deep(const struct raw_model *r)
{
	vc_err("%s: model '%s': models extend each other more than %d deep", r->file,
	       r->name, MAP_MAX_DEPTH);
	return -EINVAL;
}

/* Resolve model @i (same index in l->raw and l->arch->models). */
static int
resolve(struct loader *l, size_t i, unsigned depth)
{
	struct raw_model *r = &l->raw[i];
	struct vc_cpumap_model *m = &l->arch->models[i];
	int rc;

	if (r->state == RAW_DONE)
		return 0;
	if (r->state == RAW_BUSY) {
		vc_err("%s: model '%s' extends itself through a cycle of models", r->file,
		       r->name);
		return -EINVAL;
	}
	/* The model that started this has at least @depth ancestors. */
	if (depth > MAP_MAX_DEPTH)
		return too_deep(r);
	r->state = RAW_BUSY;
	m->name = xstrdup(r->name);
	m->vendor = xstrdup(r->vendor);
	for (size_t f = 0; f < r->features.n; f++)
		vc_strv_push(&m->features, r->features.v[f]);
	if (r->parent && (rc = copy_parent(l, i, depth)) < 0)
		return rc;
	vc_strv_sort_uniq(&m->features);
	l->n_features += m->features.n;
	r->state = RAW_DONE;
	return 0;
}

/* The parent's features join the model's; its own <vendor> wins. */
static int
copy_parent(struct loader *l, size_t i, unsigned depth)
{
	struct raw_model *r = &l->raw[i];
	struct vc_cpumap_model *m = &l->arch->models[i];
	const struct raw_model *p =
		bsearch(r->parent, l->raw, l->n_raw, sizeof(*l->raw), cmp_key_raw);
	const struct vc_cpumap_model *pm;
	int rc;

	if (!p) {
		vc_err("%s: model '%s' extends unknown model '%s'", r->file, r->name,
		       r->parent);
		return -EINVAL;
	}
	if ((rc = resolve(l, (size_t)(p - l->raw), depth + 1)) < 0)
		return rc;
	/* Counted whatever order resolved them in, so the cap is order-blind. */
	if (p->ancestors >= MAP_MAX_DEPTH)
		return too_deep(r);
	r->ancestors = p->ancestors + 1;
	pm = &l->arch->models[p - l->raw];
	/* Before copying: the bound is on memory, not just on the result. */
	if (l->n_features + m->features.n + pm->features.n > MAP_MAX_FEATURES) {
		vc_err("%s: more than %d features over all models once inheritance is resolved (at model '%s' in %s)",
		       l->index, MAP_MAX_FEATURES, r->name, r->file);
		return -EFBIG;
	}
	if (!m->vendor)
		m->vendor = xstrdup(pm->vendor);
	for (size_t f = 0; f < pm->features.n; f++)
		vc_strv_push(&m->features, pm->features.v[f]);
	return 0;
}

static void model_clear(struct vc_cpumap_model *mo);

/*
 * A model whose name no label can carry is on no node: it is kept while
 * resolving (another model may extend it), then dropped, so that no
 * output ever prints its name.
 */
static void
drop_unlabelable(struct vc_cpumap_arch *a)
{
	size_t out = 0;
	const char *why;

	for (size_t i = 0; i < a->n_models; i++) {
		if (vc_label_name_valid(a->models[i].name, &why)) {
			a->models[out++] = a->models[i];
			continue;
		}
		vc_debug("CPU map, arch %s: model '%s' left out: %s", a->name,
			 a->models[i].name, why);
		model_clear(&a->models[i]);
	}
	a->n_models = out;
}

/* All of an arch's files are read: sort, refuse duplicates, resolve. */
static int
resolve_all(struct loader *l)
{
	struct vc_cpumap_arch *a = l->arch;
	int rc;

	/* An arch may have no models (vendors only): no array to sort then. */
	if (l->n_raw > 1)
		qsort(l->raw, l->n_raw, sizeof(*l->raw), cmp_raw);
	for (size_t i = 1; i < l->n_raw; i++) {
		if (streq(l->raw[i - 1].name, l->raw[i].name)) {
			vc_err("%s: model '%s' is also defined in %s", l->raw[i].file,
			       l->raw[i].name, l->raw[i - 1].file);
			return -EINVAL;
		}
	}
	a->models = xzalloc((l->n_raw ? l->n_raw : 1) * sizeof(*a->models));
	a->n_models = l->n_raw;
	for (size_t i = 0; i < l->n_raw; i++)
		if ((rc = resolve(l, i, 0)) < 0)
			return rc;
	drop_unlabelable(a);
	vc_strv_sort_uniq(&a->not_migratable);
	return 0;
}

static int
load_arch(struct loader *l, xmlXPathContextPtr ctx, xmlNodePtr node)
{
	/* <include> anywhere below <arch>: newer libvirt may group them. */
	_autoxpathobj_ xmlXPathObjectPtr inc = vc_xml_nodes(ctx, node, ".//include");
	int rc;

	l->arch->name = vc_xml_prop(node, "name");
	if (strempty(l->arch->name)) {
		vc_err("%s: <arch> without a name", l->index);
		return -EINVAL;
	}
	l->arch_files = l->files.n;
	for (size_t i = 0; i < vc_xml_count(inc); i++)
		if ((rc = load_include(l, inc->nodesetval->nodeTab[i])) < 0)
			return rc;
	rc = resolve_all(l);
	loader_clear_models(l);
	return rc;
}

static int
cmp_arch(const void *a, const void *b)
{
	return strcmp(((const struct vc_cpumap_arch *)a)->name,
		      ((const struct vc_cpumap_arch *)b)->name);
}

static int
load_archs(struct vc_cpumap *m, struct loader *l, xmlXPathContextPtr ctx)
{
	_autoxpathobj_ xmlXPathObjectPtr archs = vc_xml_nodes(ctx, NULL, "/cpus/arch");
	size_t n = vc_xml_count(archs);
	int rc;

	if (n == 0) {
		vc_err("%s: no <arch> element", l->index);
		return -EINVAL;
	}
	m->archs = xzalloc(n * sizeof(*m->archs));
	for (size_t i = 0; i < n; i++) {
		l->arch = &m->archs[m->n_archs++];
		if ((rc = load_arch(l, ctx, archs->nodesetval->nodeTab[i])) < 0)
			return rc;
	}
	qsort(m->archs, m->n_archs, sizeof(*m->archs), cmp_arch);
	for (size_t i = 1; i < m->n_archs; i++) {
		if (streq(m->archs[i - 1].name, m->archs[i].name)) {
			vc_err("%s: arch '%s' is listed twice", l->index,
			       m->archs[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

static int
load_index(struct vc_cpumap *m)
{
	_autofree_ char *index = xasprintf("%s/index.xml", m->dir);
	_autoxmldoc_ xmlDocPtr doc = NULL;
	_autoxpathctx_ xmlXPathContextPtr ctx = NULL;
	_cleanup_(loader_clear) struct loader l = {.dir = m->dir, .index = index};
	int rc = read_doc(&l, index, &doc);

	if (rc < 0)
		return rc;
	ctx = xmlXPathNewContext(doc);
	if (!ctx)
		abort(); /* libxml2 fails only on OOM here, like xzalloc */
	return load_archs(m, &l, ctx);
}

/* A version is one short word of letters, digits and . + ~ - _ */
static bool
valid_version(const char *s)
{
	if (strempty(s) || strlen(s) > VERSION_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".+~-_", *s))
			return false;
	return true;
}

/* DIR/libvirt-version: 1 when found, 0 when absent, or -errno. */
static int
version_file(struct vc_cpumap *m)
{
	_autofree_ char *path = xasprintf("%s/libvirt-version", m->dir);
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc = read_map_file(path, 4096, true, &text, &len);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	/* A NUL would hide what follows it from the checks. */
	if (!text || memchr(text, '\0', len) || !valid_version(vc_trim(text))) {
		vc_err("%s: not a libvirt version (one line, at most %d letters, digits and . + ~ - _)",
		       path, VERSION_MAX);
		return -EINVAL;
	}
	m->libvirt_version = steal(&text);
	m->version_from = steal(&path);
	return 1;
}

static int
is_list(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && strcmp(e->d_name + n - 5, ".list") == 0;
}

/* Whether dpkg's file list @path names @target on a line of its own. */
static bool
list_has(const char *path, const char *target)
{
	_autofclose_ FILE *f = fopen(path, "re");
	_autofree_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return false;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (streq(line, target))
			return true;
	}
	return false;
}

/*
 * The package that installed @target, as dpkg names its list:
 * "libvirt0:amd64" (Multi-Arch: same) or "libvirt-common". The first in
 * name order, so that the answer never depends on readdir's order.
 */
static char *
dpkg_owner(const char *target)
{
	_autofree_ char *info = xasprintf("%s/info", dpkg_admindir);
	struct dirent **ents = NULL;
	int n = scandir(info, &ents, is_list, alphasort);
	char *owner = NULL;

	for (int i = 0; i < n; i++) {
		if (!owner) {
			_autofree_ char *path = xasprintf("%s/%s", info, ents[i]->d_name);

			if (list_has(path, target))
				owner = xstrndup(ents[i]->d_name,
						 strlen(ents[i]->d_name) - 5);
		}
		free(ents[i]);
	}
	free(ents);
	return owner;
}

/* A status stanza being read: does it describe @pkg (on @arch)? */
struct stanza {
	const char *pkg;
	const char *arch; /* NULL: any */
	bool is_pkg;
	bool is_arch;
	char *version;
};

static void
stanza_line(struct stanza *s, const char *line)
{
	if (strncmp(line, "Package: ", 9) == 0)
		s->is_pkg = streq(line + 9, s->pkg);
	else if (strncmp(line, "Architecture: ", 14) == 0)
		s->is_arch = !s->arch || streq(line + 14, s->arch);
	else if (strncmp(line, "Version: ", 9) == 0) {
		free(s->version);
		s->version = xstrdup(line + 9);
	}
}

/* Version: of @pkg (optionally on @arch) in dpkg's status file. */
static char *
dpkg_version(const char *pkg, const char *arch)
{
	_autofree_ char *path = xasprintf("%s/status", dpkg_admindir);
	_autofclose_ FILE *f = fopen(path, "re");
	_autofree_ char *line = NULL;
	struct stanza s = {.pkg = pkg, .arch = arch, .is_arch = !arch};
	size_t cap = 0;
	ssize_t n;

	while (f && (n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0) {
			if (s.is_pkg && s.is_arch && s.version)
				break;
			free(s.version);
			s = (struct stanza){.pkg = pkg, .arch = arch, .is_arch = !arch};
			continue;
		}
		stanza_line(&s, line);
	}
	if (s.is_pkg && s.is_arch)
		return s.version;
	free(s.version);
	return NULL;
}

/*
 * The Debian package that owns DIR/index.xml. libvirt_version is the
 * upstream version (epoch and Debian revision stripped, comparable with
 * the nodes' libvirt version labels); version_from keeps the package's
 * full version.
 */
static void
version_dpkg(struct vc_cpumap *m)
{
	_autofree_ char *index = xasprintf("%s/index.xml", m->dir);
	_autofree_ char *real = realpath(index, NULL);
	_autofree_ char *owner = real ? dpkg_owner(real) : NULL;
	char *arch = owner ? strchr(owner, ':') : NULL;
	_autofree_ char *full = NULL;
	const char *v;

	if (arch)
		*arch++ = '\0';
	full = owner ? dpkg_version(owner, arch) : NULL;
	if (!full) {
		vc_debug("%s: no libvirt-version file and no dpkg package owns %s",
			 m->dir, real ? real : index);
		return;
	}
	v = strchr(full, ':') ? strchr(full, ':') + 1 : full;
	m->version_from = xasprintf("dpkg: %s %s", owner, v);
	m->libvirt_version =
		xstrndup(v, strrchr(v, '-') ? (size_t)(strrchr(v, '-') - v) : strlen(v));
	if (!valid_version(m->libvirt_version)) {
		vc_debug("%s: dpkg version '%s' of %s is not a version", m->dir, full,
			 owner);
		free(steal(&m->libvirt_version));
		free(steal(&m->version_from));
	}
}

static void
model_clear(struct vc_cpumap_model *mo)
{
	free(mo->name);
	free(mo->vendor);
	vc_strv_clear(&mo->features);
}

static void
arch_clear(struct vc_cpumap_arch *a)
{
	for (size_t i = 0; i < a->n_models; i++)
		model_clear(&a->models[i]);
	free(a->models);
	free(a->name);
	vc_strv_clear(&a->not_migratable);
}

void
vc_cpumap_clear(struct vc_cpumap *m)
{
	for (size_t i = 0; i < m->n_archs; i++)
		arch_clear(&m->archs[i]);
	free(m->archs);
	free(m->dir);
	free(m->libvirt_version);
	free(m->version_from);
	memset(m, 0, sizeof(*m));
}

int
vc_cpumap_load(const char *dir, struct vc_cpumap *m)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->dir = xstrdup(dir ? dir : VC_CPUMAP_DEFAULT_DIR);
	rc = load_index(m);
	if (rc == 0 && (rc = version_file(m)) == 0)
		version_dpkg(m);
	if (rc < 0) {
		vc_cpumap_clear(m);
		return rc;
	}
	return 0;
}

char *
vc_cpumap_describe(const struct vc_cpumap *m)
{
	const char *dir = m->dir ? m->dir : VC_CPUMAP_DEFAULT_DIR;
	_autofree_ char *s = NULL;

	if (m->libvirt_version)
		s = xasprintf("CPU map %s (libvirt %s, from %s)", dir, m->libvirt_version,
			      m->version_from ? m->version_from : "?");
	else
		s = xasprintf(
			"CPU map %s (libvirt version unknown: add %s/libvirt-version)",
			dir, dir);
	/* DIR comes from the command line, the dpkg part from dpkg's files. */
	return vc_escape_text(s);
}

/* libvirt's arch names and the map's arch that serves each. */
static const char *
map_arch_name(const char *arch)
{
	static const char *const names[][2] = {
		{"x86_64", "x86"}, {"i686", "x86"},    {"aarch64", "arm"},
		{"armv7l", "arm"}, {"ppc64", "ppc64"}, {"ppc64le", "ppc64"},
	};

	for (size_t i = 0; i < ARRAY_LENGTH(names); i++)
		if (streq(arch, names[i][0]))
			return names[i][1];
	/* An arch a newer map adds under libvirt's own name. */
	return arch;
}

static int
cmp_key_arch(const void *key, const void *elem)
{
	return strcmp(key, ((const struct vc_cpumap_arch *)elem)->name);
}

static int
cmp_key_model(const void *key, const void *elem)
{
	return strcmp(key, ((const struct vc_cpumap_model *)elem)->name);
}

static int
cmp_key_str(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

const struct vc_cpumap_arch *
vc_cpumap_arch(const struct vc_cpumap *m, const char *arch)
{
	if (!arch || !m->archs)
		return NULL;
	return bsearch(map_arch_name(arch), m->archs, m->n_archs, sizeof(*m->archs),
		       cmp_key_arch);
}

const struct vc_cpumap_model *
vc_cpumap_model(const struct vc_cpumap_arch *a, const char *name)
{
	if (!name || !a->models)
		return NULL;
	return bsearch(name, a->models, a->n_models, sizeof(*a->models), cmp_key_model);
}

bool
vc_cpumap_migratable(const struct vc_cpumap_arch *a, const char *feature)
{
	if (!feature || !a->not_migratable.v)
		return true;
	return !bsearch(feature, a->not_migratable.v, a->not_migratable.n, sizeof(char *),
			cmp_key_str);
}
