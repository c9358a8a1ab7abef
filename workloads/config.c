/* config.c — see config.h.
 *
 * How it works. Each file is parsed into a yamltree (positions, quoted-ness, no duplicate keys).
 * Each document is then walked against a table of fields per object type (the `field` arrays
 * below): a key found in the table with a handler is parsed into the spec types of models/spec.h;
 * a key in the table without a handler is an upstream field kubesim does not model, recorded
 * once in cfg->ignored under its normalised path ("Pod spec.volumes"); any other key is an
 * error. Handlers report errors at the node the user wrote, with the field path built up in
 * ctx.path, and go on, so that one run lists up to KS_CONFIG_MAX_ERRORS problems. Checks that
 * need every document (a pod's schedulerName against the scheduler profiles, Node names against
 * NodePool-generated names) run once all files are read.
 *
 * A document with an error is not added to the config; the whole load then fails with status 2.
 *
 * Road not taken: generating the field tables from upstream's OpenAPI schema. It would make the
 * "known upstream field" lists complete to the last field, but pulls a code generator and a
 * 5 MB schema into the build for fields that are, by definition, ignored.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "quantity.h"
#include "tracereplay.h"
#include "yamltree.h"

#define KS_CONFIG_MAX_ERRORS 20

static ks_mem_id cfg_mem(void) { return ks_mem_purpose("config"); }
static char *dup(const char *s) { return ks_strdup(cfg_mem(), s); }

/* ---------------------------------------------------------------------------------------------
 * Loader state, paths and error reporting
 * ------------------------------------------------------------------------------------------- */

/* A named object, remembered for duplicate-name and node-name collision checks. */
typedef struct objref {
    const char *kind; /* static string */
    char *ns;         /* "" for cluster-scoped kinds */
    char *name;
    const char *file; /* one of the caller's paths */
    int line, col;
    int64_t count;    /* NodePool: its node count */
} objref;

/* A schedulerName written in a pod spec, checked against the profiles once all files are read
 * (the KubeSchedulerConfiguration may come after the pods). */
typedef struct schedref {
    const char *file;
    int line, col;
    const char *kind;
    char *name, *path, *scheduler;
} schedref;

/* Where the one allowed document of a singleton kind was first seen. */
typedef struct first_seen {
    const char *file;
    int line, col;
} first_seen;

typedef struct loader {
    ks_config *cfg;
    FILE *err;
    int nerrors;
    size_t cap_jobs;
    size_t cap_pools, cap_nodes, cap_pods, cap_deps, cap_ignored, cap_text, len_text, cap_actions, cap_failure_procs, cap_failure_refs, cap_at_refs, nat_refs;
    struct action_ref *action_refs; /* where each action's deployment was named */
    struct action_ref *failure_refs; /* where each random failure process named its pool */
    struct action_ref *at_refs;      /* every action's `at`: where, and the time */
    schedref *prio_refs;            /* where each priorityClassName was written */
    size_t nprio_refs, cap_prio_refs, cap_classes, cap_pdbs;
    size_t cap_services;
    size_t cap_action_refs;
    size_t cap_workloads, cap_wl_refs;
    struct wl_ref *wl_refs; /* per cfg->workloads: where its checks against the duration report */
    objref *objs;
    size_t nobjs, cap_objs;
    size_t *obj_slots; /* open-addressing index into objs: slot = index + 1, 0 = empty */
    size_t nslots;     /* a power of two, kept at least twice nobjs */
    schedref *scheds;
    size_t nscheds, cap_scheds;
    first_seen experiment, control_plane, sched_config;
    bool sched_bad; /* the KubeSchedulerConfiguration had errors: skip the schedulerName check */
} loader;

typedef struct ctx {
    loader *L;
    const char *file;
    const char *kind; /* NULL until the document's kind is known */
    const char *name; /* metadata.name, NULL when unknown */
    char path[512];   /* e.g. "spec.template.spec.containers[0].resources" */
    size_t plen;
} ctx;

/* Advances the path length by what snprintf wrote, staying inside the buffer on truncation. */
static void path_advance(ctx *c, int written)
{
    if (written <= 0) return;
    size_t room = sizeof c->path - c->plen - 1;
    c->plen += (size_t)written < room ? (size_t)written : room;
}

/* Appends ".KEY" (or "KEY" at the top) to the path; returns the mark for path_pop. */
static size_t path_push(ctx *c, const char *key)
{
    size_t mark = c->plen;
    path_advance(c, snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s%s", c->plen ? "." : "", key));
    return mark;
}

/* Appends "[I]" to the path; returns the mark for path_pop. */
static size_t path_index(ctx *c, size_t i)
{
    size_t mark = c->plen;
    path_advance(c, snprintf(c->path + c->plen, sizeof c->path - c->plen, "[%zu]", i));
    return mark;
}

static void path_pop(ctx *c, size_t mark)
{
    c->plen = mark;
    c->path[mark] = 0;
}

static void report(loader *L, const char *file, int line, int col, const char *kind, const char *name,
                   const char *path, const char *msg)
{
    if (L->nerrors >= KS_CONFIG_MAX_ERRORS) {
        L->nerrors++;
        return;
    }
    if (line > 0) fprintf(L->err, "%s:%d:%d: error: ", file, line, col);
    else fprintf(L->err, "%s: error: ", file);
    if (kind && name) fprintf(L->err, "%s \"%s\": ", kind, name);
    else if (kind) fprintf(L->err, "%s: ", kind);
    if (path && *path) fprintf(L->err, "%s: ", path);
    fprintf(L->err, "%s\n", msg);
    if (++L->nerrors == KS_CONFIG_MAX_ERRORS)
        fprintf(L->err, "kubesim: error: too many errors; stopping after %d\n", KS_CONFIG_MAX_ERRORS);
}

__attribute__((format(printf, 3, 4))) static void err_at(ctx *c, const ks_ynode *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(c->L, c->file, n->line, n->col, c->kind, c->name, c->path, msg);
}

/* Copies TEXT for a message: at most 60 characters, newlines and tabs escaped. */
static void clip(const char *text, char *out, size_t size)
{
    size_t n = 0, len = strlen(text);
    for (size_t i = 0; text[i] && n + 4 < size; i++) {
        if (i == 57 && len > 60) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (text[i] == '\n' || text[i] == '\t') {
            out[n++] = '\\';
            out[n++] = text[i] == '\n' ? 'n' : 't';
        } else {
            out[n++] = text[i];
        }
    }
    out[n] = 0;
}

/* How a node reads in "got …". With TYPED, a quoted scalar is called "the string" when the same
 * text unquoted would be a number, a bool or null: that is when the quotes are the problem. */
static const char *describe(const ks_ynode *n, bool typed_field, char *buf, size_t size)
{
    if (n->kind == KS_YMAPPING) return "a mapping";
    if (n->kind == KS_YSEQUENCE) return n->nkids ? "a list" : "an empty list";
    if (ks_yscalar_resolve(n) == KS_YS_NULL) return "null";
    ks_ynode plain = *n;
    plain.quoted = false;
    char text[80];
    clip(n->text, text, sizeof text);
    bool typed = typed_field && n->quoted && ks_yscalar_resolve(&plain) != KS_YS_STR;
    snprintf(buf, size, typed ? "the string \"%s\"" : "\"%s\"", text);
    return buf;
}

/* "expected WHAT, got …" for a field whose type is at stake (integers, bools, strings, lists). */
static void expect(ctx *c, const ks_ynode *n, const char *what)
{
    char d[128];
    err_at(c, n, "expected %s, got %s", what, describe(n, true, d, sizeof d));
}

/* The same for a value whose text is at stake and where quoting does not matter (quantities,
 * durations, names). */
static void expect_text(ctx *c, const ks_ynode *n, const char *what)
{
    char d[128];
    err_at(c, n, "expected %s, got %s", what, describe(n, false, d, sizeof d));
}

static void add_ignored(loader *L, const char *s)
{
    ks_config *cfg = L->cfg;
    for (size_t i = 0; i < cfg->nignored; i++)
        if (strcmp(cfg->ignored[i], s) == 0) return;
    ks_grow(cfg_mem(), (void **)&cfg->ignored, &L->cap_ignored, cfg->nignored + 1, sizeof *cfg->ignored);
    cfg->ignored[cfg->nignored++] = dup(s);
}

/* Records the current field as ignored, under "<Kind> <path>" with list indices dropped, the
 * way `kubectl explain` names fields (spec.containers.livenessProbe). */
static void note_ignored(ctx *c)
{
    char buf[600];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s ", c->kind ? c->kind : "");
    for (const char *p = c->path; *p && n + 1 < sizeof buf; p++) {
        if (*p == '[') {
            p = strchr(p, ']');
            if (!p) break;
            continue;
        }
        buf[n++] = *p;
    }
    buf[n] = 0;
    add_ignored(c->L, buf);
}

__attribute__((format(printf, 2, 3))) static void note_ignored_text(ctx *c, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_ignored(c->L, buf);
}

/* ---------------------------------------------------------------------------------------------
 * Table-driven walking
 * ------------------------------------------------------------------------------------------- */

/* A handler parses the value V of one field into OBJ, the builder of the enclosing object. ARG
 * is the field's table argument (an offset or an index). It is not called for null values:
 * YAML null means "absent", as with kubectl. */
typedef void (*field_fn)(ctx *c, const ks_ynode *v, void *obj, int arg);

enum { F_REQUIRED = 1 };

typedef struct field {
    const char *key;
    field_fn fn; /* NULL: a known upstream field that kubesim ignores */
    int flags;
    int arg;
} field;

static const field *field_find(const field *table, const char *key)
{
    for (const field *f = table; f->key; f++)
        if (strcmp(f->key, key) == 0) return f;
    return NULL;
}

/* Walks mapping MAP against TABLE. Returns false (after reporting) if MAP is not a mapping. */
static bool walk_map(ctx *c, const ks_ynode *map, const field *table, void *obj)
{
    if (map->kind != KS_YMAPPING) {
        expect(c, map, "a mapping");
        return false;
    }
    for (size_t i = 0; i < ks_ymap_size(map); i++) {
        const ks_ynode *k = ks_ymap_key(map, i), *v = ks_ymap_value(map, i);
        const field *f = field_find(table, k->text);
        if (!f) {
            char key[80];
            clip(k->text, key, sizeof key);
            err_at(c, k, "unknown field \"%s\"", key);
            continue;
        }
        size_t mark = path_push(c, k->text);
        if (!f->fn) note_ignored(c);
        else if (!ks_ynode_is_null(v)) f->fn(c, v, obj, f->arg);
        path_pop(c, mark);
    }
    for (const field *f = table; f->key; f++)
        if ((f->flags & F_REQUIRED) && ks_ynode_is_null(ks_ymap_get(map, f->key)))
            err_at(c, map, "missing required field \"%s\"", f->key);
    return true;
}

typedef void (*item_fn)(ctx *c, const ks_ynode *item, void *obj);

static bool walk_seq(ctx *c, const ks_ynode *seq, item_fn fn, void *obj)
{
    if (seq->kind != KS_YSEQUENCE) {
        expect(c, seq, "a list");
        return false;
    }
    for (size_t i = 0; i < seq->nkids; i++) {
        size_t mark = path_index(c, i);
        fn(c, seq->kids[i], obj);
        path_pop(c, mark);
    }
    return true;
}

/* A handler for fields already dealt with elsewhere (apiVersion and kind). */
static void f_skip(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)c, (void)v, (void)obj, (void)arg;
}

/* ---------------------------------------------------------------------------------------------
 * Scalars
 * ------------------------------------------------------------------------------------------- */

/* A string, as kubectl's JSON view sees it: quoted, or plain text that YAML would not read as a
 * number, bool or null. `image: 3` is an error there too. */
static const char *get_str(ctx *c, const ks_ynode *v)
{
    if (v->kind != KS_YSCALAR || ks_yscalar_resolve(v) != KS_YS_STR) {
        expect(c, v, "a string");
        return NULL;
    }
    return v->text;
}

static const char *get_nonempty_str(ctx *c, const ks_ynode *v)
{
    const char *s = get_str(c, v);
    if (s && !*s) {
        expect(c, v, "a non-empty string");
        return NULL;
    }
    return s;
}

static bool parse_int_text(const char *s, int64_t *out)
{
    int base = 10;
    const char *p = s;
    if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0o", 2) == 0) {
        base = s[1] == 'x' ? 16 : 8;
        p = s + 2;
    }
    errno = 0;
    char *end;
    long long v = strtoll(p, &end, base);
    if (errno || end == p || *end) return false;
    *out = v;
    return true;
}

/* An integer in [LO, HI]; quoted numbers are strings, as for kubectl. */
static bool get_int(ctx *c, const ks_ynode *v, int64_t lo, int64_t hi, const char *what, int64_t *out)
{
    int64_t x;
    if (v->kind != KS_YSCALAR || ks_yscalar_resolve(v) != KS_YS_INT || !parse_int_text(v->text, &x) || x < lo ||
        x > hi) {
        expect(c, v, what);
        return false;
    }
    *out = x;
    return true;
}

/* An unsigned 64-bit decimal integer (the experiment seed). */
static bool get_uint64(ctx *c, const ks_ynode *v, const char *what, uint64_t *out)
{
    bool ok = v->kind == KS_YSCALAR && ks_yscalar_resolve(v) == KS_YS_INT &&
              strspn(v->text, "0123456789") == strlen(v->text);
    unsigned long long x = 0;
    if (ok) {
        errno = 0;
        char *end;
        x = strtoull(v->text, &end, 10);
        ok = !errno && !*end;
    }
    if (!ok) {
        expect(c, v, what);
        return false;
    }
    *out = x;
    return true;
}

static bool get_bool(ctx *c, const ks_ynode *v, bool *out)
{
    if (v->kind != KS_YSCALAR || ks_yscalar_resolve(v) != KS_YS_BOOL) {
        expect(c, v, "true or false");
        return false;
    }
    *out = v->text[0] == 't' || v->text[0] == 'T';
    return true;
}

/* Upstream's Quantity.Sign() < 0: a minus sign before a non-zero mantissa. "-0" is zero. */
static bool quantity_negative(const char *s)
{
    if (s[0] != '-') return false;
    for (const char *p = s + 1; *p && strchr("0123456789.", *p); p++)
        if (*p >= '1' && *p <= '9') return true;
    return false;
}

/* A non-negative resource.Quantity, as a string or a plain number (both are valid upstream:
 * Quantity unmarshals from JSON strings and numbers). MILLI selects ks_quantity_milli (cpu). */
static bool get_quantity(ctx *c, const ks_ynode *v, bool milli, int64_t *out)
{
    ks_yscalar_type t = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_NULL;
    if (v->kind != KS_YSCALAR || t == KS_YS_NULL || t == KS_YS_BOOL) {
        expect_text(c, v, "a quantity such as \"500m\" or \"1.5Gi\"");
        return false;
    }
    int64_t x = 0;
    ks_qty_err e = milli ? ks_quantity_milli(v->text, &x) : ks_quantity_value(v->text, &x);
    if (e == KS_QTY_OVERFLOW) {
        expect_text(c, v, "a quantity that fits in 64 bits");
        return false;
    }
    if (e != KS_QTY_OK) {
        expect_text(c, v, "a quantity such as \"500m\" or \"1.5Gi\"");
        return false;
    }
    if (quantity_negative(v->text)) {
        expect_text(c, v, "a non-negative quantity");
        return false;
    }
    *out = x;
    return true;
}

/* A Go duration ("300ms", "1.5h"); "0" may be written as a plain number. */
static bool get_duration(ctx *c, const ks_ynode *v, int64_t *out)
{
    ks_yscalar_type t = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_NULL;
    int64_t ns = 0;
    if ((t != KS_YS_STR && t != KS_YS_INT) || ks_duration_parse(v->text, &ns) != KS_QTY_OK) {
        expect_text(c, v, "a duration such as \"300ms\", \"10s\" or \"1.5h\"");
        return false;
    }
    *out = ns;
    return true;
}

static bool get_positive_duration(ctx *c, const ks_ynode *v, int64_t *out)
{
    int64_t ns;
    if (!get_duration(c, v, &ns)) return false;
    if (ns <= 0) {
        expect_text(c, v, "a duration greater than 0");
        return false;
    }
    *out = ns;
    return true;
}

/* One of the NULL-terminated NAMES; returns its index or -1 after reporting. */
static int get_enum(ctx *c, const ks_ynode *v, const char *const *names)
{
    const char *s = v->kind == KS_YSCALAR && ks_yscalar_resolve(v) == KS_YS_STR ? v->text : NULL;
    char what[256];
    size_t n = (size_t)snprintf(what, sizeof what, "one of ");
    for (int i = 0; names[i]; i++) {
        if (s && strcmp(s, names[i]) == 0) return i;
        n += (size_t)snprintf(what + n, sizeof what - n, "%s%s", i ? ", " : "", names[i]);
        if (n >= sizeof what) n = sizeof what - 1;
    }
    expect(c, v, what);
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Names and labels (k8s.io/apimachinery/pkg/util/validation/validation.go)
 * ------------------------------------------------------------------------------------------- */

static bool is_lower_alnum(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }
static bool is_alnum(char ch) { return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z'); }

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static bool dns_part_ok(const char *s, size_t n)
{
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-') return false;
    return true;
}

/* IsDNS1123Label: one part, at most 63 characters. */
static bool is_dns_label(const char *s)
{
    size_t n = strlen(s);
    return n <= 63 && dns_part_ok(s, n);
}

/* IsDNS1123Subdomain: dot-separated parts, at most 253 characters in all. */
static bool is_dns_subdomain_n(const char *s, size_t n)
{
    if (n == 0 || n > 253) return false;
    for (size_t start = 0;;) {
        const char *dot = memchr(s + start, '.', n - start);
        size_t end = dot ? (size_t)(dot - s) : n;
        if (!dns_part_ok(s + start, end - start)) return false;
        if (!dot) return true;
        start = end + 1;
    }
}

static bool is_dns_subdomain(const char *s) { return is_dns_subdomain_n(s, strlen(s)); }

/* The name part of IsQualifiedName and IsValidLabelValue:
 * ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters. */
static bool name_part_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1])) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && !strchr("-_.", s[i])) return false;
    return true;
}

/* IsQualifiedName: [prefix/]name with a DNS-subdomain prefix. Label, annotation and taint keys. */
static bool is_qualified_name(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash) return name_part_ok(s, strlen(s));
    if (strchr(slash + 1, '/')) return false;
    return is_dns_subdomain_n(s, (size_t)(slash - s)) && name_part_ok(slash + 1, strlen(slash + 1));
}

static bool is_label_value(const char *s) { return !*s || name_part_ok(s, strlen(s)); }

#define WANT_SUBDOMAIN                                                                                  \
    "a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', starting and ending with a letter or digit, " \
    "at most 253 characters)"
#define WANT_LABEL                                                                                     \
    "a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most " \
    "63 characters)"
#define WANT_KEY                                                                                        \
    "a key of the form [prefix/]name (name: at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', " \
    "starting and ending with a letter or digit; prefix: a DNS subdomain)"
#define WANT_LABEL_VALUE                                                                                \
    "a label value (at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with " \
    "a letter or digit)"

static const char *get_subdomain(ctx *c, const ks_ynode *v)
{
    const char *s = get_str(c, v);
    if (s && !is_dns_subdomain(s)) {
        expect_text(c, v, WANT_SUBDOMAIN);
        return NULL;
    }
    return s;
}

static const char *get_dns_label(ctx *c, const ks_ynode *v)
{
    const char *s = get_str(c, v);
    if (s && !is_dns_label(s)) {
        expect_text(c, v, WANT_LABEL);
        return NULL;
    }
    return s;
}

static void labels_add(ks_labels *l, size_t *cap, const char *key, const char *value)
{
    ks_grow(cfg_mem(), (void **)&l->items, cap, l->n + 1, sizeof *l->items);
    l->items[l->n++] = (ks_kv){dup(key), dup(value)};
}

/* A map of label keys to label values, in the order written. */
static void parse_labels(ctx *c, const ks_ynode *v, ks_labels *out, size_t *cap)
{
    if (v->kind != KS_YMAPPING) {
        expect(c, v, "a mapping of label keys to values");
        return;
    }
    for (size_t i = 0; i < ks_ymap_size(v); i++) {
        const ks_ynode *k = ks_ymap_key(v, i), *val = ks_ymap_value(v, i);
        if (!is_qualified_name(k->text)) {
            expect_text(c, k, WANT_KEY);
            continue;
        }
        size_t mark = path_push(c, k->text);
        const char *s = ks_ynode_is_null(val) ? "" : get_str(c, val);
        if (s && !is_label_value(s)) expect_text(c, val, WANT_LABEL_VALUE);
        else if (s) labels_add(out, cap, k->text, s);
        path_pop(c, mark);
    }
}

/* ---------------------------------------------------------------------------------------------
 * ObjectMeta
 * ------------------------------------------------------------------------------------------- */

/* The annotation "kubesim.io/image-size" gives the size of the images of all the pod's
 * containers (a quantity in bytes: "350Mi"), which decides the image pull time. Upstream has no
 * such field: the size is known only to the registry. "kubesim.io/image-size.<container>" sets
 * one container's size and wins over the pod-wide value. Without either, the kubelet model uses
 * ControlPlane spec.kubelet.defaultImageSize (image_bytes 0 here). */
#define IMAGE_SIZE_ANNOTATION "kubesim.io/image-size"
/* "kubesim.io/run-for": how long each app container runs before it exits — a duration, or a
 * distribution written in YAML flow style ("{lognormal: {median: 30s, p99: 2m}}"); absent, the
 * containers run until deleted. "kubesim.io/exit-code": the exit code they end with (default 0;
 * a non-zero code is a crash). Both are kubesim's: upstream knows only what a container did. */
#define RUN_FOR_ANNOTATION "kubesim.io/run-for"
#define EXIT_CODE_ANNOTATION "kubesim.io/exit-code"
/* "kubesim.io/ready-after": how long after a container starts its app answers its probes (a
 * duration or a distribution, as run-for); default 0. */
#define READY_AFTER_ANNOTATION "kubesim.io/ready-after"
/* GPU sharing as the FGD artifact's pods ask for it (hkust-adsl/kubernetes-scheduler-simulator
 * pkg/type/open-gpu-share/utils/const.go ResourceName, CountName): milli-GPU per GPU (1..1000) and
 * the number of GPUs (default 1; more than one only with 1000 each). */
#define GPU_MILLI_ANNOTATION "alibabacloud.com/gpu-milli"
#define GPU_COUNT_ANNOTATION "alibabacloud.com/gpu-count"

typedef struct image_size {
    const ks_ynode *key;
    const char *container; /* points into key->text */
    int64_t bytes;
} image_size;

typedef struct meta_build {
    const ks_ynode *node, *name, *ns, *labels_node;
    ks_labels labels;
    size_t cap_labels;
    bool image_set;
    int64_t image_bytes;
    image_size *sizes;
    size_t nsizes, cap_sizes;
    bool run_set, ready_set;
    ks_dist run_for, ready_after;
    int32_t exit_code;
    int32_t gpu_milli, gpu_count; /* GPU_MILLI_ANNOTATION, GPU_COUNT_ANNOTATION; 0: not given */
    const ks_ynode *gpu_milli_n, *gpu_count_n;
    int32_t max_per_node;            /* KS_MAX_PER_NODE_ANNOTATION; 0: none */
    const ks_ynode *max_per_node_at; /* its value, for the missing-app-label error */
} meta_build;

static void meta_free(meta_build *m)
{
    ks_labels_free(&m->labels);
    ks_free(m->sizes);
    ks_dist_free(&m->run_for);
    ks_dist_free(&m->ready_after);
}

static void meta_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_subdomain(c, v)) ((meta_build *)obj)->name = v;
}

static void meta_namespace(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_dns_label(c, v)) ((meta_build *)obj)->ns = v;
}

static void meta_labels(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    meta_build *m = obj;
    m->labels_node = v;
    parse_labels(c, v, &m->labels, &m->cap_labels);
}

static void dist_annotation(ctx *c, const ks_ynode *v, const char *s, ks_dist *out, bool *set);
static void exit_code_annotation(ctx *c, meta_build *m, const ks_ynode *v, const char *s);

static void meta_annotation(ctx *c, meta_build *m, const ks_ynode *k, const ks_ynode *v)
{
    const char *s = ks_ynode_is_null(v) ? "" : get_str(c, v);
    if (!s) return;
    if (strcmp(k->text, RUN_FOR_ANNOTATION) == 0) {
        dist_annotation(c, v, s, &m->run_for, &m->run_set);
        return;
    }
    if (strcmp(k->text, READY_AFTER_ANNOTATION) == 0) {
        dist_annotation(c, v, s, &m->ready_after, &m->ready_set);
        return;
    }
    if (strcmp(k->text, EXIT_CODE_ANNOTATION) == 0) {
        exit_code_annotation(c, m, v, s);
        return;
    }
    bool milli = !strcmp(k->text, GPU_MILLI_ANNOTATION);
    if (milli || !strcmp(k->text, GPU_COUNT_ANNOTATION)) {
        char *end = NULL;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        long long hi = milli ? 1000 : 8; /* artifact: MILLI; MaxNumGpuPerNode */
        if (!*s || *end || errno || x < 1 || x > hi) {
            char what[96];
            snprintf(what, sizeof what, "an integer 1..%lld as a string, e.g. \"%s\"", hi, milli ? "500" : "1");
            expect_text(c, v, what);
            return;
        }
        if (milli) {
            m->gpu_milli = (int32_t)x;
            m->gpu_milli_n = v;
        } else {
            m->gpu_count = (int32_t)x;
            m->gpu_count_n = v;
        }
        return;
    }
    if (strcmp(k->text, KS_MAX_PER_NODE_ANNOTATION) == 0) { /* spec.h: a positive count as a string */
        char *end;
        errno = 0;
        long x = strtol(s, &end, 10);
        if (!*s || *end || errno || x < 1 || x > INT32_MAX) {
            expect_text(c, v, "a positive count of pods as a string, e.g. \"4\"");
            return;
        }
        m->max_per_node = (int32_t)x;
        m->max_per_node_at = v;
        return;
    }
    size_t plen = strlen(IMAGE_SIZE_ANNOTATION);
    if (strncmp(k->text, IMAGE_SIZE_ANNOTATION, plen) != 0) return;
    const char *rest = k->text + plen;
    if (*rest && *rest != '.') return;
    int64_t bytes;
    if (!get_quantity(c, v, false, &bytes)) return;
    if (!*rest) {
        m->image_set = true;
        m->image_bytes = bytes;
        return;
    }
    ks_grow(cfg_mem(), (void **)&m->sizes, &m->cap_sizes, m->nsizes + 1, sizeof *m->sizes);
    m->sizes[m->nsizes++] = (image_size){k, rest + 1, bytes};
}

/* Annotations are free-form strings upstream; only kubesim's own are read. */
static void meta_annotations(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (v->kind != KS_YMAPPING) {
        expect(c, v, "a mapping of annotation keys to string values");
        return;
    }
    for (size_t i = 0; i < ks_ymap_size(v); i++) {
        const ks_ynode *k = ks_ymap_key(v, i);
        if (!is_qualified_name(k->text)) {
            expect_text(c, k, WANT_KEY);
            continue;
        }
        size_t mark = path_push(c, k->text);
        meta_annotation(c, obj, k, ks_ymap_value(v, i));
        path_pop(c, mark);
    }
}

/* ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
static const field meta_fields[] = {
    {"name", meta_name, 0, 0},
    {"namespace", meta_namespace, 0, 0},
    {"labels", meta_labels, 0, 0},
    {"annotations", meta_annotations, 0, 0},
    {"generateName", NULL, 0, 0},
    {"uid", NULL, 0, 0},
    {"resourceVersion", NULL, 0, 0},
    {"generation", NULL, 0, 0},
    {"creationTimestamp", NULL, 0, 0},
    {"deletionTimestamp", NULL, 0, 0},
    {"deletionGracePeriodSeconds", NULL, 0, 0},
    {"ownerReferences", NULL, 0, 0},
    {"finalizers", NULL, 0, 0},
    {"managedFields", NULL, 0, 0},
    {"selfLink", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void walk_meta(ctx *c, const ks_ynode *v, meta_build *m)
{
    m->node = v;
    walk_map(c, v, meta_fields, m);
}

/* Objects need a name; templates do not, so the check is the caller's. */
static bool require_name(ctx *c, const meta_build *m)
{
    if (!m->node) return false; /* "metadata" itself is missing: reported by its table */
    if (!ks_ynode_is_null(ks_ymap_get(m->node, "name"))) return m->name != NULL;
    size_t mark = path_push(c, "metadata");
    err_at(c, m->node, "missing required field \"name\"");
    path_pop(c, mark);
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Registry of named objects
 * ------------------------------------------------------------------------------------------- */

/* The registry is hashed because `kubectl get pods -o yaml` of a large cluster is a List of
 * 100,000 pods: a linear search per object would make loading quadratic. */
static size_t object_hash(const char *kind, const char *ns, const char *name)
{
    uint64_t h = 14695981039346656037u;
    const char *parts[3] = {kind, ns, name};
    for (int i = 0; i < 3; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) h = (h ^ *p) * 1099511628211u;
        h = (h ^ 0xff) * 1099511628211u;
    }
    return (size_t)h;
}

static const objref *find_object(const loader *L, const char *kind, const char *ns, const char *name)
{
    if (!L->nslots) return NULL;
    for (size_t h = object_hash(kind, ns, name) & (L->nslots - 1); L->obj_slots[h]; h = (h + 1) & (L->nslots - 1)) {
        const objref *o = &L->objs[L->obj_slots[h] - 1];
        if (strcmp(o->kind, kind) == 0 && strcmp(o->ns, ns) == 0 && strcmp(o->name, name) == 0) return o;
    }
    return NULL;
}

static void index_object(loader *L, size_t i)
{
    const objref *o = &L->objs[i];
    size_t h = object_hash(o->kind, o->ns, o->name) & (L->nslots - 1);
    while (L->obj_slots[h]) h = (h + 1) & (L->nslots - 1);
    L->obj_slots[h] = i + 1;
}

/* Keeps the load factor at or below one half, rebuilding the index when it doubles. */
static void grow_object_index(loader *L)
{
    if (2 * (L->nobjs + 1) <= L->nslots) return;
    ks_free(L->obj_slots);
    L->nslots = L->nslots ? 2 * L->nslots : 64;
    L->obj_slots = ks_calloc(cfg_mem(), L->nslots, sizeof *L->obj_slots);
    for (size_t i = 0; i < L->nobjs; i++) index_object(L, i);
}

/* Registers KIND/NS/NAME at node NAME_N; reports a duplicate and returns false if it exists. */
static bool register_object(ctx *c, const char *kind, const char *ns, const ks_ynode *name_n, int64_t count)
{
    loader *L = c->L;
    const objref *prev = find_object(L, kind, ns, name_n->text);
    if (prev) {
        size_t mark = path_push(c, "metadata.name");
        if (*ns)
            err_at(c, name_n, "duplicate name: %s \"%s\" in namespace \"%s\" is already defined at %s:%d:%d", kind,
                   name_n->text, ns, prev->file, prev->line, prev->col);
        else
            err_at(c, name_n, "duplicate name: %s \"%s\" is already defined at %s:%d:%d", kind, name_n->text,
                   prev->file, prev->line, prev->col);
        path_pop(c, mark);
        return false;
    }
    grow_object_index(L);
    ks_grow(cfg_mem(), (void **)&L->objs, &L->cap_objs, L->nobjs + 1, sizeof *L->objs);
    L->objs[L->nobjs] = (objref){kind, dup(ns), dup(name_n->text), c->file, name_n->line, name_n->col, count};
    index_object(L, L->nobjs++);
    return true;
}

/* Singleton kinds (Experiment, ControlPlane, KubeSchedulerConfiguration): one per experiment. */
static bool claim_singleton(ctx *c, first_seen *first, const ks_ynode *root)
{
    if (first->file) {
        err_at(c, root, "only one %s is allowed; the first is at %s:%d:%d", c->kind, first->file, first->line,
               first->col);
        return false;
    }
    *first = (first_seen){c->file, root->line, root->col};
    return true;
}

static void defer_scheduler_check_name(ctx *c, const ks_ynode *v, const char *name)
{
    loader *L = c->L;
    ks_grow(cfg_mem(), (void **)&L->scheds, &L->cap_scheds, L->nscheds + 1, sizeof *L->scheds);
    L->scheds[L->nscheds++] = (schedref){c->file, v->line, v->col, c->kind, c->name ? dup(c->name) : NULL,
                                         dup(c->path), dup(name)};
}

static void defer_scheduler_check(ctx *c, const ks_ynode *v) { defer_scheduler_check_name(c, v, v->text); }

/* ---------------------------------------------------------------------------------------------
 * Resource lists (requests, limits, overhead, allocatable, capacity)
 * ------------------------------------------------------------------------------------------- */

enum { R_CPU, R_MEM, R_EPH, R_PODS, R_N };
static const char *const resource_names[R_N] = {"cpu", "memory", "ephemeral-storage", "pods"};

typedef struct res_list {
    const ks_ynode *node;
    int64_t v[R_N]; /* cpu in millicores, the others in base units */
    bool set[R_N];
    const ks_ynode *at[R_N];
    /* Extended resources (domain-qualified names): the name points into the YAML tree. */
    const char *ext_name[KS_MAX_EXT];
    int64_t ext_value[KS_MAX_EXT];
    int next;
} res_list;

/* The slot of resource NAME, R_N for a valid name kubesim does not model (hugepages-<size>, or an
 * extended resource with a domain such as nvidia.com/gpu), or -1 for an invalid one. Upstream
 * accepts only these shapes (pkg/apis/core/validation/validation.go validateContainerResourceName
 * and ValidateResourceName). PODS says whether "pods" is allowed (nodes only). */
static int resource_slot(const char *name, bool pods)
{
    for (int i = 0; i < R_N; i++)
        if (strcmp(name, resource_names[i]) == 0) return i == R_PODS && !pods ? -1 : i;
    if (strncmp(name, "hugepages-", 10) == 0) {
        int64_t size;
        return ks_quantity_value(name + 10, &size) == KS_QTY_OK ? R_N : -1;
    }
    return strchr(name, '/') && is_qualified_name(name) ? R_N : -1;
}

static void parse_resources(ctx *c, const ks_ynode *v, res_list *r, bool pods)
{
    if (v->kind != KS_YMAPPING) {
        expect(c, v, "a mapping of resource names to quantities");
        return;
    }
    r->node = v;
    for (size_t i = 0; i < ks_ymap_size(v); i++) {
        const ks_ynode *k = ks_ymap_key(v, i), *val = ks_ymap_value(v, i);
        int slot = resource_slot(k->text, pods);
        if (slot < 0) {
            err_at(c, k,
                   "expected a resource name (cpu, memory, ephemeral-storage%s, hugepages-<size> or a "
                   "domain-qualified name such as nvidia.com/gpu), got \"%.60s\"",
                   pods ? ", pods" : "", k->text);
            continue;
        }
        size_t mark = path_push(c, k->text);
        int64_t x;
        if (!ks_ynode_is_null(val) && get_quantity(c, val, slot == R_CPU, &x)) {
            if (slot == R_N && strncmp(k->text, "hugepages-", 10) != 0) {
                /* An extended resource: whole units only (ValidateResourceQuantityValue: "must be
                 * an integer"), at most KS_MAX_EXT per object. */
                int64_t milli = 0;
                ks_quantity_milli(val->text, &milli);
                if (milli % 1000 != 0) err_at(c, val, "expected an integer quantity of %s, got \"%s\"", k->text, val->text);
                else if (r->next == KS_MAX_EXT) err_at(c, k, "kubesim models at most %d extended resources per object", KS_MAX_EXT);
                else {
                    r->ext_name[r->next] = k->text;
                    r->ext_value[r->next++] = x;
                }
            } else if (slot == R_N) {
                note_ignored(c);
            } else {
                r->v[slot] = x;
                r->set[slot] = true;
                r->at[slot] = val;
            }
        }
        path_pop(c, mark);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Containers
 * ------------------------------------------------------------------------------------------- */

typedef struct ctr_build {
    ks_container k;
    res_list req, lim;
    const ks_ynode *name_n;
    bool pull_set;
} ctr_build;

static void ctr_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ctr_build *b = obj;
    if (!get_dns_label(c, v)) return;
    b->k.name = dup(v->text);
    b->name_n = v;
}

static void ctr_image(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (!s) return;
    if (!*s || strchr(" \t\n", s[0]) || strchr(" \t\n", s[strlen(s) - 1])) {
        expect_text(c, v, "an image reference without leading or trailing spaces");
        return;
    }
    ((ctr_build *)obj)->k.image = dup(s);
}

static void ctr_pull(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"IfNotPresent", "Always", "Never", NULL};
    static const ks_pull_policy policies[] = {KS_PULL_IF_NOT_PRESENT, KS_PULL_ALWAYS, KS_PULL_NEVER};
    int i = get_enum(c, v, names);
    if (i < 0) return;
    ((ctr_build *)obj)->k.pull = policies[i];
    ((ctr_build *)obj)->pull_set = true;
}

static void res_requests(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    parse_resources(c, v, &((ctr_build *)obj)->req, false);
}

static void res_limits(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    parse_resources(c, v, &((ctr_build *)obj)->lim, false);
}

/* ResourceRequirements. */
static const field resources_fields[] = {
    {"requests", res_requests, 0, 0},
    {"limits", res_limits, 0, 0},
    {"claims", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void ctr_resources(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, resources_fields, obj);
}

static void probe_int(ctx *c, const ks_ynode *v, void *obj, int arg, int64_t lo)
{
    int64_t x;
    if (get_int(c, v, lo, INT32_MAX, lo ? "a positive integer" : "a non-negative integer", &x))
        *(int32_t *)((char *)obj + arg) = (int32_t)x;
}

static void probe_nonneg(ctx *c, const ks_ynode *v, void *obj, int arg) { probe_int(c, v, obj, arg, 0); }
static void probe_pos(ctx *c, const ks_ynode *v, void *obj, int arg) { probe_int(c, v, obj, arg, 1); }

/* Probe (k8s.io/api/core/v1/types.go): the timings are modelled, the handler is not. */
static const field probe_fields[] = {
    {"initialDelaySeconds", probe_nonneg, 0, (int)offsetof(ks_probe, initial_delay_s)},
    {"periodSeconds", probe_pos, 0, (int)offsetof(ks_probe, period_s)},
    {"successThreshold", probe_pos, 0, (int)offsetof(ks_probe, success_threshold)},
    {"failureThreshold", probe_pos, 0, (int)offsetof(ks_probe, failure_threshold)},
    {"timeoutSeconds", NULL, 0, 0},
    {"terminationGracePeriodSeconds", NULL, 0, 0},
    {"exec", NULL, 0, 0},
    {"httpGet", NULL, 0, 0},
    {"tcpSocket", NULL, 0, 0},
    {"grpc", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void ctr_probe(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_probe *p = (ks_probe *)((char *)obj + arg);
    *p = (ks_probe){.set = true, .initial_delay_s = 0, .period_s = 10, .success_threshold = 1, .failure_threshold = 3};
    walk_map(c, v, probe_fields, p);
    /* pkg/apis/core/validation/validation.go validateProbe: a startup probe's successThreshold
     * must be 1. */
    if (arg == (int)offsetof(ctr_build, k.startup) && p->success_threshold != 1) {
        const ks_ynode *at = ks_ymap_get(v, "successThreshold");
        size_t mark = path_push(c, "successThreshold");
        err_at(c, at ? at : v, "must be 1 for a startup probe");
        path_pop(c, mark);
    }
}

/* ContainerPort: only host ports matter to scheduling (NodePorts); containerPort and name are
 * validated and otherwise not modelled. */
typedef struct port_build {
    ks_host_port hp;
    int64_t container_port;
} port_build;

static void port_container(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 1, 65535, "a port number 1-65535", &((port_build *)obj)->container_port);
}

static void port_host(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, 65535, "a port number 0-65535", &x)) ((port_build *)obj)->hp.port = (int32_t)x;
}

static void port_protocol(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"TCP", "UDP", "SCTP", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((port_build *)obj)->hp.protocol = (uint8_t)i;
}

static void port_host_ip(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (!s) return;
    if (strlen(s) >= sizeof ((port_build *)obj)->hp.host_ip || strspn(s, "0123456789abcdefABCDEF.:") != strlen(s)) {
        expect_text(c, v, "an IP address");
        return;
    }
    snprintf(((port_build *)obj)->hp.host_ip, sizeof ((port_build *)obj)->hp.host_ip, "%s",
             strcmp(s, "0.0.0.0") ? s : "");
}

static const field port_fields[] = {
    {"containerPort", port_container, F_REQUIRED, 0},
    {"hostPort", port_host, 0, 0},
    {"protocol", port_protocol, 0, 0},
    {"hostIP", port_host_ip, 0, 0},
    {"name", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_port(ctx *c, const ks_ynode *item, void *obj)
{
    ctr_build *b = obj;
    port_build pb = {0};
    walk_map(c, item, port_fields, &pb);
    if (pb.hp.port == 0) return; /* no host port: nothing for the scheduler */
    if (b->k.nhost_ports == UINT8_MAX) return;
    b->k.host_ports = b->k.host_ports ? ks_realloc(b->k.host_ports, (b->k.nhost_ports + 1u) * sizeof *b->k.host_ports)
                                      : ks_malloc(cfg_mem(), sizeof *b->k.host_ports);
    b->k.host_ports[b->k.nhost_ports++] = pb.hp;
}

static void ctr_ports(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_port, obj);
}

/* Container (k8s.io/api/core/v1/types.go, v1.31). */
static const field container_fields[] = {
    {"name", ctr_name, F_REQUIRED, 0},
    {"image", ctr_image, F_REQUIRED, 0},
    {"resources", ctr_resources, 0, 0},
    {"imagePullPolicy", ctr_pull, 0, 0},
    {"command", NULL, 0, 0},
    {"args", NULL, 0, 0},
    {"workingDir", NULL, 0, 0},
    {"ports", ctr_ports, 0, 0},
    {"envFrom", NULL, 0, 0},
    {"env", NULL, 0, 0},
    {"resizePolicy", NULL, 0, 0},
    {"restartPolicy", NULL, 0, 0},
    {"volumeMounts", NULL, 0, 0},
    {"volumeDevices", NULL, 0, 0},
    {"livenessProbe", NULL, 0, 0},
    {"readinessProbe", ctr_probe, 0, (int)offsetof(ctr_build, k.readiness)},
    {"startupProbe", ctr_probe, 0, (int)offsetof(ctr_build, k.startup)},
    {"lifecycle", NULL, 0, 0},
    {"terminationMessagePath", NULL, 0, 0},
    {"terminationMessagePolicy", NULL, 0, 0},
    {"securityContext", NULL, 0, 0},
    {"stdin", NULL, 0, 0},
    {"stdinOnce", NULL, 0, 0},
    {"tty", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

/* The pull policy upstream defaults when none is given (pkg/apis/core/v1/defaults.go
 * SetDefaults_Container): Always when the tag is "latest" — which includes no tag and no digest,
 * since the reference parser then assumes :latest — otherwise IfNotPresent. */
static ks_pull_policy default_pull_policy(const char *image)
{
    char ref[1024];
    const char *at = strchr(image, '@');
    if (at) {
        /* A digest pins the image; only an explicit ":latest" tag before it counts. */
        size_t n = (size_t)(at - image) < sizeof ref - 1 ? (size_t)(at - image) : sizeof ref - 1;
        memcpy(ref, image, n);
        ref[n] = 0;
        const char *slash = strrchr(ref, '/'), *colon = strrchr(ref, ':');
        bool latest = colon && (!slash || colon > slash) && strcmp(colon, ":latest") == 0;
        return latest ? KS_PULL_ALWAYS : KS_PULL_IF_NOT_PRESENT;
    }
    ks_image_ref(image, ref, sizeof ref);
    size_t n = strlen(ref);
    return n >= 7 && strcmp(ref + n - 7, ":latest") == 0 ? KS_PULL_ALWAYS : KS_PULL_IF_NOT_PRESENT;
}

/* Applies upstream's defaulting and the request <= limit validation, then fills b->k. Runs with
 * the container's path. Returns false when the container is unusable (errors were reported). */
static bool ctr_finish(ctx *c, ctr_build *b)
{
    if (!b->k.name || !b->k.image) return false;
    bool ok = true;
    for (int r = R_CPU; r <= R_EPH; r++) {
        if (!b->req.set[r] && b->lim.set[r]) {
            /* pkg/apis/core/v1/defaults.go SetDefaults_Pod: a resource with a limit and no request
             * gets the limit as its request. */
            b->req.v[r] = b->lim.v[r];
            b->req.set[r] = true;
        } else if (b->req.set[r] && b->lim.set[r] && b->req.v[r] > b->lim.v[r]) {
            /* pkg/apis/core/validation/validation.go ValidateResourceRequirements. */
            size_t mark = path_push(c, "resources.requests");
            path_push(c, resource_names[r]);
            err_at(c, b->req.at[r], "expected at most the %s limit (%s), got \"%s\"", resource_names[r],
                   b->lim.at[r]->text, b->req.at[r]->text);
            path_pop(c, mark);
            ok = false;
        }
    }
    b->k.cpu_milli = b->req.v[R_CPU];
    b->k.cpu_set = b->req.set[R_CPU];
    b->k.mem_bytes = b->req.v[R_MEM];
    b->k.mem_set = b->req.set[R_MEM];
    b->k.eph_bytes = b->req.v[R_EPH];
    /* Extended resources: requests, or the limits when no request is given (requests must equal
     * limits upstream, and default to them). */
    const res_list *ext = b->req.next ? &b->req : &b->lim;
    for (int i = 0; i < ext->next; i++) b->k.ext[i] = (ks_ext){dup(ext->ext_name[i]), ext->ext_value[i]};
    b->k.next = (uint8_t)ext->next;
    if (!b->pull_set) b->k.pull = default_pull_policy(b->k.image);
    return ok;
}

/* ---------------------------------------------------------------------------------------------
 * PodSpec
 * ------------------------------------------------------------------------------------------- */

typedef struct pod_build {
    ks_pod_spec *s;
    size_t cap_c, cap_i;
} pod_build;

static bool container_name_taken(const ks_pod_spec *s, const char *name)
{
    for (size_t i = 0; i < s->ncontainers; i++)
        if (strcmp(s->containers[i].name, name) == 0) return true;
    for (size_t i = 0; i < s->ninit; i++)
        if (strcmp(s->init_containers[i].name, name) == 0) return true;
    return false;
}

static void add_container(ctx *c, const ks_ynode *item, pod_build *pb, bool init)
{
    ctr_build b = {0};
    walk_map(c, item, container_fields, &b);
    bool ok = ctr_finish(c, &b);
    if (ok && container_name_taken(pb->s, b.k.name)) {
        size_t mark = path_push(c, "name");
        err_at(c, b.name_n, "duplicate container name \"%s\"", b.k.name);
        path_pop(c, mark);
        ok = false;
    }
    if (!ok) {
        ks_free(b.k.name);
        ks_free(b.k.image);
        for (uint8_t k = 0; k < b.k.next; k++) ks_free(b.k.ext[k].name);
        ks_free(b.k.host_ports);
        return;
    }
    ks_pod_spec *s = pb->s;
    if (init) {
        ks_grow(cfg_mem(), (void **)&s->init_containers, &pb->cap_i, s->ninit + 1, sizeof *s->init_containers);
        s->init_containers[s->ninit++] = b.k;
    } else {
        ks_grow(cfg_mem(), (void **)&s->containers, &pb->cap_c, s->ncontainers + 1, sizeof *s->containers);
        s->containers[s->ncontainers++] = b.k;
    }
}

static void app_container(ctx *c, const ks_ynode *item, void *obj) { add_container(c, item, obj, false); }
static void init_container(ctx *c, const ks_ynode *item, void *obj) { add_container(c, item, obj, true); }

static void ps_containers(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (walk_seq(c, v, app_container, obj) && v->nkids == 0) expect(c, v, "at least one container");
}

static void ps_init_containers(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, init_container, obj);
}

static void ps_priority(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, INT32_MIN, INT32_MAX, "a 32-bit integer", &x)) ((pod_build *)obj)->s->priority = (int32_t)x;
}

static void ps_scheduler_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_pod_spec *s = ((pod_build *)obj)->s;
    if (!get_nonempty_str(c, v)) return;
    ks_free(s->scheduler_name);
    s->scheduler_name = dup(v->text);
    defer_scheduler_check(c, v);
}

static void defer_priority_class_check(ctx *c, const ks_ynode *v);

static void ps_priority_class(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_pod_spec *s = ((pod_build *)obj)->s;
    if (!get_subdomain(c, v)) return;
    ks_free(s->priority_class);
    s->priority_class = dup(v->text);
    defer_priority_class_check(c, v);
}

static void ps_preemption_policy(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"PreemptLowerPriority", "Never", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((pod_build *)obj)->s->preempt_never = i == 1;
}

static void ps_node_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_pod_spec *s = ((pod_build *)obj)->s;
    if (!get_subdomain(c, v)) return;
    ks_free(s->node_name);
    s->node_name = dup(v->text);
}

static void ps_grace(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, INT64_MAX / 1000000000LL, "a non-negative integer", &x))
        ((pod_build *)obj)->s->termination_grace_ns = KS_SEC(x);
}

static void ps_overhead(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_pod_spec *s = ((pod_build *)obj)->s;
    res_list r = {0};
    parse_resources(c, v, &r, false);
    s->overhead_cpu_milli = r.v[R_CPU];
    s->overhead_mem_bytes = r.v[R_MEM];
    if (r.set[R_EPH]) {
        size_t mark = path_push(c, resource_names[R_EPH]);
        note_ignored(c);
        path_pop(c, mark);
    }
}

/* ---- tolerations (k8s.io/api/core/v1 Toleration; validation from
 * pkg/apis/core/validation/validation.go ValidateTolerations) */

typedef struct tol_build {
    ks_toleration t;
    const ks_ynode *op_n, *value_n, *seconds_n;
    bool op_set;
} tol_build;

static void tol_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && *s && !is_qualified_name(s)) {
        expect_text(c, v, WANT_KEY);
        return;
    }
    if (s) ((tol_build *)obj)->t.key = dup(s);
}

static void tol_op(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"Equal", "Exists", NULL};
    int i = get_enum(c, v, names);
    if (i < 0) return;
    ((tol_build *)obj)->t.op = (ks_toleration_op)i;
    ((tol_build *)obj)->op_set = true;
    ((tol_build *)obj)->op_n = v;
}

static void tol_value(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_label_value(s)) {
        expect_text(c, v, WANT_LABEL_VALUE);
        return;
    }
    if (!s) return;
    ks_free(((tol_build *)obj)->t.value);
    ((tol_build *)obj)->t.value = dup(s);
    ((tol_build *)obj)->value_n = v;
}

static void tol_effect(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", "", NULL};
    static const int effects[] = {KS_NO_SCHEDULE, KS_PREFER_NO_SCHEDULE, KS_NO_EXECUTE, -1};
    int i = get_enum(c, v, names);
    if (i >= 0) ((tol_build *)obj)->t.effect = effects[i];
}

static void tol_seconds(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (!get_int(c, v, INT64_MIN, INT64_MAX, "an integer number of seconds", &x)) return;
    ((tol_build *)obj)->t.has_seconds = true;
    ((tol_build *)obj)->t.seconds = x;
    ((tol_build *)obj)->seconds_n = v;
}

static const field toleration_fields[] = {
    {"key", tol_key, 0, 0},
    {"operator", tol_op, 0, 0},
    {"value", tol_value, 0, 0},
    {"effect", tol_effect, 0, 0},
    {"tolerationSeconds", tol_seconds, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_toleration(ctx *c, const ks_ynode *item, void *obj)
{
    ks_pod_spec *s = ((pod_build *)obj)->s;
    int errors = c->L->nerrors;
    tol_build b = {.t = {.op = KS_TOL_EQUAL, .effect = -1}};
    walk_map(c, item, toleration_fields, &b);
    if (!b.t.key) b.t.key = dup("");
    if (!b.t.value) b.t.value = dup("");
    /* "operator must be Exists when `key` is empty"; "value must be empty when `operator` is
     * 'Exists'"; tolerationSeconds only with effect NoExecute. */
    if (c->L->nerrors == errors && !*b.t.key && b.t.op != KS_TOL_EXISTS)
        err_at(c, b.op_n ? b.op_n : item, "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
    else if (c->L->nerrors == errors && b.t.op == KS_TOL_EXISTS && *b.t.value)
        err_at(c, b.value_n, "value must be empty when `operator` is 'Exists'");
    else if (c->L->nerrors == errors && b.t.has_seconds && b.t.effect != KS_NO_EXECUTE)
        err_at(c, b.seconds_n, "effect must be 'NoExecute' when `tolerationSeconds` is set");
    if (c->L->nerrors != errors) {
        ks_free(b.t.key);
        ks_free(b.t.value);
        return;
    }
    s->tolerations = s->tolerations ? ks_realloc(s->tolerations, (s->ntolerations + 1) * sizeof *s->tolerations)
                                    : ks_malloc(cfg_mem(), sizeof *s->tolerations);
    s->tolerations[s->ntolerations++] = b.t;
}

static void ps_tolerations(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_toleration, obj);
}

static void ps_node_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    size_t cap = 0;
    ks_pod_spec *s = ((pod_build *)obj)->s;
    ks_labels_free(&s->node_selector);
    parse_labels(c, v, &s->node_selector, &cap);
}

/* ---- affinity.nodeAffinity (NodeAffinity, NodeSelector, NodeSelectorTerm,
 * NodeSelectorRequirement; validation from ValidateNodeSelectorRequirement) */

typedef struct req_build {
    ks_node_requirement r;
    const ks_ynode *values_n, *op_n;
    size_t cap;
} req_build;

static void req_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_qualified_name(s)) {
        expect_text(c, v, WANT_KEY);
        return;
    }
    if (s) ((req_build *)obj)->r.key = dup(s);
}

static void req_op(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", NULL};
    int i = get_enum(c, v, names);
    if (i < 0) return;
    ((req_build *)obj)->r.op = (ks_selector_op)i;
    ((req_build *)obj)->op_n = v;
}

static void req_value(ctx *c, const ks_ynode *item, void *obj)
{
    req_build *b = obj;
    const char *s = get_str(c, item);
    if (!s) return;
    ks_grow(cfg_mem(), (void **)&b->r.values, &b->cap, b->r.nvalues + 1, sizeof *b->r.values);
    b->r.values[b->r.nvalues++] = dup(s);
}

static void req_values(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((req_build *)obj)->values_n = v;
    walk_seq(c, v, req_value, obj);
}

static const field requirement_fields[] = {
    {"key", req_key, F_REQUIRED, 0},
    {"operator", req_op, F_REQUIRED, 0},
    {"values", req_values, 0, 0},
    {NULL, NULL, 0, 0},
};

static void requirement_free(ks_node_requirement *r)
{
    ks_free(r->key);
    for (size_t i = 0; i < r->nvalues; i++) ks_free(r->values[i]);
    ks_free(r->values);
}

typedef struct term_build {
    ks_node_term t;
    size_t cap;
    bool fields; /* parsing matchFields */
    bool label;  /* a LabelSelector's matchExpressions: In, NotIn, Exists, DoesNotExist only */
} term_build;

static void add_requirement(ctx *c, const ks_ynode *item, void *obj)
{
    term_build *tb = obj;
    int errors = c->L->nerrors;
    req_build b = {.r = {.field = tb->fields}};
    walk_map(c, item, requirement_fields, &b);
    const ks_ynode *at = b.values_n ? b.values_n : item;
    if (c->L->nerrors == errors) {
        ks_selector_op op = b.r.op;
        if ((op == KS_SEL_IN || op == KS_SEL_NOT_IN) && b.r.nvalues == 0)
            err_at(c, at, "must be specified when `operator` is 'In' or 'NotIn'");
        else if ((op == KS_SEL_EXISTS || op == KS_SEL_DOES_NOT_EXIST) && b.r.nvalues > 0)
            err_at(c, at, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        else if ((op == KS_SEL_GT || op == KS_SEL_LT) && b.r.nvalues != 1)
            err_at(c, at, "must be specified single value when `operator` is 'Lt' or 'Gt'");
        else if (tb->label && (op == KS_SEL_GT || op == KS_SEL_LT))
            err_at(c, b.op_n, "not a valid label selector operator: In, NotIn, Exists or DoesNotExist");
        else if (tb->fields && strcmp(b.r.key, "metadata.name") != 0)
            err_at(c, item, "not a valid field selector key: only metadata.name is supported");
        else if (tb->fields && op != KS_SEL_IN && op != KS_SEL_NOT_IN)
            err_at(c, b.op_n, "not a valid selector operator for a field: In or NotIn");
    }
    if (c->L->nerrors != errors) {
        requirement_free(&b.r);
        return;
    }
    ks_grow(cfg_mem(), (void **)&tb->t.reqs, &tb->cap, tb->t.n + 1, sizeof *tb->t.reqs);
    tb->t.reqs[tb->t.n++] = b.r;
}

static void term_expressions(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((term_build *)obj)->fields = false;
    walk_seq(c, v, add_requirement, obj);
}

static void term_fields(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((term_build *)obj)->fields = true;
    walk_seq(c, v, add_requirement, obj);
}

static const field term_fields_table[] = {
    {"matchExpressions", term_expressions, 0, 0},
    {"matchFields", term_fields, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_required_term(ctx *c, const ks_ynode *item, void *obj)
{
    ks_pod_spec *s = ((pod_build *)obj)->s;
    term_build b = {0};
    walk_map(c, item, term_fields_table, &b);
    s->required_terms = s->required_terms ? ks_realloc(s->required_terms, (s->nrequired + 1) * sizeof *s->required_terms)
                                          : ks_malloc(cfg_mem(), sizeof *s->required_terms);
    s->required_terms[s->nrequired++] = b.t;
}

static void node_selector_terms(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((pod_build *)obj)->s->has_required = true;
    walk_seq(c, v, add_required_term, obj);
}

static const field node_selector_fields[] = {
    {"nodeSelectorTerms", node_selector_terms, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void na_required(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, node_selector_fields, obj);
}

typedef struct pref_build {
    ks_preferred_term p;
    bool weight_set;
} pref_build;

static void pref_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 1, 100, "an integer in the range 1-100", &x)) {
        ((pref_build *)obj)->p.weight = (int32_t)x;
        ((pref_build *)obj)->weight_set = true;
    }
}

static void pref_term(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    term_build b = {0};
    walk_map(c, v, term_fields_table, &b);
    ((pref_build *)obj)->p.term = b.t;
}

static const field preferred_fields[] = {
    {"weight", pref_weight, F_REQUIRED, 0},
    {"preference", pref_term, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void add_preferred(ctx *c, const ks_ynode *item, void *obj)
{
    ks_pod_spec *s = ((pod_build *)obj)->s;
    pref_build b = {0};
    walk_map(c, item, preferred_fields, &b);
    s->preferred = s->preferred ? ks_realloc(s->preferred, (s->npreferred + 1) * sizeof *s->preferred)
                                : ks_malloc(cfg_mem(), sizeof *s->preferred);
    s->preferred[s->npreferred++] = b.p;
}

static void na_preferred(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_preferred, obj);
}

static const field node_affinity_fields[] = {
    {"requiredDuringSchedulingIgnoredDuringExecution", na_required, 0, 0},
    {"preferredDuringSchedulingIgnoredDuringExecution", na_preferred, 0, 0},
    {NULL, NULL, 0, 0},
};

static void aff_node(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, node_affinity_fields, obj);
}


/* ---- LabelSelector (metav1.LabelSelector): matchLabels and matchExpressions, ANDed */

typedef struct lsel_build {
    ks_label_selector *sel;
    term_build tb;
} lsel_build;

static void lsel_match_labels(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    lsel_build *b = obj;
    ks_labels l = {0};
    size_t cap = 0;
    parse_labels(c, v, &l, &cap);
    for (size_t i = 0; i < l.n; i++) {
        ks_grow(cfg_mem(), (void **)&b->tb.t.reqs, &b->tb.cap, b->tb.t.n + 1, sizeof *b->tb.t.reqs);
        char **values = ks_malloc(cfg_mem(), sizeof *values);
        values[0] = l.items[i].value;
        b->tb.t.reqs[b->tb.t.n++] = (ks_node_requirement){l.items[i].key, KS_SEL_IN, values, 1, false};
    }
    ks_free(l.items);
}

static void lsel_expressions(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    lsel_build *b = obj;
    b->tb.fields = false;
    b->tb.label = true;
    walk_seq(c, v, add_requirement, &b->tb);
}

static const field label_selector_fields[] = {
    {"matchLabels", lsel_match_labels, 0, 0},
    {"matchExpressions", lsel_expressions, 0, 0},
    {NULL, NULL, 0, 0},
};

/* A LabelSelector; null leaves SEL unset (it then selects nothing). */
static void parse_label_selector(ctx *c, const ks_ynode *v, ks_label_selector *sel)
{
    if (ks_ynode_is_null(v)) return;
    lsel_build b = {.sel = sel};
    walk_map(c, v, label_selector_fields, &b);
    *sel = (ks_label_selector){b.tb.t.reqs, b.tb.t.n, true};
}

/* A list of strings (label keys, namespaces), each checked with CHECK when given. */
static void parse_strings(ctx *c, const ks_ynode *v, char ***out, size_t *n, bool (*check)(const char *),
                          const char *want)
{
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list of strings");
        return;
    }
    size_t cap = 0;
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        const char *s = get_str(c, v->kids[i]);
        if (s && check && !check(s)) expect(c, v->kids[i], want);
        else if (s) {
            ks_grow(cfg_mem(), (void **)out, &cap, *n + 1, sizeof **out);
            (*out)[(*n)++] = dup(s);
        }
        path_pop(c, mark);
    }
}

/* ---- topologySpreadConstraints (validation: pkg/apis/core/validation/validation.go
 * validateTopologySpreadConstraints) */

typedef struct spread_build {
    ks_spread_constraint k;
    bool has_skew, has_key, has_when;
    const ks_ynode *min_domains_n;
} spread_build;

static void tsc_max_skew(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    spread_build *b = obj;
    if ((b->has_skew = get_int(c, v, 1, INT32_MAX, "an integer greater than zero", &x))) b->k.max_skew = (int32_t)x;
}

static void tsc_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    spread_build *b = obj;
    const char *s = get_nonempty_str(c, v);
    if (s && !is_qualified_name(s)) expect_text(c, v, WANT_KEY);
    else if (s) {
        b->k.topology_key = dup(s);
        b->has_key = true;
    }
}

static void tsc_when(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
    spread_build *b = obj;
    int i = get_enum(c, v, names);
    if (i >= 0) {
        b->k.do_not_schedule = i == 0;
        b->has_when = true;
    }
}

static void tsc_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    parse_label_selector(c, v, &((spread_build *)obj)->k.selector);
}

static void tsc_min_domains(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    spread_build *b = obj;
    if (get_int(c, v, 1, INT32_MAX, "an integer greater than zero", &x)) {
        b->k.min_domains = (int32_t)x;
        b->min_domains_n = v;
    }
}

/* nodeAffinityPolicy / nodeTaintsPolicy: Honor or Ignore. */
static void tsc_policy(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    static const char *const names[] = {"Honor", "Ignore", NULL};
    spread_build *b = obj;
    int i = get_enum(c, v, names);
    if (i < 0) return;
    if (arg) b->k.honor_taints = i == 0;
    else b->k.honor_affinity = i == 0;
}

static void tsc_match_label_keys(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    spread_build *b = obj;
    parse_strings(c, v, &b->k.match_label_keys, &b->k.nmatch_label_keys, is_qualified_name, WANT_KEY);
}

static const field spread_fields[] = {
    {"maxSkew", tsc_max_skew, F_REQUIRED, 0},
    {"topologyKey", tsc_key, F_REQUIRED, 0},
    {"whenUnsatisfiable", tsc_when, F_REQUIRED, 0},
    {"labelSelector", tsc_selector, 0, 0},
    {"minDomains", tsc_min_domains, 0, 0},
    {"nodeAffinityPolicy", tsc_policy, 0, 0},
    {"nodeTaintsPolicy", tsc_policy, 0, 1},
    {"matchLabelKeys", tsc_match_label_keys, 0, 0},
    {NULL, NULL, 0, 0},
};

/* Parses one constraint into *OUT; false (after an error) if it is invalid. Duplicate pairs of
 * topologyKey and whenUnsatisfiable among PREV are rejected, as upstream does. */
static bool parse_spread(ctx *c, const ks_ynode *item, const ks_spread_constraint *prev, size_t nprev,
                         ks_spread_constraint *out)
{
    int errors = c->L->nerrors;
    spread_build b = {.k = {.min_domains = 1, .honor_affinity = true}};
    walk_map(c, item, spread_fields, &b);
    if (c->L->nerrors == errors && b.min_domains_n && !b.k.do_not_schedule) {
        size_t mark = path_push(c, "minDomains");
        err_at(c, b.min_domains_n, "can only use minDomains if whenUnsatisfiable=DoNotSchedule");
        path_pop(c, mark);
    }
    for (size_t i = 0; c->L->nerrors == errors && i < nprev; i++)
        if (strcmp(prev[i].topology_key, b.k.topology_key) == 0 && prev[i].do_not_schedule == b.k.do_not_schedule)
            err_at(c, item, "duplicate topologySpreadConstraint {%s, %s}", b.k.topology_key,
                   b.k.do_not_schedule ? "DoNotSchedule" : "ScheduleAnyway");
    if (c->L->nerrors != errors) {
        ks_spread_constraint_free(&b.k);
        return false;
    }
    *out = b.k;
    return true;
}

static void add_spread(ctx *c, const ks_ynode *item, void *obj)
{
    ks_pod_spec *s = ((pod_build *)obj)->s;
    ks_spread_constraint k;
    if (!parse_spread(c, item, s->spread, s->nspread, &k)) return;
    s->spread = s->spread ? ks_realloc(s->spread, (s->nspread + 1) * sizeof *s->spread)
                          : ks_malloc(cfg_mem(), sizeof *s->spread);
    s->spread[s->nspread++] = k;
}

static void ps_spread(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_spread, obj);
}

/* ---- affinity.podAffinity / podAntiAffinity (PodAffinityTerm, WeightedPodAffinityTerm) */

typedef struct pat_build {
    ks_pod_affinity_term t;
    bool has_weight;
} pat_build;

static void pat_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    parse_label_selector(c, v, arg ? &((pat_build *)obj)->t.ns_selector : &((pat_build *)obj)->t.selector);
}

static void pat_namespaces(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    pat_build *b = obj;
    parse_strings(c, v, &b->t.namespaces, &b->t.nnamespaces, NULL, NULL);
}

static void pat_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_nonempty_str(c, v);
    if (s && !is_qualified_name(s)) expect_text(c, v, WANT_KEY);
    else if (s) ((pat_build *)obj)->t.topology_key = dup(s);
}

static void pat_label_keys(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_pod_affinity_term *t = &((pat_build *)obj)->t;
    if (arg) parse_strings(c, v, &t->mismatch_label_keys, &t->nmismatch_label_keys, is_qualified_name, WANT_KEY);
    else parse_strings(c, v, &t->match_label_keys, &t->nmatch_label_keys, is_qualified_name, WANT_KEY);
}

static const field pod_affinity_term_fields[] = {
    {"labelSelector", pat_selector, 0, 0},
    {"namespaces", pat_namespaces, 0, 0},
    {"namespaceSelector", pat_selector, 0, 1},
    {"topologyKey", pat_key, F_REQUIRED, 0},
    {"matchLabelKeys", pat_label_keys, 0, 0},
    {"mismatchLabelKeys", pat_label_keys, 0, 1},
    {NULL, NULL, 0, 0},
};

static void wpat_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    pat_build *b = obj;
    if ((b->has_weight = get_int(c, v, 1, 100, "an integer in the range 1-100", &x))) b->t.weight = (int32_t)x;
}

static void wpat_term(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, pod_affinity_term_fields, obj);
}

static const field weighted_term_fields[] = {
    {"weight", wpat_weight, F_REQUIRED, 0},
    {"podAffinityTerm", wpat_term, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

typedef struct aff_list_build {
    pod_build *pb;
    int list; /* KS_AFF_* */
} aff_list_build;

static void add_pod_affinity_term(ctx *c, const ks_ynode *item, void *obj)
{
    aff_list_build *ab = obj;
    ks_pod_spec *s = ab->pb->s;
    bool weighted = ab->list == KS_AFF_PREFERRED || ab->list == KS_ANTI_PREFERRED;
    int errors = c->L->nerrors;
    pat_build b = {0};
    walk_map(c, item, weighted ? weighted_term_fields : pod_affinity_term_fields, &b);
    if (c->L->nerrors != errors) {
        ks_pod_affinity_term_free(&b.t);
        return;
    }
    size_t n = s->npod_aff[ab->list];
    s->pod_aff[ab->list] = n ? ks_realloc(s->pod_aff[ab->list], (n + 1) * sizeof *s->pod_aff[ab->list])
                             : ks_malloc(cfg_mem(), sizeof *s->pod_aff[ab->list]);
    s->pod_aff[ab->list][s->npod_aff[ab->list]++] = b.t;
}

static void pa_list(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    aff_list_build ab = {obj, arg};
    walk_seq(c, v, add_pod_affinity_term, &ab);
}

static const field pod_affinity_fields[] = {
    {"requiredDuringSchedulingIgnoredDuringExecution", pa_list, 0, KS_AFF_REQUIRED},
    {"preferredDuringSchedulingIgnoredDuringExecution", pa_list, 0, KS_AFF_PREFERRED},
    {NULL, NULL, 0, 0},
};

static const field pod_anti_affinity_fields[] = {
    {"requiredDuringSchedulingIgnoredDuringExecution", pa_list, 0, KS_ANTI_REQUIRED},
    {"preferredDuringSchedulingIgnoredDuringExecution", pa_list, 0, KS_ANTI_PREFERRED},
    {NULL, NULL, 0, 0},
};

static void aff_pod(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    walk_map(c, v, arg ? pod_anti_affinity_fields : pod_affinity_fields, obj);
}

/* Affinity. */
static const field affinity_fields[] = {
    {"nodeAffinity", aff_node, 0, 0},
    {"podAffinity", aff_pod, 0, 0},
    {"podAntiAffinity", aff_pod, 0, 1},
    {NULL, NULL, 0, 0},
};

static void ps_affinity(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, affinity_fields, obj);
}

static void ps_restart_policy(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"Always", "OnFailure", "Never", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((pod_build *)obj)->s->restart_policy = (ks_restart_policy)i;
}

/* PodSpec (k8s.io/api/core/v1/types.go, v1.31). Fields that change nothing kubesim models are
 * listed as ignored, so that a run never silently pretends to honour them. */
static const field podspec_fields[] = {
    {"containers", ps_containers, F_REQUIRED, 0},
    {"initContainers", ps_init_containers, 0, 0},
    {"priority", ps_priority, 0, 0},
    {"schedulerName", ps_scheduler_name, 0, 0},
    {"nodeName", ps_node_name, 0, 0},
    {"terminationGracePeriodSeconds", ps_grace, 0, 0},
    {"overhead", ps_overhead, 0, 0},
    {"volumes", NULL, 0, 0},
    {"ephemeralContainers", NULL, 0, 0},
    {"restartPolicy", ps_restart_policy, 0, 0},
    {"activeDeadlineSeconds", NULL, 0, 0},
    {"dnsPolicy", NULL, 0, 0},
    {"nodeSelector", ps_node_selector, 0, 0},
    {"serviceAccountName", NULL, 0, 0},
    {"serviceAccount", NULL, 0, 0},
    {"automountServiceAccountToken", NULL, 0, 0},
    {"hostNetwork", NULL, 0, 0},
    {"hostPID", NULL, 0, 0},
    {"hostIPC", NULL, 0, 0},
    {"shareProcessNamespace", NULL, 0, 0},
    {"securityContext", NULL, 0, 0},
    {"imagePullSecrets", NULL, 0, 0},
    {"hostname", NULL, 0, 0},
    {"subdomain", NULL, 0, 0},
    {"affinity", ps_affinity, 0, 0},
    {"tolerations", ps_tolerations, 0, 0},
    {"hostAliases", NULL, 0, 0},
    {"priorityClassName", ps_priority_class, 0, 0},
    {"dnsConfig", NULL, 0, 0},
    {"readinessGates", NULL, 0, 0},
    {"runtimeClassName", NULL, 0, 0},
    {"enableServiceLinks", NULL, 0, 0},
    {"preemptionPolicy", ps_preemption_policy, 0, 0},
    {"topologySpreadConstraints", ps_spread, 0, 0},
    {"setHostnameAsFQDN", NULL, 0, 0},
    {"os", NULL, 0, 0},
    {"hostUsers", NULL, 0, 0},
    {"schedulingGates", NULL, 0, 0},
    {"resourceClaims", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void pod_spec_init(ks_pod_spec *s)
{
    memset(s, 0, sizeof *s);
    /* pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: 30 s grace period. */
    s->termination_grace_ns = KS_DEFAULT_TERMINATION_GRACE;
}

static void set_image_sizes(ks_container *k, size_t n, const meta_build *m)
{
    for (size_t i = 0; i < n; i++) {
        k[i].image_bytes = m->image_set ? m->image_bytes : 0;
        for (size_t j = 0; j < m->nsizes; j++)
            if (strcmp(m->sizes[j].container, k[i].name) == 0) k[i].image_bytes = m->sizes[j].bytes;
    }
}

/* Completes a pod spec once its document (or template) is walked: namespace, labels from the
 * metadata, defaults, image sizes from the annotations, and the derived requests. */
static void pod_spec_finish(ctx *c, ks_pod_spec *s, meta_build *m, const char *ns, const char *meta_path)
{
    s->namespace = dup(ns);
    s->labels = m->labels;
    m->labels = (ks_labels){0};
    m->cap_labels = 0;
    /* pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: schedulerName "default-scheduler". A
     * pod that needs scheduling must find that profile too (upstream it would stay Pending,
     * picked by no scheduler: almost always a forgotten profile). */
    if (!s->scheduler_name) {
        s->scheduler_name = dup("default-scheduler");
        if ((!s->node_name || !*s->node_name) && m->node) {
            size_t mark = path_push(c, "spec.schedulerName (defaulted)");
            defer_scheduler_check_name(c, m->node, s->scheduler_name);
            path_pop(c, mark);
        }
    }
    if (!s->node_name) s->node_name = dup("");
    for (size_t j = 0; j < m->nsizes; j++) {
        if (container_name_taken(s, m->sizes[j].container)) continue;
        size_t mark = path_push(c, meta_path);
        path_push(c, "annotations");
        err_at(c, m->sizes[j].key, "expected \"%s.<container name>\" naming a container of this pod, got \"%.60s\"",
               IMAGE_SIZE_ANNOTATION, m->sizes[j].key->text);
        path_pop(c, mark);
    }
    set_image_sizes(s->containers, s->ncontainers, m);
    set_image_sizes(s->init_containers, s->ninit, m);
    s->runs_forever = !m->run_set;
    if (m->run_set) {
        s->run_for = m->run_for;
        m->run_for = (ks_dist){0};
        m->run_set = false;
    }
    s->exit_code = m->exit_code;
    if (m->gpu_milli || m->gpu_count) { /* GPU sharing annotations */
        s->gpu_milli = m->gpu_milli ? m->gpu_milli : 1000;
        s->gpu_count = m->gpu_count ? m->gpu_count : 1;
        if (s->gpu_milli < 1000 && s->gpu_count > 1) {
            size_t mark = path_push(c, meta_path);
            path_push(c, "annotations");
            err_at(c, m->gpu_count_n, "%s: a pod sharing a GPU (%s %d) asks one GPU, got %d", GPU_COUNT_ANNOTATION,
                   GPU_MILLI_ANNOTATION, s->gpu_milli, s->gpu_count);
            path_pop(c, mark);
        }
    }
    s->max_per_node = m->max_per_node;
    if (m->max_per_node && !ks_labels_get(&s->labels, KS_APP_LABEL)) { /* the cap counts the pods of the app */
        size_t mark = path_push(c, meta_path);
        path_push(c, "annotations." KS_MAX_PER_NODE_ANNOTATION);
        err_at(c, m->max_per_node_at, "needs the label \"%s\" (the pods it counts are those with the same value)", KS_APP_LABEL);
        path_pop(c, mark);
    }
    s->ready_after = m->ready_set ? m->ready_after : ks_dist_constant(0);
    if (m->ready_set) {
        m->ready_after = (ks_dist){0};
        m->ready_set = false;
    }
    ks_pod_spec_finalize(s);
}

/* ---------------------------------------------------------------------------------------------
 * Pod
 * ------------------------------------------------------------------------------------------- */

typedef struct pod_doc_build {
    meta_build meta;
    pod_build pb;
} pod_doc_build;

static void pod_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((pod_doc_build *)obj)->meta);
}

static void pod_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, podspec_fields, &((pod_doc_build *)obj)->pb);
}

static const field pod_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", pod_metadata, F_REQUIRED, 0},
    {"spec", pod_spec, F_REQUIRED, 0},
    {"status", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void load_pod(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    ks_pod_spec spec;
    pod_spec_init(&spec);
    pod_doc_build b = {.pb = {.s = &spec}};
    walk_map(c, root, pod_fields, &b);
    bool named = require_name(c, &b.meta);
    const char *ns = b.meta.ns ? b.meta.ns->text : "default";
    pod_spec_finish(c, &spec, &b.meta, ns, "metadata");
    if (named) register_object(c, "Pod", ns, b.meta.name, 0);
    if (L->nerrors == errors) {
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->pods, &L->cap_pods, cfg->npods + 1, sizeof *cfg->pods);
        cfg->pods[cfg->npods++] = (ks_pod_doc){dup(b.meta.name->text), spec, 0};
    } else {
        ks_pod_spec_free(&spec);
    }
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * Deployment
 * ------------------------------------------------------------------------------------------- */

typedef struct dep_build {
    ks_deployment_spec d;
    meta_build meta, tmeta;
    pod_build pb;
    const ks_ynode *template_n;
    size_t cap_selector;
    bool selector_ok;
} dep_build;

static void sel_match_labels(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    dep_build *b = obj;
    int errors = c->L->nerrors;
    parse_labels(c, v, &b->d.selector, &b->cap_selector);
    if (v->kind == KS_YMAPPING && ks_ymap_size(v) == 0) expect(c, v, "at least one label");
    b->selector_ok = c->L->nerrors == errors;
}

/* LabelSelector. matchExpressions are not evaluated yet: the ReplicaSet controller model selects
 * its pods by matchLabels. */
static const field selector_fields[] = {
    {"matchLabels", sel_match_labels, F_REQUIRED, 0},
    {"matchExpressions", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void tpl_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((dep_build *)obj)->tmeta);
}

static void tpl_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, podspec_fields, &((dep_build *)obj)->pb);
}

/* PodTemplateSpec. */
static const field template_fields[] = {
    {"metadata", tpl_metadata, 0, 0},
    {"spec", tpl_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void dep_replicas(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x)) ((dep_build *)obj)->d.replicas = (int32_t)x;
}

static void dep_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, selector_fields, obj);
}

static void dep_template(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((dep_build *)obj)->template_n = v;
    walk_map(c, v, template_fields, obj);
}

/* maxSurge / maxUnavailable: an integer, or a percentage written as a string ("25%"). */
static void int_or_percent(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_int_or_percent *out = (ks_int_or_percent *)((char *)obj + arg);
    int64_t x;
    if (v->kind == KS_YSCALAR && ks_yscalar_resolve(v) == KS_YS_INT) {
        if (get_int(c, v, 0, INT32_MAX, "a non-negative integer or a percentage such as \"25%\"", &x))
            *out = (ks_int_or_percent){(int32_t)x, false};
        return;
    }
    const char *s = v->kind == KS_YSCALAR && ks_yscalar_resolve(v) == KS_YS_STR ? v->text : "";
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || digits > 9 || strcmp(s + digits, "%") != 0) {
        expect(c, v, "a non-negative integer or a percentage such as \"25%\"");
        return;
    }
    *out = (ks_int_or_percent){(int32_t)atoi(s), true};
}

static const field rolling_update_fields[] = {
    {"maxSurge", int_or_percent, 0, (int)offsetof(ks_deployment_spec, max_surge)},
    {"maxUnavailable", int_or_percent, 0, (int)offsetof(ks_deployment_spec, max_unavailable)},
    {NULL, NULL, 0, 0},
};

static void strategy_type(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"RollingUpdate", "Recreate", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((ks_deployment_spec *)obj)->strategy = (ks_deploy_strategy)i;
}

static void strategy_rolling(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, rolling_update_fields, obj);
}

static const field strategy_fields[] = {
    {"type", strategy_type, 0, 0},
    {"rollingUpdate", strategy_rolling, 0, 0},
    {NULL, NULL, 0, 0},
};

static void dep_strategy(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_deployment_spec *d = &((dep_build *)obj)->d;
    walk_map(c, v, strategy_fields, d);
    /* pkg/apis/apps/validation: both may not be 0; Recreate takes no rollingUpdate. */
    const ks_ynode *ru = ks_ymap_get(v, "rollingUpdate");
    if (d->strategy == KS_STRATEGY_RECREATE && ru && !ks_ynode_is_null(ru)) {
        size_t mark = path_push(c, "rollingUpdate");
        err_at(c, ru, "may not be specified when strategy `type` is 'Recreate'");
        path_pop(c, mark);
    } else if (d->max_surge.value == 0 && d->max_unavailable.value == 0) {
        size_t mark = path_push(c, "rollingUpdate.maxUnavailable");
        err_at(c, ru ? ru : v, "may not be 0 when `maxSurge` is 0");
        path_pop(c, mark);
    }
}

static void dep_min_ready(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x)) ((dep_build *)obj)->d.min_ready_s = (int32_t)x;
}

static void dep_int_field(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    int64_t x;
    if (get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x))
        *(int32_t *)((char *)&((dep_build *)obj)->d + arg) = (int32_t)x;
}

static void dep_paused(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)obj, (void)arg;
    bool p;
    if (get_bool(c, v, &p)) note_ignored(c);
}

/* DeploymentSpec (k8s.io/api/apps/v1/types.go). */
static const field depspec_fields[] = {
    {"replicas", dep_replicas, 0, 0},
    {"selector", dep_selector, F_REQUIRED, 0},
    {"template", dep_template, F_REQUIRED, 0},
    {"strategy", dep_strategy, 0, 0},
    {"minReadySeconds", dep_min_ready, 0, 0},
    {"revisionHistoryLimit", dep_int_field, 0, (int)offsetof(ks_deployment_spec, revision_history_limit)},
    {"progressDeadlineSeconds", dep_int_field, 0, (int)offsetof(ks_deployment_spec, progress_deadline_s)},
    {"paused", dep_paused, 0, 0},
    {NULL, NULL, 0, 0},
};

static void dep_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((dep_build *)obj)->meta);
}

static void dep_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, depspec_fields, obj);
}

static const field deployment_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", dep_metadata, F_REQUIRED, 0},
    {"spec", dep_spec, F_REQUIRED, 0},
    {"status", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

/* FNV-1a, 32 bits, as upstream's pod-template-hash (pkg/controller/controller_utils.go
 * ComputeHash uses hash/fnv New32a). */
static uint32_t fnv_bytes(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Hashes a canonical rendering of the tree rather than its source text, so that comments,
 * indentation and flow-vs-block style do not change the hash. Kinds and quoting are part of it:
 * "3" and 3 are different values to the API. */
static uint32_t fnv_node(uint32_t h, const ks_ynode *n)
{
    unsigned char tag[2] = {(unsigned char)n->kind, (unsigned char)(n->kind == KS_YSCALAR && n->quoted)};
    h = fnv_bytes(h, tag, sizeof tag);
    if (n->kind == KS_YSCALAR) return fnv_bytes(h, n->text, strlen(n->text) + 1);
    for (size_t i = 0; i < n->nkids; i++) h = fnv_node(h, n->kids[i]);
    return fnv_bytes(h, "\xff", 1);
}

/* Upstream renders the hash in decimal and maps each character through rand.SafeEncodeString's
 * alphabet (k8s.io/apimachinery/pkg/util/rand/rand.go), which has no vowels, so that no word is
 * ever spelled. Zero-padding to 10 digits gives every hash the same length (upstream does not
 * pad; its hashes are 6 to 10 characters, mostly 10). */
static char *template_hash(const ks_ynode *tpl)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    char digits[16];
    snprintf(digits, sizeof digits, "%010" PRIu32, fnv_node(2166136261u, tpl));
    char *out = ks_malloc(cfg_mem(), 11);
    for (int i = 0; i < 10; i++) out[i] = alphabet[(unsigned char)digits[i] % (sizeof alphabet - 1)];
    out[10] = 0;
    return out;
}

/* pkg/apis/apps/validation/validation.go ValidateDeploymentSpec: the selector must select the
 * template's labels ("`selector` does not match template `labels`"). */
static void check_selector(ctx *c, dep_build *b, const char *labels_path)
{
    const ks_labels *sel = &b->d.selector, *tl = &b->d.template.labels;
    for (size_t i = 0; i < sel->n; i++) {
        const char *have = ks_labels_get(tl, sel->items[i].key);
        if (have && strcmp(have, sel->items[i].value) == 0) continue;
        const ks_ynode *at = b->tmeta.labels_node ? b->tmeta.labels_node : b->tmeta.node ? b->tmeta.node : b->template_n;
        size_t mark = path_push(c, labels_path);
        err_at(c, at, "selector does not match template labels: the selector needs %s=%s", sel->items[i].key,
               sel->items[i].value);
        path_pop(c, mark);
        return;
    }
}

static void load_deployment(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    /* pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: 1 replica, RollingUpdate 25% / 25%. */
    dep_build b = {.d = {.replicas = 1, .strategy = KS_STRATEGY_ROLLING_UPDATE, .max_surge = {25, true},
                         .max_unavailable = {25, true}, .progress_deadline_s = 600, .revision_history_limit = 10}};
    pod_spec_init(&b.d.template);
    b.pb.s = &b.d.template;
    walk_map(c, root, deployment_fields, &b);
    bool named = require_name(c, &b.meta);
    const char *ns = b.meta.ns ? b.meta.ns->text : "default";
    pod_spec_finish(c, &b.d.template, &b.tmeta, ns, "spec.template.metadata");
    if (b.selector_ok && b.template_n) check_selector(c, &b, "spec.template.metadata.labels");
    /* pkg/apis/apps/validation/validation.go ValidatePodTemplateSpecForReplicaSet: only
     * restartPolicy Always is allowed in a Deployment's template. */
    if (b.d.template.restart_policy != KS_RESTART_ALWAYS) {
        const ks_ynode *at = ks_ymap_get(ks_ymap_get(b.template_n, "spec"), "restartPolicy");
        size_t mark = path_push(c, "spec.template.spec.restartPolicy");
        err_at(c, at ? at : b.template_n, "Unsupported value: supported values: \"Always\"");
        path_pop(c, mark);
    }
    if (named) register_object(c, "Deployment", ns, b.meta.name, 0);
    if (L->nerrors == errors) {
        b.d.name = dup(b.meta.name->text);
        b.d.namespace = dup(ns);
        b.d.template_hash = template_hash(b.template_n);
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->deployments, &L->cap_deps, cfg->ndeployments + 1, sizeof *cfg->deployments);
        cfg->deployments[cfg->ndeployments++] = b.d;
    } else {
        ks_deployment_spec_free(&b.d);
    }
    meta_free(&b.meta);
    meta_free(&b.tmeta);
}

/* ---------------------------------------------------------------------------------------------
 * Job
 * ------------------------------------------------------------------------------------------- */

typedef struct job_build {
    ks_job_spec j;
    meta_build meta, tmeta;
    pod_build pb;
    const ks_ynode *template_n, *completions_n, *mode_n;
    bool parallelism_set, completions_set;
} job_build;

static void job_tpl_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((job_build *)obj)->tmeta);
}

static void job_tpl_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, podspec_fields, &((job_build *)obj)->pb);
}

static const field job_template_fields[] = {
    {"metadata", job_tpl_metadata, 0, 0},
    {"spec", job_tpl_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void job_template(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((job_build *)obj)->template_n = v;
    walk_map(c, v, job_template_fields, obj);
}

/* parallelism, completions, backoffLimit: non-negative int32 (pkg/apis/batch/validation
 * ValidateJobSpec: ValidateNonnegativeField). */
static void job_count(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    job_build *b = obj;
    int64_t x;
    if (!get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x)) return;
    *(int32_t *)((char *)&b->j + arg) = (int32_t)x;
    if (arg == (int)offsetof(ks_job_spec, parallelism)) b->parallelism_set = true;
    if (arg == (int)offsetof(ks_job_spec, completions)) {
        b->completions_set = true;
        b->completions_n = v;
    }
}

/* activeDeadlineSeconds must be positive; ttlSecondsAfterFinished non-negative (same file). */
static void job_seconds(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    job_build *b = obj;
    int64_t x;
    bool ttl = arg == (int)offsetof(ks_job_spec, ttl_after_finished_s);
    if (get_int(c, v, ttl ? 0 : 1, INT32_MAX, ttl ? "a non-negative integer" : "a positive integer", &x))
        *(int64_t *)((char *)&b->j + arg) = x;
}

static void job_mode(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"NonIndexed", "Indexed", NULL};
    job_build *b = obj;
    int i = get_enum(c, v, names);
    if (i >= 0) b->j.completion_mode = (ks_completion_mode)i;
    b->mode_n = v;
}

static void job_suspend(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    bool s;
    if (get_bool(c, v, &s)) ((job_build *)obj)->j.suspend = s;
}

/* JobSpec (k8s.io/api/batch/v1/types.go, v1.31). The failure and success policies, per-index
 * back-off, pod replacement policy, managedBy and a manual selector change nothing here: they
 * are listed as ignored. */
static const field jobspec_fields[] = {
    {"parallelism", job_count, 0, (int)offsetof(ks_job_spec, parallelism)},
    {"completions", job_count, 0, (int)offsetof(ks_job_spec, completions)},
    {"backoffLimit", job_count, 0, (int)offsetof(ks_job_spec, backoff_limit)},
    {"activeDeadlineSeconds", job_seconds, 0, (int)offsetof(ks_job_spec, active_deadline_s)},
    {"ttlSecondsAfterFinished", job_seconds, 0, (int)offsetof(ks_job_spec, ttl_after_finished_s)},
    {"completionMode", job_mode, 0, 0},
    {"suspend", job_suspend, 0, 0},
    {"template", job_template, F_REQUIRED, 0},
    {"selector", NULL, 0, 0},
    {"manualSelector", NULL, 0, 0},
    {"podFailurePolicy", NULL, 0, 0},
    {"successPolicy", NULL, 0, 0},
    {"backoffLimitPerIndex", NULL, 0, 0},
    {"maxFailedIndexes", NULL, 0, 0},
    {"podReplacementPolicy", NULL, 0, 0},
    {"managedBy", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void job_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((job_build *)obj)->meta);
}

static void job_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, jobspec_fields, obj);
}

static const field job_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", job_metadata, F_REQUIRED, 0},
    {"spec", job_spec, F_REQUIRED, 0},
    {"status", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

/* pkg/registry/batch/job/strategy.go generateSelector: unless the user set them, the template
 * gets the labels job-name and batch.kubernetes.io/job-name (the Job's name) and controller-uid
 * and batch.kubernetes.io/controller-uid (its UID), so that selectors such as a pod
 * anti-affinity on job-name see the Job's pods as upstream's do (models/spec.c, shared with the
 * Jobs a Workload creates during the run). */
static void add_job_labels(ks_job_spec *j) { ks_job_spec_add_labels(j); }

static void load_job(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    /* pkg/apis/batch/v1/defaults.go SetDefaults_Job: backoffLimit 6, NonIndexed; parallelism and
     * completions below. */
    job_build b = {.j = {.parallelism = 1, .completions = -1, .backoff_limit = 6, .active_deadline_s = -1,
                         .ttl_after_finished_s = -1}};
    pod_spec_init(&b.j.template);
    b.pb.s = &b.j.template;
    walk_map(c, root, job_fields, &b);
    bool named = require_name(c, &b.meta);
    const char *ns = b.meta.ns ? b.meta.ns->text : "default";
    pod_spec_finish(c, &b.j.template, &b.tmeta, ns, "spec.template.metadata");
    /* SetDefaults_Job: both unset -> completions = parallelism = 1; only parallelism set ->
     * completions stays unset (a work queue). */
    if (!b.completions_set && !b.parallelism_set) b.j.completions = 1;
    /* pkg/apis/batch/validation/validation.go validateJobSpec: an Indexed Job needs completions. */
    if (b.j.completion_mode == KS_COMPLETION_INDEXED && !b.completions_set) {
        size_t mark = path_push(c, "spec.completions");
        err_at(c, b.mode_n, "Required value: when completion mode is Indexed");
        path_pop(c, mark);
    }
    /* ValidateJobTemplateSpec: restartPolicy must be OnFailure or Never (the pod default, Always,
     * is rejected too). */
    if (b.template_n && b.j.template.restart_policy == KS_RESTART_ALWAYS) {
        const ks_ynode *at = ks_ymap_get(ks_ymap_get(b.template_n, "spec"), "restartPolicy");
        size_t mark = path_push(c, "spec.template.spec.restartPolicy");
        err_at(c, at ? at : b.template_n, "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
        path_pop(c, mark);
    }
    if (named) register_object(c, "Job", ns, b.meta.name, 0);
    if (L->nerrors == errors) {
        b.j.name = dup(b.meta.name->text);
        b.j.namespace = dup(ns);
        add_job_labels(&b.j);
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->jobs, &L->cap_jobs, cfg->njobs + 1, sizeof *cfg->jobs);
        cfg->jobs[cfg->njobs++] = b.j;
    } else {
        ks_job_spec_free(&b.j);
    }
    meta_free(&b.meta);
    meta_free(&b.tmeta);
}

/* ---------------------------------------------------------------------------------------------
 * Node and NodePool
 * ------------------------------------------------------------------------------------------- */

typedef struct node_build {
    ks_node_spec n;
    meta_build meta;
    res_list alloc, capacity;
    const ks_ynode *status_n;
    size_t cap_taints, cap_images;
} node_build;

typedef struct taint_build {
    ks_taint t;
    const ks_ynode *key_n;
    bool effect_set;
} taint_build;

static void taint_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_qualified_name(s)) {
        expect_text(c, v, WANT_KEY);
        return;
    }
    if (!s) return;
    ((taint_build *)obj)->t.key = dup(s);
    ((taint_build *)obj)->key_n = v;
}

static void taint_value(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_label_value(s)) {
        expect_text(c, v, WANT_LABEL_VALUE);
        return;
    }
    if (!s) return;
    ks_free(((taint_build *)obj)->t.value);
    ((taint_build *)obj)->t.value = dup(s);
}

static void taint_effect(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
    static const ks_taint_effect effects[] = {KS_NO_SCHEDULE, KS_PREFER_NO_SCHEDULE, KS_NO_EXECUTE};
    int i = get_enum(c, v, names);
    if (i < 0) return;
    ((taint_build *)obj)->t.effect = effects[i];
    ((taint_build *)obj)->effect_set = true;
}

/* Taint (k8s.io/api/core/v1/types.go). */
static const field taint_fields[] = {
    {"key", taint_key, F_REQUIRED, 0},
    {"value", taint_value, 0, 0},
    {"effect", taint_effect, F_REQUIRED, 0},
    {"timeAdded", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_taint(ctx *c, const ks_ynode *item, void *obj)
{
    node_build *nb = obj;
    taint_build b = {0};
    walk_map(c, item, taint_fields, &b);
    if (!b.t.value) b.t.value = dup("");
    bool ok = b.t.key && b.effect_set;
    for (size_t i = 0; ok && i < nb->n.ntaints; i++) {
        if (strcmp(nb->n.taints[i].key, b.t.key) != 0 || nb->n.taints[i].effect != b.t.effect) continue;
        /* pkg/apis/core/validation/validation.go validateNodeTaints. */
        size_t mark = path_push(c, "key");
        err_at(c, b.key_n, "duplicate taint: taints must be unique by key and effect (\"%s\")", b.t.key);
        path_pop(c, mark);
        ok = false;
    }
    if (!ok) {
        ks_free(b.t.key);
        ks_free(b.t.value);
        return;
    }
    ks_grow(cfg_mem(), (void **)&nb->n.taints, &nb->cap_taints, nb->n.ntaints + 1, sizeof *nb->n.taints);
    nb->n.taints[nb->n.ntaints++] = b.t;
}

static void ns_unschedulable(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_bool(c, v, &((node_build *)obj)->n.unschedulable);
}

static void ns_taints(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_taint, obj);
}

/* NodeSpec. */
static const field nodespec_fields[] = {
    {"unschedulable", ns_unschedulable, 0, 0},
    {"taints", ns_taints, 0, 0},
    {"podCIDR", NULL, 0, 0},
    {"podCIDRs", NULL, 0, 0},
    {"providerID", NULL, 0, 0},
    {"configSource", NULL, 0, 0},
    {"externalID", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

typedef struct image_build {
    const ks_ynode *names;
    int64_t bytes;
} image_build;

static void img_names(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list of image names");
        return;
    }
    bool ok = true;
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        ok = get_nonempty_str(c, v->kids[i]) && ok;
        path_pop(c, mark);
    }
    if (ok) ((image_build *)obj)->names = v;
}

static void img_size(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, INT64_MAX, "a non-negative integer", &((image_build *)obj)->bytes);
}

/* ContainerImage. */
static const field image_fields[] = {
    {"names", img_names, 0, 0},
    {"sizeBytes", img_size, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_image(ctx *c, const ks_ynode *item, void *obj)
{
    node_build *nb = obj;
    image_build b = {0};
    walk_map(c, item, image_fields, &b);
    for (size_t i = 0; b.names && i < b.names->nkids; i++) {
        char ref[1024];
        ks_image_ref(b.names->kids[i]->text, ref, sizeof ref);
        ks_grow(cfg_mem(), (void **)&nb->n.images, &nb->cap_images, nb->n.nimages + 1, sizeof *nb->n.images);
        nb->n.images[nb->n.nimages++] = (ks_image){dup(ref), b.bytes};
    }
}

static void st_resources(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    node_build *nb = obj;
    parse_resources(c, v, arg ? &nb->alloc : &nb->capacity, true);
}

static void st_images(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_image, obj);
}

/* NodeStatus. */
static const field nodestatus_fields[] = {
    {"capacity", st_resources, 0, 0},
    {"allocatable", st_resources, 0, 1},
    {"images", st_images, 0, 0},
    {"phase", NULL, 0, 0},
    {"conditions", NULL, 0, 0},
    {"addresses", NULL, 0, 0},
    {"daemonEndpoints", NULL, 0, 0},
    {"nodeInfo", NULL, 0, 0},
    {"volumesInUse", NULL, 0, 0},
    {"volumesAttached", NULL, 0, 0},
    {"config", NULL, 0, 0},
    {"runtimeHandlers", NULL, 0, 0},
    {"features", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void node_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((node_build *)obj)->meta);
}

static void node_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, nodespec_fields, obj);
}

static void node_status(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((node_build *)obj)->status_n = v;
    walk_map(c, v, nodestatus_fields, obj);
}

static const field node_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", node_metadata, F_REQUIRED, 0},
    {"spec", node_spec, 0, 0},
    {"status", node_status, 0, 0},
    {NULL, NULL, 0, 0},
};

/* A NodePool's template is a Node without apiVersion and kind. */
static const field node_template_fields[] = {
    {"metadata", node_metadata, 0, 0},
    {"spec", node_spec, 0, 0},
    {"status", node_status, 0, 0},
    {NULL, NULL, 0, 0},
};

/* kubelet's default maxPods (pkg/kubelet/apis/config/v1beta1/defaults.go), which is what a
 * node's allocatable pods is unless the kubelet is configured otherwise. */
#define KS_DEFAULT_MAX_PODS 110

/* Fills the node's resources (allocatable, or capacity when allocatable is absent, as a kubelet
 * without reservations reports), labels and zone. PREFIX is the path of the Node object. AT is
 * where to report when there is no status at all. */
static void node_finish(ctx *c, node_build *nb, const char *prefix, const ks_ynode *at)
{
    const res_list *r = nb->alloc.node ? &nb->alloc : &nb->capacity;
    bool written = r->node && ks_ymap_get(r->node, "cpu") && ks_ymap_get(r->node, "memory");
    if (!written) {
        size_t mark = path_push(c, prefix);
        path_push(c, "status.allocatable");
        err_at(c, r->node ? r->node : nb->status_n ? nb->status_n : at, "expected allocatable cpu and memory");
        path_pop(c, mark);
    }
    nb->n.cpu_milli = r->v[R_CPU];
    nb->n.mem_bytes = r->v[R_MEM];
    nb->n.eph_bytes = r->v[R_EPH];
    nb->n.pods = r->set[R_PODS] ? r->v[R_PODS] : KS_DEFAULT_MAX_PODS;
    for (int i = 0; i < r->next; i++) nb->n.ext[i] = (ks_ext){dup(r->ext_name[i]), r->ext_value[i]};
    nb->n.next = (uint8_t)r->next;
    nb->n.labels = nb->meta.labels;
    nb->meta.labels = (ks_labels){0};
    const char *zone = ks_labels_get(&nb->n.labels, "topology.kubernetes.io/zone");
    nb->n.zone = dup(zone ? zone : "");
}

static void load_node(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    node_build nb = {0};
    walk_map(c, root, node_fields, &nb);
    bool named = require_name(c, &nb.meta);
    node_finish(c, &nb, "", root);
    if (named) register_object(c, "Node", "", nb.meta.name, 0);
    if (L->nerrors == errors) {
        nb.n.name = dup(nb.meta.name->text);
        nb.n.pool = dup("");
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->nodes, &L->cap_nodes, cfg->nnodes + 1, sizeof *cfg->nodes);
        cfg->nodes[cfg->nnodes++] = nb.n;
    } else {
        ks_node_spec_free(&nb.n);
    }
    meta_free(&nb.meta);
}

typedef struct pool_build {
    ks_node_pool p;
    meta_build meta; /* the pool's own metadata; the template's is nb.meta */
    node_build nb;
    const ks_ynode *zones_n, *template_n;
    size_t cap_zones;
} pool_build;

static void pool_count(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, INT32_MAX, "a non-negative integer", &((pool_build *)obj)->p.count);
}

static void pool_zone(ctx *c, const ks_ynode *item, void *obj)
{
    pool_build *b = obj;
    const char *s = get_nonempty_str(c, item);
    if (s && !is_label_value(s)) {
        expect_text(c, item, WANT_LABEL_VALUE);
        return;
    }
    if (!s) return;
    for (size_t i = 0; i < b->p.nzones; i++) {
        if (strcmp(b->p.zones[i], s) == 0) {
            err_at(c, item, "duplicate zone \"%s\"", s);
            return;
        }
    }
    ks_grow(cfg_mem(), (void **)&b->p.zones, &b->cap_zones, b->p.nzones + 1, sizeof *b->p.zones);
    b->p.zones[b->p.nzones++] = dup(s);
}

static void pool_zones(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((pool_build *)obj)->zones_n = v;
    walk_seq(c, v, pool_zone, obj);
}

static void pool_template(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((pool_build *)obj)->template_n = v;
    walk_map(c, v, node_template_fields, &((pool_build *)obj)->nb);
}

static const field poolspec_fields[] = {
    {"count", pool_count, F_REQUIRED, 0},
    {"zones", pool_zones, 0, 0},
    {"template", pool_template, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void pool_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((pool_build *)obj)->meta);
}

static void pool_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, poolspec_fields, obj);
}

static const field pool_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", pool_metadata, F_REQUIRED, 0},
    {"spec", pool_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

/* Node names are "<pool>-<index>", which must stay valid DNS subdomains. */
static void check_pool_name(ctx *c, const pool_build *b)
{
    char last[300];
    snprintf(last, sizeof last, "%s-%" PRId64, b->meta.name->text, b->p.count > 0 ? b->p.count - 1 : 0);
    if (is_dns_subdomain(last)) return;
    size_t mark = path_push(c, "metadata.name");
    expect_text(c, b->meta.name, "a name short enough for the node names \"<name>-<index>\" (253 characters)");
    path_pop(c, mark);
}

static void pool_build_free(pool_build *b)
{
    ks_node_spec_free(&b->nb.n);
    for (size_t i = 0; i < b->p.nzones; i++) ks_free(b->p.zones[i]);
    ks_free(b->p.zones);
}

static void load_pool(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    pool_build b = {0};
    walk_map(c, root, pool_fields, &b);
    bool named = require_name(c, &b.meta);
    if (b.template_n) node_finish(c, &b.nb, "spec.template", b.template_n);
    if (b.p.nzones && b.nb.n.zone && *b.nb.n.zone) {
        size_t mark = path_push(c, "spec.zones");
        err_at(c, b.zones_n, "set either spec.zones or the template label topology.kubernetes.io/zone, not both");
        path_pop(c, mark);
    }
    if (named) {
        check_pool_name(c, &b);
        register_object(c, "NodePool", "", b.meta.name, b.p.count);
    }
    if (L->nerrors == errors) {
        b.p.name = dup(b.meta.name->text);
        b.p.template = b.nb.n;
        b.p.template.name = dup(""); /* set per node by the models */
        b.p.template.pool = dup(b.p.name);
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->pools, &L->cap_pools, cfg->npools + 1, sizeof *cfg->pools);
        cfg->pools[cfg->npools++] = b.p;
    } else {
        pool_build_free(&b);
    }
    meta_free(&b.meta);
    meta_free(&b.nb.meta);
}

/* ---------------------------------------------------------------------------------------------
 * Experiment
 * ------------------------------------------------------------------------------------------- */

typedef struct exp_build {
    ks_experiment e;
    meta_build meta;
} exp_build;

static void exp_duration(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_positive_duration(c, v, &((exp_build *)obj)->e.duration);
}

static void exp_seed(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_uint64(c, v, "a non-negative integer", &((exp_build *)obj)->e.seed);
}

static void exp_output(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    exp_build *b = obj;
    if (!get_nonempty_str(c, v)) return;
    ks_free(b->e.output);
    b->e.output = dup(v->text);
}

static void exp_sample_interval(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_positive_duration(c, v, &((exp_build *)obj)->e.sample_interval);
}

static void exp_threads(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x)) ((exp_build *)obj)->e.threads = (int)x;
}

static const field expspec_fields[] = {
    {"duration", exp_duration, 0, 0},
    {"seed", exp_seed, 0, 0},
    {"output", exp_output, 0, 0},
    {"sampleInterval", exp_sample_interval, 0, 0},
    {"threads", exp_threads, 0, 0},
    {NULL, NULL, 0, 0},
};

static void exp_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((exp_build *)obj)->meta);
}

static void exp_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, expspec_fields, obj);
}

static const field experiment_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", exp_metadata, F_REQUIRED, 0},
    {"spec", exp_spec, 0, 0},
    {NULL, NULL, 0, 0},
};

/* kubesim's own defaults, documented in config.h: a 30 minute run sampled every 10 s. */
static ks_experiment experiment_defaults(void)
{
    return (ks_experiment){.duration = KS_MIN(30), .seed = 1, .sample_interval = KS_SEC(10), .threads = 0};
}

static void load_experiment(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    if (!claim_singleton(c, &L->experiment, root)) return;
    exp_build b = {.e = experiment_defaults()};
    walk_map(c, root, experiment_fields, &b);
    require_name(c, &b.meta);
    if (L->nerrors == errors) {
        b.e.name = dup(b.meta.name->text);
        L->cfg->experiment = b.e;
        L->cfg->has_experiment = true;
    } else {
        ks_free(b.e.output);
    }
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * ControlPlane: distributions
 * ------------------------------------------------------------------------------------------- */

typedef enum dist_unit { U_DURATION, U_BYTES } dist_unit;

typedef struct dist_form {
    const char *name;
    ks_dist_kind kind;
    const char *params[2];
} dist_form;

static const dist_form dist_forms[] = {
    {"constant", KS_DIST_CONSTANT, {NULL, NULL}},
    {"uniform", KS_DIST_UNIFORM, {"low", "high"}},
    {"exponential", KS_DIST_EXPONENTIAL, {"mean", NULL}},
    {"normal", KS_DIST_NORMAL, {"mean", "stddev"}},
    {"lognormal", KS_DIST_LOGNORMAL, {"median", "p99"}},
    {"empirical", KS_DIST_EMPIRICAL, {NULL, NULL}},
};
#define DIST_FORMS "constant, uniform, exponential, normal, lognormal or empirical"

/* One value of a distribution: a non-negative duration in nanoseconds, or a quantity of bytes. */
static bool dist_value(ctx *c, const ks_ynode *v, dist_unit u, double *out)
{
    int64_t x;
    if (u == U_BYTES) {
        if (!get_quantity(c, v, false, &x)) return false;
    } else {
        if (!get_duration(c, v, &x)) return false;
        if (x < 0) {
            expect_text(c, v, "a non-negative duration");
            return false;
        }
    }
    *out = (double)x;
    return true;
}

static bool dist_params(ctx *c, const ks_ynode *v, const dist_form *f, dist_unit u, ks_dist *d)
{
    if (v->kind != KS_YMAPPING) {
        expect(c, v, "a mapping");
        return false;
    }
    double x[2] = {0, 0};
    bool ok = true, seen[2] = {false, false};
    for (size_t i = 0; i < ks_ymap_size(v); i++) {
        const ks_ynode *k = ks_ymap_key(v, i), *val = ks_ymap_value(v, i);
        int j = f->params[0] && strcmp(k->text, f->params[0]) == 0   ? 0
                : f->params[1] && strcmp(k->text, f->params[1]) == 0 ? 1
                                                                     : -1;
        if (j < 0) {
            err_at(c, k, "unknown field \"%.60s\"", k->text);
            ok = false;
            continue;
        }
        if (ks_ynode_is_null(val)) continue;
        size_t mark = path_push(c, k->text);
        ok = dist_value(c, val, u, &x[j]) && ok;
        seen[j] = true;
        path_pop(c, mark);
    }
    for (int j = 0; j < 2; j++) {
        if (f->params[j] && !seen[j]) {
            err_at(c, v, "missing required field \"%s\"", f->params[j]);
            ok = false;
        }
    }
    d->a = x[0];
    d->b = x[1];
    return ok;
}

static bool dist_empirical(ctx *c, const ks_ynode *v, dist_unit u, ks_dist *d)
{
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list of values");
        return false;
    }
    d->values = ks_malloc(cfg_mem(), (v->nkids ? v->nkids : 1) * sizeof *d->values);
    d->n = v->nkids;
    bool ok = true;
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        ok = dist_value(c, v->kids[i], u, &d->values[i]) && ok;
        path_pop(c, mark);
    }
    return ok;
}

/* The mapping form {<form>: parameters}; AT receives the node to report the check against. */
static bool dist_mapping(ctx *c, const ks_ynode *v, dist_unit u, ks_dist *d)
{
    if (ks_ymap_size(v) != 1) {
        err_at(c, ks_ymap_size(v) > 1 ? ks_ymap_key(v, 1) : v, "expected exactly one of %s", DIST_FORMS);
        return false;
    }
    const ks_ynode *k = ks_ymap_key(v, 0), *val = ks_ymap_value(v, 0);
    const dist_form *f = NULL;
    for (size_t i = 0; i < sizeof dist_forms / sizeof *dist_forms; i++)
        if (strcmp(dist_forms[i].name, k->text) == 0) f = &dist_forms[i];
    if (!f) {
        err_at(c, k, "expected a distribution (%s), got \"%.60s\"", DIST_FORMS, k->text);
        return false;
    }
    size_t mark = path_push(c, k->text);
    d->kind = f->kind;
    bool ok;
    if (ks_ynode_is_null(val)) {
        expect(c, val, f->kind == KS_DIST_CONSTANT ? "a value" : f->kind == KS_DIST_EMPIRICAL ? "a list of values" : "a mapping");
        ok = false;
    } else if (f->kind == KS_DIST_CONSTANT) {
        ok = dist_value(c, val, u, &d->a);
    } else if (f->kind == KS_DIST_EMPIRICAL) {
        ok = dist_empirical(c, val, u, d);
    } else {
        ok = dist_params(c, val, f, u, d);
    }
    const char *why = ok ? ks_dist_check(d) : NULL;
    if (why) {
        err_at(c, val, "invalid %s distribution: %s", f->name, why);
        ok = false;
    }
    path_pop(c, mark);
    return ok;
}

/* A distribution: a plain value (a constant) or a mapping with exactly one form. Replaces *OUT
 * only when valid, freeing what it held. */
static void parse_dist(ctx *c, const ks_ynode *v, dist_unit u, ks_dist *out)
{
    ks_dist d = {.kind = KS_DIST_CONSTANT};
    bool ok;
    if (v->kind == KS_YSCALAR) {
        ok = dist_value(c, v, u, &d.a);
    } else if (v->kind == KS_YMAPPING) {
        ok = dist_mapping(c, v, u, &d);
    } else {
        expect(c, v, u == U_BYTES ? "a quantity or a distribution (" DIST_FORMS ")"
                                  : "a duration or a distribution (" DIST_FORMS ")");
        ok = false;
    }
    if (!ok) {
        ks_dist_free(&d);
        return;
    }
    ks_dist_free(out);
    *out = d;
}

/* Moves the positions of a tree parsed from an annotation's value to where that value sits in
 * the file, so errors inside it point at the right column. */
static void shift_positions(ks_ynode *n, int line0, int col0)
{
    if (n->line == 1) n->col += col0 - 1;
    n->line += line0 - 1;
    for (size_t i = 0; i < n->nkids; i++) shift_positions(n->kids[i], line0, col0);
}

/* A distribution written in an annotation's string value (kubesim.io/run-for, ready-after). */
static void dist_annotation(ctx *c, const ks_ynode *v, const char *s, ks_dist *out, bool *set)
{
    ks_ystream ys;
    ks_yerror ye;
    int rc = ks_yaml_parse(s, strlen(s), &ys, &ye);
    if (rc != 0 || ys.ndocs != 1) {
        if (rc == 0) ks_ystream_free(&ys);
        expect_text(c, v, "a duration or a distribution such as \"{lognormal: {median: 30s, p99: 2m}}\"");
        return;
    }
    shift_positions(ys.docs[0].root, v->line, v->col + (v->quoted ? 1 : 0));
    ks_dist d = {.kind = KS_DIST_CONSTANT, .a = -1};
    parse_dist(c, ys.docs[0].root, U_DURATION, &d);
    if (d.a >= 0 || d.kind != KS_DIST_CONSTANT) {
        ks_dist_free(out);
        *out = d;
        *set = true;
    }
    ks_ystream_free(&ys);
}

static void exit_code_annotation(ctx *c, meta_build *m, const ks_ynode *v, const char *s)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (!*s || *end || errno || x < 0 || x > 255) {
        expect_text(c, v, "an exit code 0..255 as a string, e.g. \"1\"");
        return;
    }
    m->exit_code = (int32_t)x;
}

static void cp_dist(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    parse_dist(c, v, U_DURATION, (ks_dist *)((char *)obj + arg));
}

static void cp_bandwidth(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    parse_dist(c, v, U_BYTES, (ks_dist *)((char *)obj + arg));
}

static void cp_image_size(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_quantity(c, v, false, &((ks_timings *)obj)->default_image_bytes);
}

#define TIMING(f) ((int)offsetof(ks_timings, f))

/* A count of requests in flight: 0 means no limit, as for kube-apiserver's flags. */
static void cp_inflight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    get_int(c, v, 0, INT32_MAX, "a non-negative integer (0: no limit)", (int64_t *)((char *)obj + arg));
}

/* nodeLeaseDurationSeconds: a positive integer, as KubeletConfiguration validates it; 0 here
 * turns the heartbeats off (kubesim only). */
static void cp_lease_seconds(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    get_int(c, v, 0, 86400, "a number of seconds in 0..86400 (0: no heartbeats)", (int64_t *)((char *)obj + arg));
}

/* A plain duration knob (>= 0). */
static void cp_duration(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns < 0) {
        expect_text(c, v, "a duration that is not negative");
        return;
    }
    *(int64_t *)((char *)obj + arg) = ns;
}

/* A client's QPS: a positive number (client-go's rest.Config.QPS is a float32). */
static void cp_qps(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q > 0) || q > 1e9) {
        expect(c, v, "a positive number of requests per second");
        return;
    }
    ((ks_client_limits *)((char *)obj + arg))->qps = q;
}

static void cp_burst(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    get_int(c, v, 1, INT32_MAX, "a positive integer", &((ks_client_limits *)((char *)obj + arg))->burst);
}

static void cp_count(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    get_int(c, v, 0, INT32_MAX, "a non-negative integer", (int64_t *)((char *)obj + arg));
}

static const field cp_apiserver_fields[] = {
    {"writeLatency", cp_dist, 0, TIMING(api_write)},
    {"watchLatency", cp_dist, 0, TIMING(watch_delay)},
    {"maxRequestsInflight", cp_inflight, 0, TIMING(max_requests_inflight)},
    {"maxMutatingRequestsInflight", cp_inflight, 0, TIMING(max_mutating_requests_inflight)},
    {"defaultNotReadyTolerationSeconds", cp_count, 0, TIMING(default_not_ready_toleration_s)},
    {"defaultUnreachableTolerationSeconds", cp_count, 0, TIMING(default_unreachable_toleration_s)},
    {NULL, NULL, 0, 0},
};

static const field cp_kubelet_fields[] = {
    {"imagePullLatency", cp_dist, 0, TIMING(image_pull_latency)},
    {"imagePullBandwidth", cp_bandwidth, 0, TIMING(image_pull_bandwidth)},
    {"defaultImageSize", cp_image_size, 0, 0},
    {"containerCreateLatency", cp_dist, 0, TIMING(container_create)},
    {"containerStartLatency", cp_dist, 0, TIMING(container_start)},
    {"containerStopLatency", cp_dist, 0, TIMING(container_stop)},
    {"plegRelistPeriod", cp_duration, 0, TIMING(pleg_relist_period)},
    {"nodeLeaseDurationSeconds", cp_lease_seconds, 0, TIMING(node_lease_duration_s)},
    {"nodeStatusUpdateFrequency", cp_duration, 0, TIMING(node_status_update_frequency)},
    {"nodeStatusReportFrequency", cp_duration, 0, TIMING(node_status_report_frequency)},
    {"kubeAPIQPS", cp_qps, 0, TIMING(kubelet)},
    {"kubeAPIBurst", cp_burst, 0, TIMING(kubelet)},
    {NULL, NULL, 0, 0},
};

/* scheduler.tieBreak: random (upstream selectHost) or nodeOrder (the FGD artifact's patch). */
static void cp_tie_break(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    static const char *const modes[] = {"random", "nodeOrder", NULL}; /* KS_TIE_* */
    int k = get_enum(c, v, modes);
    if (k >= 0) *(int *)((char *)obj + arg) = k;
}

static const field cp_scheduler_fields[] = {
    {"tieBreak", cp_tie_break, 0, TIMING(sched_tie_break)},
    {"cycleCost", cp_dist, 0, TIMING(sched_cycle_cost)},
    {"perNodeCost", cp_dist, 0, TIMING(sched_node_cost)},
    {"perScoredNodeCost", cp_dist, 0, TIMING(sched_score_cost)},
    {"kubeAPIQPS", cp_qps, 0, TIMING(scheduler)},
    {"kubeAPIBurst", cp_burst, 0, TIMING(scheduler)},
    {NULL, NULL, 0, 0},
};

/* A rate (nodes per second): 0 or more. */
static void cp_rate(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q >= 0) || q > 1e9) {
        expect(c, v, "a non-negative number per second");
        return;
    }
    *(double *)((char *)obj + arg) = q;
}

static void cp_fraction(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q > 0) || q > 1) {
        expect(c, v, "a fraction in (0, 1]");
        return;
    }
    *(double *)((char *)obj + arg) = q;
}

/* A duration that must be positive (kube-proxy's syncPeriod; validation.go in pkg/proxy/apis/config;
 * the node monitor periods). */
static void cp_positive_duration(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns <= 0) {
        expect_text(c, v, "a positive duration");
        return;
    }
    *(int64_t *)((char *)obj + arg) = ns;
}

static const field cp_controller_manager_fields[] = {
    {"kubeAPIQPS", cp_qps, 0, TIMING(controller_manager)},
    {"kubeAPIBurst", cp_burst, 0, TIMING(controller_manager)},
    {"nodeMonitorPeriod", cp_positive_duration, 0, TIMING(node_monitor_period)},
    {"nodeMonitorGracePeriod", cp_positive_duration, 0, TIMING(node_monitor_grace_period)},
    {"nodeEvictionRate", cp_rate, 0, TIMING(node_eviction_rate)},
    {"secondaryNodeEvictionRate", cp_rate, 0, TIMING(secondary_node_eviction_rate)},
    {"largeClusterSizeThreshold", cp_count, 0, TIMING(large_cluster_size_threshold)},
    {"unhealthyZoneThreshold", cp_fraction, 0, TIMING(unhealthy_zone_threshold)},
    {NULL, NULL, 0, 0},
};

/* --max-endpoints-per-slice: 1..1000 (cmd/kube-controller-manager/app/options/
 * endpointslicecontroller.go Validate). */
static void cp_max_endpoints(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    int64_t x;
    if (get_int(c, v, 1, 1000, "an integer in 1..1000", &x)) *(int32_t *)((char *)obj + arg) = (int32_t)x;
}

static void cp_burst_syncs(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    int64_t x;
    if (get_int(c, v, 1, 1000, "an integer in 1..1000", &x)) *(int32_t *)((char *)obj + arg) = (int32_t)x;
}

#define SVC_TIMING(f) ((int)(offsetof(ks_timings, services) + offsetof(ks_service_timings, f)))

static const field cp_endpointslice_fields[] = {
    {"maxEndpointsPerSlice", cp_max_endpoints, 0, SVC_TIMING(max_endpoints_per_slice)},
    {"endpointUpdatesBatchPeriod", cp_duration, 0, SVC_TIMING(endpoint_updates_batch_period)},
    {NULL, NULL, 0, 0},
};

static const field cp_kube_proxy_fields[] = {
    {"minSyncPeriod", cp_duration, 0, SVC_TIMING(proxy_min_sync_period)},
    {"syncPeriod", cp_positive_duration, 0, SVC_TIMING(proxy_sync_period)},
    {"burstSyncs", cp_burst_syncs, 0, SVC_TIMING(proxy_burst_syncs)},
    {"syncCostBase", cp_duration, 0, SVC_TIMING(proxy_sync_cost_base)},
    {"syncCostPerService", cp_duration, 0, SVC_TIMING(proxy_sync_cost_per_service)},
    {"syncCostPerEndpoint", cp_duration, 0, SVC_TIMING(proxy_sync_cost_per_endpoint)},
    {NULL, NULL, 0, 0},
};

static void cp_section(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    static const field *const sections[] = {cp_apiserver_fields, cp_kubelet_fields, cp_scheduler_fields,
                                            cp_controller_manager_fields, cp_endpointslice_fields,
                                            cp_kube_proxy_fields};
    walk_map(c, v, sections[arg], obj);
}

static const field cpspec_fields[] = {
    {"apiserver", cp_section, 0, 0},
    {"kubelet", cp_section, 0, 1},
    {"scheduler", cp_section, 0, 2},
    {"controllerManager", cp_section, 0, 3},
    {"endpointSliceController", cp_section, 0, 4},
    {"kubeProxy", cp_section, 0, 5},
    {NULL, NULL, 0, 0},
};

typedef struct cp_build {
    ks_timings t;
    meta_build meta;
} cp_build;

static void cp_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((cp_build *)obj)->meta);
}

static void cp_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, cpspec_fields, &((cp_build *)obj)->t);
}

static const field control_plane_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", cp_metadata, F_REQUIRED, 0},
    {"spec", cp_spec, 0, 0},
    {NULL, NULL, 0, 0},
};

/* ---------------------------------------------------------------------------------------------
 * Scenario (kubesim.io/v1alpha1): a timeline of actions. This version models `scale` and
 * `update` (a container's image: a rollout); the other
 * actions of the design (failNodes, cordon, drain, …) are errors that say so.
 * ------------------------------------------------------------------------------------------- */

typedef struct action_ref {
    const char *file;
    int line, col;
    char *scenario, *path;
    int *name_lines; /* node actions: line and column of each name */
    ks_time at;      /* at_refs: the action's time */
} action_ref;

typedef struct action_build {
    ks_scenario_action a;
    const ks_ynode *deployment_n, *nodes_n, *pool_n;
    const ks_ynode **name_nodes; /* where each of a.nodes.names was written */
    size_t cap_names, cap_name_nodes;
    bool has_at, has_action, has_labels;
    const ks_ynode *at_n;
    bool creates;       /* create: the action made a Pod document (CREATED_POD) */
    int64_t created_pod; /* its index in cfg->pods, -1 if none */
    int64_t created_dep; /* or in cfg->deployments */
    int64_t created_job; /* or in cfg->jobs */
    int64_t created_svc; /* or in cfg->services */
    int64_t created_pdb; /* or in cfg->pdbs */
} action_build;

static void act_at(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns < 0) {
        expect_text(c, v, "a time that is not negative");
        return;
    }
    b->a.at = ns;
    b->has_at = true;
    b->at_n = v;
}

static void scale_deployment(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    if (!get_subdomain(c, v)) return;
    b->a.deployment = dup(v->text);
    b->deployment_n = v;
}

static void scale_namespace(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_dns_label(c, v)) ((action_build *)obj)->a.namespace = dup(v->text);
}

static void scale_replicas(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, INT32_MAX, "a non-negative integer", &x)) ((action_build *)obj)->a.replicas = (int32_t)x;
}

static void update_container(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_dns_label(c, v)) ((action_build *)obj)->a.container = dup(v->text);
}

static void update_image(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_nonempty_str(c, v);
    if (s) ((action_build *)obj)->a.image = dup(s);
}

/* update: a new image for one container of a Deployment's template (the first when `container`
 * is not given) — `kubectl set image`, which starts a rollout. */
static const field update_fields[] = {
    {"deployment", scale_deployment, F_REQUIRED, 0},
    {"namespace", scale_namespace, 0, 0},
    {"container", update_container, 0, 0},
    {"image", update_image, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void act_update(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    b->a.kind = KS_ACTION_UPDATE;
    b->has_action = true;
    walk_map(c, v, update_fields, obj);
}

static const field scale_fields[] = {
    {"deployment", scale_deployment, F_REQUIRED, 0},
    {"namespace", scale_namespace, 0, 0},
    {"replicas", scale_replicas, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void act_scale(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    b->a.kind = KS_ACTION_SCALE;
    b->has_action = true;
    walk_map(c, v, scale_fields, obj);
}


/* ---- the node actions: which nodes (ks_node_selection), and what happens to them */

static void sel_name(ctx *c, const ks_ynode *item, void *obj)
{
    action_build *b = obj;
    if (!get_subdomain(c, item)) return;
    ks_node_selection *s = &b->a.nodes;
    ks_grow(cfg_mem(), (void **)&s->names, &b->cap_names, s->nnames + 1, sizeof *s->names);
    s->names[s->nnames++] = dup(item->text);
    ks_grow(cfg_mem(), (void **)&b->name_nodes, &b->cap_name_nodes, s->nnames, sizeof *b->name_nodes);
    b->name_nodes[s->nnames - 1] = item;
}

static void sel_names(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, sel_name, obj);
}

static void sel_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_node_selection *s = &((action_build *)obj)->a.nodes;
    ks_label_selector_free(&s->selector);
    parse_label_selector(c, v, &s->selector);
}

static void sel_zone(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *z = get_nonempty_str(c, v);
    if (z) ((action_build *)obj)->a.nodes.zone = dup(z);
}

static void sel_pool(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_subdomain(c, v)) ((action_build *)obj)->a.nodes.pool = dup(v->text);
}

static void sel_count(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 1, INT32_MAX, "a positive integer", &x)) ((action_build *)obj)->a.nodes.count = x;
}

static void sel_fraction(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_NULL;
    char *end = NULL;
    double f = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!(f > 0 && f <= 1)) {
        expect_text(c, v, "a fraction in (0, 1]");
        return;
    }
    ((action_build *)obj)->a.nodes.fraction = f;
}

static void fail_mode(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"powerOff", "kubeletHang", "partition", "runtimeDown", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((action_build *)obj)->a.mode = (ks_fail_mode)i;
}

static void act_labels(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    size_t cap = 0;
    ks_labels_free(&b->a.labels);
    parse_labels(c, v, &b->a.labels, &cap);
    b->has_labels = true;
}

static void act_taint_key(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_qualified_name(s)) {
        expect_text(c, v, WANT_KEY);
        return;
    }
    if (s) ((action_build *)obj)->a.taint.key = dup(s);
}

static void act_taint_value(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_str(c, v);
    if (s && !is_label_value(s)) {
        expect_text(c, v, WANT_LABEL_VALUE);
        return;
    }
    if (s) ((action_build *)obj)->a.taint.value = dup(s);
}

static void act_taint_effect(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
    static const ks_taint_effect effects[] = {KS_NO_SCHEDULE, KS_PREFER_NO_SCHEDULE, KS_NO_EXECUTE};
    int i = get_enum(c, v, names);
    if (i < 0) return;
    ((action_build *)obj)->a.taint.effect = effects[i];
    ((action_build *)obj)->a.any_effect = false;
}

#define NODE_SELECTION_FIELDS                                                                                   \
    {"names", sel_names, 0, 0}, {"selector", sel_selector, 0, 0}, {"zone", sel_zone, 0, 0},                     \
        {"pool", sel_pool, 0, 0}, {"count", sel_count, 0, 0}, {"fraction", sel_fraction, 0, 0}

static const field fail_fields[] = {NODE_SELECTION_FIELDS, {"mode", fail_mode, 0, 0}, {NULL, NULL, 0, 0}};
static const field nodes_fields[] = {NODE_SELECTION_FIELDS, {NULL, NULL, 0, 0}};
static const field label_fields[] = {NODE_SELECTION_FIELDS, {"labels", act_labels, F_REQUIRED, 0}, {NULL, NULL, 0, 0}};
static const field taint_action_fields[] = {NODE_SELECTION_FIELDS,
                                            {"key", act_taint_key, F_REQUIRED, 0},
                                            {"value", act_taint_value, 0, 0},
                                            {"effect", act_taint_effect, 0, 0},
                                            {NULL, NULL, 0, 0}};

static void load_service(ctx *c, const ks_ynode *root);
static void load_pdb(ctx *c, const ks_ynode *root);

/* create: a Pod, Deployment, Job or Service manifest, created at the action's time (the kind's
 * rules; its name must be unique among the experiment's objects of that kind). Other kinds are
 * errors. */
static void act_create(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    b->has_action = true;
    b->creates = true;
    if (v->kind != KS_YMAPPING) {
        expect(c, v, "a Pod manifest (apiVersion: v1, kind: Pod, metadata, spec)");
        return;
    }
    const ks_ynode *kind = NULL, *api = NULL;
    for (size_t i = 0; i + 1 < v->nkids; i += 2) {
        if (!strcmp(v->kids[i]->text, "kind")) kind = v->kids[i + 1];
        if (!strcmp(v->kids[i]->text, "apiVersion")) api = v->kids[i + 1];
    }
    bool pod = kind && kind->kind == KS_YSCALAR && !strcmp(kind->text, "Pod") && api && api->kind == KS_YSCALAR &&
               !strcmp(api->text, "v1");
    bool dep = kind && kind->kind == KS_YSCALAR && !strcmp(kind->text, "Deployment") && api &&
               api->kind == KS_YSCALAR && !strcmp(api->text, "apps/v1");
    bool job = kind && kind->kind == KS_YSCALAR && !strcmp(kind->text, "Job") && api && api->kind == KS_YSCALAR &&
               !strcmp(api->text, "batch/v1");
    bool svc = kind && kind->kind == KS_YSCALAR && !strcmp(kind->text, "Service") && api && api->kind == KS_YSCALAR &&
               !strcmp(api->text, "v1");
    bool pdb = kind && kind->kind == KS_YSCALAR && !strcmp(kind->text, "PodDisruptionBudget") && api &&
               api->kind == KS_YSCALAR && !strcmp(api->text, "policy/v1");
    if (!pod && !dep && !job && !svc && !pdb) {
        err_at(c, kind ? kind : v,
               "create supports v1 Pod, apps/v1 Deployment, batch/v1 Job, v1 Service and policy/v1 PodDisruptionBudget "
               "in this version");
        return;
    }
    loader *L = c->L;
    size_t before = pod ? L->cfg->npods : dep ? L->cfg->ndeployments : job ? L->cfg->njobs : svc ? L->cfg->nservices : L->cfg->npdbs;
    const char *name = c->name;
    const char *kind_name = c->kind;
    if (pod) load_pod(c, v);
    else if (dep) load_deployment(c, v);
    else if (job) load_job(c, v);
    else if (svc) load_service(c, v);
    else load_pdb(c, v);
    if (svc && L->cfg->nservices > before) b->created_svc = (int64_t)before;
    if (pdb && L->cfg->npdbs > before) b->created_pdb = (int64_t)before;
    c->name = name;
    c->kind = kind_name;
    if (pod && L->cfg->npods > before) b->created_pod = (int64_t)before;
    if (dep && L->cfg->ndeployments > before) b->created_dep = (int64_t)before;
    if (job && L->cfg->njobs > before) b->created_job = (int64_t)before;
}

/* delete: {kind: Pod, name, namespace}: a DELETE of that Pod (graceful), as kubectl delete;
 * {kind: Node, name}: the Node object goes (its pods are left to PodGC). */
static void del_kind(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"Pod", "Node", "Deployment", "Job", "Service", "PodDisruptionBudget", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((action_build *)obj)->a.object_kind = (uint8_t)i;
}

static void del_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_subdomain(c, v)) ((action_build *)obj)->a.deployment = dup(v->text);
}

static const field delete_fields[] = {
    {"kind", del_kind, F_REQUIRED, 0},
    {"name", del_name, F_REQUIRED, 0},
    {"namespace", scale_namespace, 0, 0},
    {NULL, NULL, 0, 0},
};

static void act_delete(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    b->a.kind = KS_ACTION_DELETE;
    b->has_action = true;
    b->nodes_n = v;
    walk_map(c, v, delete_fields, obj);
}

/* addNodes: {pool, count}: COUNT more nodes of a NodePool, named on from the pool's count. */
static void add_pool(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    if (!get_subdomain(c, v)) return;
    b->a.nodes.pool = dup(v->text);
    b->pool_n = v;
}

static const field add_nodes_fields[] = {
    {"pool", add_pool, F_REQUIRED, 0},
    {"count", sel_count, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void act_add_nodes(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    action_build *b = obj;
    b->a.kind = KS_ACTION_ADD_NODES;
    b->has_action = true;
    b->a.nodes.count = -1;
    b->a.nodes.fraction = -1;
    b->nodes_n = v;
    walk_map(c, v, add_nodes_fields, obj);
}

/* The node actions; ARG is the ks_action_kind. failNodes: {names|selector|zone|pool, count |
 * fraction, mode}; recoverNodes, cordon, uncordon: the selection; label: and labels; taint:
 * and key, value, effect (required); untaint: and key, effect (optional: every effect). */
static void act_nodes(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    action_build *b = obj;
    b->a.kind = (ks_action_kind)arg;
    b->has_action = true;
    b->a.nodes.count = -1;
    b->a.nodes.fraction = -1;
    b->a.any_effect = true;
    b->nodes_n = v;
    const field *fields = arg == KS_ACTION_FAIL_NODES ? fail_fields
                          : arg == KS_ACTION_LABEL    ? label_fields
                          : arg == KS_ACTION_TAINT || arg == KS_ACTION_UNTAINT ? taint_action_fields
                                                                               : nodes_fields;
    walk_map(c, v, fields, obj);
    if (arg == KS_ACTION_TAINT && b->a.any_effect && v->kind == KS_YMAPPING)
        err_at(c, v, "missing required field \"effect\"");
    if (!b->a.taint.value) b->a.taint.value = dup("");
    if (b->a.nodes.count >= 0 && b->a.nodes.fraction >= 0)
        err_at(c, v, "expected at most one of \"count\" and \"fraction\"");
}

static const field action_fields[] = {
    {"at", act_at, F_REQUIRED, 0},
    {"scale", act_scale, 0, 0},
    {"failNodes", act_nodes, 0, KS_ACTION_FAIL_NODES},
    {"recoverNodes", act_nodes, 0, KS_ACTION_RECOVER_NODES},
    {"cordon", act_nodes, 0, KS_ACTION_CORDON},
    {"uncordon", act_nodes, 0, KS_ACTION_UNCORDON},
    {"drain", act_nodes, 0, KS_ACTION_DRAIN},
    {"label", act_nodes, 0, KS_ACTION_LABEL},
    {"taint", act_nodes, 0, KS_ACTION_TAINT},
    {"untaint", act_nodes, 0, KS_ACTION_UNTAINT},
    {"addNodes", act_add_nodes, 0, 0},
    {"update", act_update, 0, 0},
    {"create", act_create, 0, 0},
    {"delete", act_delete, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_action(ctx *c, const ks_ynode *item, void *obj)
{
    (void)obj;
    loader *L = c->L;
    int errors = L->nerrors;
    action_build b = {.created_pod = -1, .created_dep = -1, .created_job = -1, .created_svc = -1, .created_pdb = -1};
    walk_map(c, item, action_fields, &b);
    if (b.at_n && L->nerrors == errors) { /* checked against the experiment's duration later */
        ks_grow(cfg_mem(), (void **)&L->at_refs, &L->cap_at_refs, L->nat_refs + 1, sizeof *L->at_refs);
        char path[600];
        snprintf(path, sizeof path, "%s.at", c->path);
        L->at_refs[L->nat_refs++] =
            (action_ref){c->file, b.at_n->line, b.at_n->col, dup(c->name ? c->name : ""), dup(path), NULL, b.a.at};
    }
    if (b.creates) { /* the Pod document is the whole action: it is created at `at` */
        if (b.created_pod >= 0) L->cfg->pods[b.created_pod].at = b.a.at;
        if (b.created_dep >= 0) L->cfg->deployments[b.created_dep].at = b.a.at;
        if (b.created_job >= 0) L->cfg->jobs[b.created_job].at = b.a.at;
        if (b.created_svc >= 0) L->cfg->services[b.created_svc].at = b.a.at;
        if (b.created_pdb >= 0) L->cfg->pdbs[b.created_pdb].at = b.a.at;
        if (item->kind == KS_YMAPPING && b.has_action && L->nerrors == errors) {
            size_t nactions = 0;
            for (size_t i = 0; i + 1 < item->nkids; i += 2) nactions += strcmp(item->kids[i]->text, "at") != 0;
            if (nactions > 1) err_at(c, item, "expected one action per list item");
        }
        ks_scenario_action_free(&b.a);
        ks_free(b.name_nodes);
        return;
    }
    if (item->kind == KS_YMAPPING && !b.has_action && L->nerrors == errors)
        err_at(c, item, "expected one action (scale, update, failNodes, recoverNodes, cordon, uncordon, drain, label, "
                        "taint, untaint, addNodes, create or delete)");
    if (L->nerrors != errors || !b.has_action) {
        ks_scenario_action_free(&b.a);
        ks_free(b.name_nodes);
        return;
    }
    if (!b.a.namespace) b.a.namespace = dup("default");
    ks_config *cfg = L->cfg;
    ks_grow(cfg_mem(), (void **)&cfg->actions, &L->cap_actions, cfg->nactions + 1, sizeof *cfg->actions);
    ks_grow(cfg_mem(), (void **)&L->action_refs, &L->cap_action_refs, cfg->nactions + 1, sizeof *L->action_refs);
    char path[600];
    bool dep = b.a.kind == KS_ACTION_SCALE || b.a.kind == KS_ACTION_UPDATE;
    const ks_ynode *at = dep ? b.deployment_n : b.a.kind == KS_ACTION_ADD_NODES && b.pool_n ? b.pool_n : b.nodes_n;
    static const char *const action_paths[] = {".scale.deployment", ".update.deployment", ".failNodes", ".recoverNodes",
                                               ".cordon",           ".uncordon",          ".label",     ".taint",
                                               ".untaint",          ".drain",             ".addNodes.pool",
                                               ".delete"};
    snprintf(path, sizeof path, "%s%s", c->path, action_paths[b.a.kind]);
    L->action_refs[cfg->nactions] = (action_ref){c->file, at->line, at->col, dup(c->name ? c->name : ""), dup(path), NULL, 0};
    /* A node named in names must exist: checked with the nodes (check_actions), at the name. */
    if (b.a.nodes.nnames) {
        L->action_refs[cfg->nactions].name_lines = ks_malloc(cfg_mem(), 2 * b.a.nodes.nnames * sizeof(int));
        for (size_t i = 0; i < b.a.nodes.nnames; i++) {
            L->action_refs[cfg->nactions].name_lines[2 * i] = b.name_nodes[i]->line;
            L->action_refs[cfg->nactions].name_lines[2 * i + 1] = b.name_nodes[i]->col;
        }
    }
    ks_free(b.name_nodes);
    cfg->actions[cfg->nactions++] = b.a;
}

static void scenario_actions(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_action, obj);
}

/* spec.randomFailures[]: {pool, timeBetweenFailures, timeToRepair, mode}. */
typedef struct failure_build {
    ks_failure_process f;
    const ks_ynode *pool_n;
    bool has_between, has_repair;
} failure_build;

static void rf_pool(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (!get_subdomain(c, v)) return;
    ((failure_build *)obj)->f.pool = dup(v->text);
    ((failure_build *)obj)->pool_n = v;
}

static void rf_dist(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    failure_build *b = obj;
    parse_dist(c, v, U_DURATION, arg ? &b->f.repair : &b->f.between);
    if (arg) b->has_repair = true;
    else b->has_between = true;
}

static void rf_mode(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"powerOff", "kubeletHang", "partition", "runtimeDown", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((failure_build *)obj)->f.mode = (ks_fail_mode)i;
}

static const field random_failure_fields[] = {
    {"pool", rf_pool, F_REQUIRED, 0},
    {"timeBetweenFailures", rf_dist, F_REQUIRED, 0},
    {"timeToRepair", rf_dist, F_REQUIRED, 1},
    {"mode", rf_mode, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_random_failure(ctx *c, const ks_ynode *item, void *obj)
{
    (void)obj;
    loader *L = c->L;
    int errors = L->nerrors;
    failure_build b = {0};
    walk_map(c, item, random_failure_fields, &b);
    if (L->nerrors != errors || !b.f.pool || !b.has_between || !b.has_repair) {
        ks_free(b.f.pool);
        ks_dist_free(&b.f.between);
        ks_dist_free(&b.f.repair);
        return;
    }
    ks_config *cfg = L->cfg;
    ks_grow(cfg_mem(), (void **)&cfg->failure_procs, &L->cap_failure_procs, cfg->nfailure_procs + 1,
            sizeof *cfg->failure_procs);
    ks_grow(cfg_mem(), (void **)&L->failure_refs, &L->cap_failure_refs, cfg->nfailure_procs + 1, sizeof *L->failure_refs);
    char path[600];
    snprintf(path, sizeof path, "%s.pool", c->path);
    L->failure_refs[cfg->nfailure_procs] =
        (action_ref){c->file, b.pool_n->line, b.pool_n->col, dup(c->name ? c->name : ""), dup(path), NULL, 0};
    cfg->failure_procs[cfg->nfailure_procs++] = b.f;
}

static void scenario_random_failures(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_random_failure, obj);
}

static const field scenario_spec_fields[] = {
    {"actions", scenario_actions, 0, 0},
    {"randomFailures", scenario_random_failures, 0, 0},
    {NULL, NULL, 0, 0},
};

typedef struct scenario_build {
    meta_build meta;
} scenario_build;

static void scenario_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((scenario_build *)obj)->meta);
    const meta_build *m = &((scenario_build *)obj)->meta;
    if (m->name) c->name = m->name->text;
}

static void scenario_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, scenario_spec_fields, obj);
}

static const field scenario_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", scenario_metadata, F_REQUIRED, 0},
    {"spec", scenario_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void load_scenario(ctx *c, const ks_ynode *root)
{
    scenario_build b = {0};
    walk_map(c, root, scenario_fields, &b);
    require_name(c, &b.meta);
    meta_free(&b.meta);
}

/* Whether the experiment has a node called NAME (a Node document, or one a NodePool creates). */
static bool config_has_node(const ks_config *cfg, const char *name)
{
    for (size_t j = 0; j < cfg->nnodes; j++)
        if (!strcmp(cfg->nodes[j].name, name)) return true;
    for (size_t j = 0; j < cfg->npools; j++) {
        const ks_node_pool *p = &cfg->pools[j];
        size_t n = strlen(p->name);
        if (strncmp(name, p->name, n) != 0 || name[n] != '-') continue;
        const char *d = name + n + 1;
        size_t digits = strspn(d, "0123456789");
        if (digits && digits <= 18 && !d[digits] && !(d[0] == '0' && digits > 1) && strtoll(d, NULL, 10) < p->count)
            return true;
    }
    return false;
}

/* Each scale or update action must name a Deployment of the experiment; each node named by a node
 * action must exist; each random failure process, a NodePool. */
static void check_actions(loader *L)
{
    const ks_config *cfg = L->cfg;
    for (size_t i = 0; i < L->nat_refs; i++) { /* an action after the end would be lost silently */
        const action_ref *r = &L->at_refs[i];
        if (r->at <= cfg->experiment.duration) continue;
        char msg[300], d[32];
        ks_duration_format(cfg->experiment.duration, d, sizeof d);
        snprintf(msg, sizeof msg, "expected a time within the experiment's duration (%s)", d);
        report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
    }
    for (size_t i = 0; i < cfg->nfailure_procs; i++) {
        bool found = false;
        for (size_t j = 0; j < cfg->npools && !found; j++) found = !strcmp(cfg->pools[j].name, cfg->failure_procs[i].pool);
        if (found) continue;
        const action_ref *r = &L->failure_refs[i];
        char msg[400];
        snprintf(msg, sizeof msg, "expected the name of a NodePool of this experiment, got \"%.200s\"",
                 cfg->failure_procs[i].pool);
        report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
    }
    for (size_t i = 0; i < cfg->nactions; i++) {
        const ks_scenario_action *a = &cfg->actions[i];
        if (a->kind == KS_ACTION_DELETE && a->object_kind == 1 && !config_has_node(cfg, a->deployment)) {
            const action_ref *r = &L->action_refs[i];
            char msg[400];
            snprintf(msg, sizeof msg, "expected the name of a node of this experiment, got \"%.200s\"", a->deployment);
            report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
        }
        if (a->kind == KS_ACTION_DELETE && a->object_kind == 2) {
            bool found = false;
            for (size_t j = 0; j < cfg->ndeployments && !found; j++)
                found = !strcmp(cfg->deployments[j].name, a->deployment) && !strcmp(cfg->deployments[j].namespace, a->namespace);
            if (!found) {
                const action_ref *r = &L->action_refs[i];
                char msg[600];
                snprintf(msg, sizeof msg, "expected the name of a Deployment of this experiment, got \"%.80s\" (namespace \"%.63s\")",
                         a->deployment, a->namespace);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
        }
        if (a->kind == KS_ACTION_DELETE && a->object_kind == 5) {
            bool found = false;
            for (size_t j = 0; j < cfg->npdbs && !found; j++)
                found = !strcmp(cfg->pdbs[j].name, a->deployment) && !strcmp(cfg->pdbs[j].namespace, a->namespace);
            if (!found) {
                const action_ref *r = &L->action_refs[i];
                char msg[600];
                snprintf(msg, sizeof msg,
                         "expected the name of a PodDisruptionBudget of this experiment, got \"%.80s\" (namespace \"%.63s\")",
                         a->deployment, a->namespace);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
        }
        if (a->kind == KS_ACTION_DELETE && a->object_kind == 4) {
            bool found = false;
            for (size_t j = 0; j < cfg->nservices && !found; j++)
                found = !strcmp(cfg->services[j].name, a->deployment) && !strcmp(cfg->services[j].namespace, a->namespace);
            if (!found) {
                const action_ref *r = &L->action_refs[i];
                char msg[600];
                snprintf(msg, sizeof msg, "expected the name of a Service of this experiment, got \"%.80s\" (namespace \"%.63s\")",
                         a->deployment, a->namespace);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
        }
        if (a->kind == KS_ACTION_DELETE && a->object_kind == 3) {
            bool found = false;
            for (size_t j = 0; j < cfg->njobs && !found; j++)
                found = !strcmp(cfg->jobs[j].name, a->deployment) && !strcmp(cfg->jobs[j].namespace, a->namespace);
            if (!found) {
                const action_ref *r = &L->action_refs[i];
                char msg[600];
                snprintf(msg, sizeof msg, "expected the name of a Job of this experiment, got \"%.80s\" (namespace \"%.63s\")",
                         a->deployment, a->namespace);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
        }
        if (a->kind == KS_ACTION_DELETE) continue; /* a Pod that does not exist then is a no-op, as kubectl's NotFound */
        if (a->kind == KS_ACTION_ADD_NODES) {
            bool found = false;
            for (size_t j = 0; j < cfg->npools && !found; j++) found = !strcmp(cfg->pools[j].name, a->nodes.pool);
            if (!found) {
                const action_ref *r = &L->action_refs[i];
                char msg[400];
                snprintf(msg, sizeof msg, "expected the name of a NodePool of this experiment, got \"%.200s\"", a->nodes.pool);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
            continue;
        }
        if (a->kind != KS_ACTION_SCALE && a->kind != KS_ACTION_UPDATE) {
            const action_ref *r = &L->action_refs[i];
            for (size_t k = 0; k < a->nodes.nnames; k++) {
                if (config_has_node(cfg, a->nodes.names[k])) continue;
                char msg[400], path[700];
                snprintf(msg, sizeof msg, "expected the name of a node of this experiment, got \"%.200s\"", a->nodes.names[k]);
                snprintf(path, sizeof path, "%s.names[%zu]", r->path, k);
                report(L, r->file, r->name_lines[2 * k], r->name_lines[2 * k + 1], "Scenario", r->scenario, path, msg);
            }
            continue;
        }
        const ks_deployment_spec *dep = NULL;
        for (size_t j = 0; j < cfg->ndeployments && !dep; j++)
            if (!strcmp(cfg->deployments[j].name, a->deployment) && !strcmp(cfg->deployments[j].namespace, a->namespace))
                dep = &cfg->deployments[j];
        const action_ref *r = &L->action_refs[i];
        if (dep && a->kind == KS_ACTION_UPDATE && a->container) {
            bool has = false;
            for (size_t k = 0; k < dep->template.ncontainers; k++) has |= !strcmp(dep->template.containers[k].name, a->container);
            if (!has) {
                char msg[300];
                snprintf(msg, sizeof msg, "expected a container of Deployment \"%.80s\", got \"%.63s\"", a->deployment,
                         a->container);
                report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
            }
        }
        if (dep) continue;
        char msg[600];
        snprintf(msg, sizeof msg, "expected the name of a Deployment of this experiment, got \"%.80s\" (namespace \"%.63s\")",
                 a->deployment, a->namespace);
        report(L, r->file, r->line, r->col, "Scenario", r->scenario, r->path, msg);
    }
}

/* ---------------------------------------------------------------------------------------------
 * PriorityClass (scheduling.k8s.io/v1) and the Priority admission plugin
 * (plugin/pkg/admission/priority/admission.go): a pod's priorityClassName gives its priority and
 * preemptionPolicy; without one, the globalDefault class does, else priority 0.
 * ------------------------------------------------------------------------------------------- */

/* pkg/apis/scheduling/types.go: HighestUserDefinablePriority and the two system classes. */
#define HIGHEST_USER_PRIORITY 1000000000
static const ks_priority_class system_classes[] = {
    {(char *)"system-cluster-critical", 2000000000, false, false},
    {(char *)"system-node-critical", 2000001000, false, false},
};

static void defer_priority_class_check(ctx *c, const ks_ynode *v)
{
    loader *L = c->L;
    ks_grow(cfg_mem(), (void **)&L->prio_refs, &L->cap_prio_refs, L->nprio_refs + 1, sizeof *L->prio_refs);
    L->prio_refs[L->nprio_refs++] = (schedref){c->file, v->line, v->col, c->kind, c->name ? dup(c->name) : NULL,
                                               dup(c->path), dup(v->text)};
}

typedef struct pc_build {
    ks_priority_class pc;
    meta_build meta;
    const ks_ynode *value_n;
} pc_build;

static void pc_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((pc_build *)obj)->meta);
}

static void pc_value(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, INT32_MIN, HIGHEST_USER_PRIORITY, "an integer up to 1000000000 (higher values are reserved for system classes)", &x)) {
        ((pc_build *)obj)->pc.value = (int32_t)x;
        ((pc_build *)obj)->value_n = v;
    }
}

static void pc_global_default(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_bool(c, v, &((pc_build *)obj)->pc.global_default);
}

static void pc_preemption(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"PreemptLowerPriority", "Never", NULL};
    int i = get_enum(c, v, names);
    if (i >= 0) ((pc_build *)obj)->pc.preempt_never = i == 1;
}

static const field priority_class_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", pc_metadata, F_REQUIRED, 0},
    {"value", pc_value, F_REQUIRED, 0},
    {"globalDefault", pc_global_default, 0, 0},
    {"preemptionPolicy", pc_preemption, 0, 0},
    {"description", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void load_priority_class(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    pc_build b = {0};
    walk_map(c, root, priority_class_fields, &b);
    bool named = require_name(c, &b.meta);
    if (named && !strncmp(b.meta.name->text, "system-", 7)) {
        size_t mark = path_push(c, "metadata.name");
        err_at(c, b.meta.name, "priority class names with 'system-' prefix are reserved");
        path_pop(c, mark);
    }
    if (named) register_object(c, "PriorityClass", "", b.meta.name, 0);
    ks_config *cfg = L->cfg;
    for (size_t i = 0; b.pc.global_default && i < cfg->npriority_classes && L->nerrors == errors; i++)
        if (cfg->priority_classes[i].global_default)
            err_at(c, root, "PriorityClass %s is already marked as default; only one default can exist",
                   cfg->priority_classes[i].name);
    if (L->nerrors == errors) {
        b.pc.name = dup(b.meta.name->text);
        ks_grow(cfg_mem(), (void **)&cfg->priority_classes, &L->cap_classes, cfg->npriority_classes + 1,
                sizeof *cfg->priority_classes);
        cfg->priority_classes[cfg->npriority_classes++] = b.pc;
    }
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * PodDisruptionBudget (policy/v1; validation: pkg/apis/policy/validation/validation.go
 * ValidatePodDisruptionBudgetSpec: minAvailable and maxUnavailable cannot both be set; a
 * percentage is at most 100%).
 * ------------------------------------------------------------------------------------------- */

typedef struct pdb_build {
    ks_pdb_spec p;
    meta_build meta;
    const ks_ynode *min_n, *max_n;
} pdb_build;

static void pdb_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((pdb_build *)obj)->meta);
}

static void pdb_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    parse_label_selector(c, v, &((pdb_build *)obj)->p.selector);
}

static void pdb_amount(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    pdb_build *b = obj;
    ks_int_or_percent *out = arg ? &b->p.max_unavailable : &b->p.min_available;
    int errors = c->L->nerrors;
    int_or_percent(c, v, out, 0);
    if (c->L->nerrors == errors && out->percent && out->value > 100) expect(c, v, "a percentage of at most 100%");
    if (arg) b->max_n = v;
    else b->min_n = v;
}

static const field pdb_spec_fields[] = {
    {"selector", pdb_selector, 0, 0},
    {"minAvailable", pdb_amount, 0, 0},
    {"maxUnavailable", pdb_amount, 0, 1},
    {"unhealthyPodEvictionPolicy", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void pdb_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, pdb_spec_fields, obj);
}

static const field pdb_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", pdb_metadata, F_REQUIRED, 0},
    {"spec", pdb_spec, F_REQUIRED, 0},
    {"status", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void load_pdb(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    pdb_build b = {0};
    walk_map(c, root, pdb_fields, &b);
    bool named = require_name(c, &b.meta);
    const char *ns = b.meta.ns ? b.meta.ns->text : "default";
    if (b.min_n && b.max_n) {
        size_t mark = path_push(c, "spec");
        err_at(c, b.max_n, "minAvailable and maxUnavailable cannot be both set");
        path_pop(c, mark);
    }
    if (named) register_object(c, "PodDisruptionBudget", ns, b.meta.name, 0);
    if (L->nerrors == errors) {
        b.p.name = dup(b.meta.name->text);
        b.p.namespace = dup(ns);
        b.p.has_min_available = b.min_n != NULL;
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->pdbs, &L->cap_pdbs, cfg->npdbs + 1, sizeof *cfg->pdbs);
        cfg->pdbs[cfg->npdbs++] = b.p;
    } else {
        ks_pdb_spec_free(&b.p);
    }
    meta_free(&b.meta);
}

static const ks_priority_class *find_class(const ks_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->npriority_classes; i++)
        if (!strcmp(cfg->priority_classes[i].name, name)) return &cfg->priority_classes[i];
    for (size_t i = 0; i < sizeof system_classes / sizeof *system_classes; i++)
        if (!strcmp(system_classes[i].name, name)) return &system_classes[i];
    return NULL;
}

/* Every priorityClassName must name a class; then each pod spec gets its priority. */
static void resolve_priorities(loader *L)
{
    ks_config *cfg = L->cfg;
    for (size_t i = 0; i < L->nprio_refs; i++) {
        const schedref *r = &L->prio_refs[i];
        if (find_class(cfg, r->scheduler)) continue;
        char msg[300], got[80];
        clip(r->scheduler, got, sizeof got);
        snprintf(msg, sizeof msg, "no PriorityClass with name %s was found", got);
        report(L, r->file, r->line, r->col, r->kind, r->name, r->path, msg);
    }
    const ks_priority_class *def = NULL;
    for (size_t i = 0; i < cfg->npriority_classes; i++)
        if (cfg->priority_classes[i].global_default) def = &cfg->priority_classes[i];
    size_t nspecs = cfg->npods + cfg->ndeployments;
    for (size_t i = 0; i < nspecs; i++) {
        ks_pod_spec *s = i < cfg->npods ? &cfg->pods[i].spec : &cfg->deployments[i - cfg->npods].template;
        const ks_priority_class *pc = s->priority_class ? find_class(cfg, s->priority_class) : def;
        if (!pc) continue; /* unknown names were reported above; no class: the pod's own priority */
        s->priority = pc->value;
        s->preempt_never |= pc->preempt_never;
    }
    for (size_t i = 0; i < cfg->njobs; i++) {
        ks_pod_spec *s = &cfg->jobs[i].template;
        const ks_priority_class *pc = s->priority_class ? find_class(cfg, s->priority_class) : def;
        if (!pc) continue;
        s->priority = pc->value;
        s->preempt_never |= pc->preempt_never;
    }
    for (size_t i = 0; i < cfg->nworkloads; i++) /* the Workloads' templates */
        for (size_t k = 0; k < cfg->workloads[i].ntemplates; k++) {
            ks_workload_template *t = &cfg->workloads[i].templates[k];
            ks_pod_spec *s = t->object == KS_WORKLOAD_POD ? &t->pod
                             : t->object == KS_WORKLOAD_JOB ? &t->job.template : &t->deployment.template;
            const ks_priority_class *pc = s->priority_class ? find_class(cfg, s->priority_class) : def;
            if (!pc) continue;
            s->priority = pc->value;
            s->preempt_never |= pc->preempt_never;
        }
}

static void load_control_plane(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    if (!claim_singleton(c, &L->control_plane, root)) return;
    cp_build b = {0};
    ks_timings_default(&b.t);
    walk_map(c, root, control_plane_fields, &b);
    require_name(c, &b.meta);
    if (L->nerrors == errors) {
        ks_timings_free(&L->cfg->timings);
        L->cfg->timings = b.t;
    } else {
        ks_timings_free(&b.t);
    }
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * KubeSchedulerConfiguration (pkg/scheduler/apis/config/v1, v1.31)
 * ------------------------------------------------------------------------------------------- */

enum {
    P_MULTI_POINT, /* first: the specific extension points override it, as upstream merges them */
    P_QUEUE_SORT,
    P_PRE_ENQUEUE,
    P_PRE_FILTER,
    P_FILTER,
    P_POST_FILTER,
    P_PRE_SCORE,
    P_SCORE,
    P_RESERVE,
    P_PERMIT,
    P_PRE_BIND,
    P_BIND,
    P_POST_BIND,
    P_N
};

static const char *const point_names[P_N] = {"multiPoint", "queueSort", "preEnqueue", "preFilter", "filter",
                                             "postFilter", "preScore", "score", "reserve", "permit",
                                             "preBind", "bind", "postBind"};

#define FIT_PLUGIN "NodeResourcesFit"
#define BALANCED_PLUGIN "NodeResourcesBalancedAllocation"

/* The in-tree plugins of v1.31 (pkg/scheduler/framework/plugins/names/names.go). */
static const char *const known_plugins[] = {
    "PrioritySort",    "SchedulingGates", "NodeUnschedulable", "NodeName",          "TaintToleration",
    "NodeAffinity",    "NodePorts",       FIT_PLUGIN,          "VolumeRestrictions", "EBSLimits",
    "GCEPDLimits",     "NodeVolumeLimits", "AzureDiskLimits",  "VolumeBinding",      "VolumeZone",
    "PodTopologySpread", "InterPodAffinity", "DefaultPreemption", BALANCED_PLUGIN,   "ImageLocality",
    "DefaultBinder",   "DynamicResources", NULL,
};

/* kubesim's GPU-sharing plugins, after the FGD artifact (hkust-adsl/kubernetes-scheduler-
 * simulator pkg/type/const.go): the Open-Gpu-Share filter and the score plugins of
 * ks_gpu_policy_plugins. */
#define GPU_FILTER_PLUGIN "Open-Gpu-Share"

static int gpu_policy_of(const char *name)
{
    for (int k = 1; k < KS_GPU_POLICY_COUNT; k++)
        if (!strcmp(ks_gpu_policy_plugins[k], name)) return k;
    return 0;
}

static bool is_known_plugin(const char *name)
{
    for (size_t i = 0; known_plugins[i]; i++)
        if (strcmp(known_plugins[i], name) == 0) return true;
    return !strcmp(name, GPU_FILTER_PLUGIN) || gpu_policy_of(name);
}

typedef struct profile_build {
    ks_sched_profile p;
    const ks_ynode *name_n;
    const ks_ynode *points[P_N];
} profile_build;

typedef struct ksc_build {
    ks_sched_config sc;
    size_t cap_profiles;
    const ks_ynode *initial_n, *max_n;
    int64_t initial_s, max_s;
} ksc_build;

/* The default profile of ks_sched_config_default (spec.c), so that the defaults live in one
 * place. The caller owns the returned scheduler_name. */
static ks_sched_profile default_profile(void)
{
    ks_sched_config tmp;
    ks_sched_config_default(&tmp);
    ks_sched_profile p = tmp.profiles[0];
    ks_free(tmp.profiles);
    return p;
}

/* Effect of enabling or disabling one plugin at one extension point. A score weight of 0 means
 * the plugin's default (pkg/scheduler/framework/runtime/framework.go NewFramework: "a weight of
 * zero is not permitted"; default_plugins.go: TaintToleration 3, NodeAffinity,
 * PodTopologySpread and InterPodAffinity 2, the others 1). Disabling "*" disables every default
 * plugin at that point. Plugins with nothing to model (PrioritySort, the volume plugins,
 * DefaultBinder …) are listed as ignored. */
typedef struct plugin_slots {
    const char *name;
    int32_t default_weight;
    size_t weight_at, filter_at; /* offsets in ks_sched_profile; SIZE_MAX: none */
    bool post_filter;            /* DefaultPreemption */
} plugin_slots;

#define W(f) offsetof(ks_sched_profile, f)
static const plugin_slots modelled_plugins[] = {
    {FIT_PLUGIN, 1, W(fit_weight), W(fit_filter), false},
    {BALANCED_PLUGIN, 1, W(balanced_weight), SIZE_MAX, false},
    {"TaintToleration", 3, W(taint_weight), W(taint_filter), false},
    {"NodeAffinity", 2, W(affinity_weight), W(affinity_filter), false},
    {"NodeUnschedulable", 0, SIZE_MAX, W(unschedulable_filter), false},
    {"NodeName", 0, SIZE_MAX, W(node_name_filter), false},
    {"NodePorts", 0, SIZE_MAX, W(ports_filter), false},
    {"ImageLocality", 1, W(image_weight), SIZE_MAX, false},
    {"PodTopologySpread", 2, W(spread_weight), W(spread_filter), false},
    {"InterPodAffinity", 2, W(interpod_weight), W(interpod_filter), false},
    {"DefaultPreemption", 0, SIZE_MAX, SIZE_MAX, true},
    {GPU_FILTER_PLUGIN, 0, SIZE_MAX, W(gpu_filter), false},
};
#undef W

static void apply_plugin(ctx *c, ks_sched_profile *p, int point, bool enable, const char *name, int32_t weight)
{
    bool all = strcmp(name, "*") == 0, modelled = all;
    bool score = point == P_SCORE || point == P_MULTI_POINT, filter = point == P_FILTER || point == P_MULTI_POINT;
    bool post = point == P_POST_FILTER || point == P_MULTI_POINT;
    for (size_t i = 0; i < sizeof modelled_plugins / sizeof modelled_plugins[0]; i++) {
        const plugin_slots *ps = &modelled_plugins[i];
        if (!all && strcmp(name, ps->name) != 0) continue;
        modelled = true;
        if (score && ps->weight_at != SIZE_MAX)
            *(int32_t *)((char *)p + ps->weight_at) = enable ? (weight ? weight : ps->default_weight) : 0;
        if (filter && ps->filter_at != SIZE_MAX) *(bool *)((char *)p + ps->filter_at) = enable;
        if (post && ps->post_filter) p->preemption = enable;
    }
    int policy = gpu_policy_of(name);
    if (score && (policy || (all && !enable))) { /* one policy at most: plugin_entry checks */
        modelled = true;
        if (enable) {
            p->gpu_policy = (ks_gpu_policy)policy;
            p->gpu_weight = weight ? weight : 1;
        } else if (all || (int)p->gpu_policy == policy) {
            p->gpu_policy = KS_GPU_POLICY_NONE;
            p->gpu_weight = 0;
        }
    }
    if (!modelled) note_ignored_text(c, "KubeSchedulerConfiguration plugin %s (not modelled)", name);
}

typedef struct plugin_ref {
    const ks_ynode *name;
    int64_t weight;
} plugin_ref;

static void pl_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_nonempty_str(c, v)) ((plugin_ref *)obj)->name = v;
}

static void pl_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, INT32_MAX, "a non-negative integer", &((plugin_ref *)obj)->weight);
}

/* Plugin. */
static const field plugin_fields[] = {
    {"name", pl_name, F_REQUIRED, 0},
    {"weight", pl_weight, 0, 0},
    {NULL, NULL, 0, 0},
};

static void plugin_entry(ctx *c, profile_build *pb, int point, bool enable, const ks_ynode *item)
{
    plugin_ref r = {0};
    walk_map(c, item, plugin_fields, &r);
    if (!r.name) return;
    const char *name = r.name->text;
    bool star = strcmp(name, "*") == 0;
    if (star ? enable : !is_known_plugin(name)) {
        size_t mark = path_push(c, "name");
        if (star) err_at(c, r.name, "\"*\" is allowed only in a disabled list");
        else err_at(c, r.name, "unknown plugin \"%.60s\" (not an in-tree plugin of kube-scheduler v1.31, nor one of kubesim's GPU-sharing plugins)", name);
        path_pop(c, mark);
        return;
    }
    int policy = gpu_policy_of(name);
    bool score = point == P_SCORE || point == P_MULTI_POINT;
    if (enable && score && policy && pb->p.gpu_policy && (int)pb->p.gpu_policy != policy) {
        size_t mark = path_push(c, "name");
        err_at(c, r.name, "%s: a profile scores with one GPU-sharing policy at most, and %s is already enabled", name,
               ks_gpu_policy_plugins[pb->p.gpu_policy]);
        path_pop(c, mark);
        return;
    }
    apply_plugin(c, &pb->p, point, enable, name, (int32_t)r.weight);
}

static void pset_list(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list");
        return;
    }
    ((const ks_ynode **)obj)[arg] = v;
}

/* PluginSet. */
static const field pset_fields[] = {
    {"enabled", pset_list, 0, 0},
    {"disabled", pset_list, 0, 1},
    {NULL, NULL, 0, 0},
};

/* Disabled before enabled, whatever the order written: upstream removes the disabled defaults
 * and then appends the enabled plugins (pkg/scheduler/apis/config/v1/default_plugins.go
 * mergePlugins). */
static void apply_point(ctx *c, profile_build *pb, int point, const ks_ynode *v)
{
    const ks_ynode *lists[2] = {NULL, NULL};
    if (!walk_map(c, v, pset_fields, lists)) return;
    for (int which = 1; which >= 0; which--) {
        if (!lists[which]) continue;
        size_t mark = path_push(c, which ? "disabled" : "enabled");
        for (size_t i = 0; i < lists[which]->nkids; i++) {
            size_t m2 = path_index(c, i);
            plugin_entry(c, pb, point, which == 0, lists[which]->kids[i]);
            path_pop(c, m2);
        }
        path_pop(c, mark);
    }
}

static void plugins_point(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)c;
    ((profile_build *)obj)->points[arg] = v;
}

/* Plugins: one PluginSet per extension point; applied after the walk, in point order. */
static const field plugins_fields[] = {
    {"multiPoint", plugins_point, 0, P_MULTI_POINT},
    {"queueSort", plugins_point, 0, P_QUEUE_SORT},
    {"preEnqueue", plugins_point, 0, P_PRE_ENQUEUE},
    {"preFilter", plugins_point, 0, P_PRE_FILTER},
    {"filter", plugins_point, 0, P_FILTER},
    {"postFilter", plugins_point, 0, P_POST_FILTER},
    {"preScore", plugins_point, 0, P_PRE_SCORE},
    {"score", plugins_point, 0, P_SCORE},
    {"reserve", plugins_point, 0, P_RESERVE},
    {"permit", plugins_point, 0, P_PERMIT},
    {"preBind", plugins_point, 0, P_PRE_BIND},
    {"bind", plugins_point, 0, P_BIND},
    {"postBind", plugins_point, 0, P_POST_BIND},
    {NULL, NULL, 0, 0},
};

/* Resource weights of scoringStrategy.resources and of the balanced-allocation args. */
typedef struct rw_ref {
    const ks_ynode *name;
    int64_t weight;
} rw_ref;

static void rw_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_nonempty_str(c, v)) ((rw_ref *)obj)->name = v;
}

static void rw_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, 100, "an integer from 0 to 100", &((rw_ref *)obj)->weight);
}

static const field rw_fields[] = {
    {"name", rw_name, F_REQUIRED, 0},
    {"weight", rw_weight, 0, 0},
    {NULL, NULL, 0, 0},
};

typedef void (*rw_fn)(ctx *c, ks_sched_profile *p, const char *name, int32_t weight);

/* Walks a list of {name, weight}; a weight of 0 (or none) becomes 1, as
 * SetDefaults_NodeResourcesFitArgs and SetDefaults_NodeResourcesBalancedAllocationArgs do
 * (pkg/scheduler/apis/config/v1/defaults.go); names must be unique (validation.go
 * validateResources). */
static void walk_resource_weights(ctx *c, const ks_ynode *v, ks_sched_profile *p, rw_fn fn)
{
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list");
        return;
    }
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        rw_ref r = {0};
        walk_map(c, v->kids[i], rw_fields, &r);
        bool dupl = false;
        for (size_t j = 0; r.name && j < i; j++) {
            const ks_ynode *prev = ks_ymap_get(v->kids[j], "name");
            dupl = dupl || (prev && prev->kind == KS_YSCALAR && strcmp(prev->text, r.name->text) == 0);
        }
        if (dupl) {
            size_t m2 = path_push(c, "name");
            err_at(c, r.name, "duplicate resource \"%.60s\"", r.name->text);
            path_pop(c, m2);
        } else if (r.name) {
            fn(c, p, r.name->text, r.weight ? (int32_t)r.weight : 1);
        }
        path_pop(c, mark);
    }
}

/* Adds an extended resource (a domain-qualified name, as resource_slot accepts) to a scoring
 * list; says so for any other name kubesim does not score:
 * ephemeral-storage, hugepages-<size>, or a name the scorers never find (upstream skips it:
 * resource_allocation.go calculateResourceAllocatableRequest returns (0, 0)). */
static void score_ext_add(ctx *c, const char *plugin, const char *name, int32_t weight, ks_score_ext *list, int *n)
{
    if (resource_slot(name, false) != R_N || strncmp(name, "hugepages-", 10) == 0) {
        note_ignored_text(c, "KubeSchedulerConfiguration %s resource %s (not modelled)", plugin, name);
        return;
    }
    if (*n == KS_MAX_SCORE_EXT || strlen(name) >= sizeof list[0].name) {
        note_ignored_text(c, "KubeSchedulerConfiguration %s resource %s (kubesim scores at most %d extended "
                          "resources of up to %zu characters)", plugin, name, KS_MAX_SCORE_EXT, sizeof list[0].name - 1);
        return;
    }
    snprintf(list[*n].name, sizeof list[0].name, "%s", name);
    list[(*n)++].weight = weight;
}

static void fit_resource(ctx *c, ks_sched_profile *p, const char *name, int32_t weight)
{
    if (strcmp(name, "cpu") == 0) p->fit_cpu_weight = weight;
    else if (strcmp(name, "memory") == 0) p->fit_mem_weight = weight;
    else score_ext_add(c, FIT_PLUGIN, name, weight, p->fit_ext, &p->nfit_ext);
}

static void ss_resources(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_sched_profile *p = obj;
    /* A non-empty list replaces the default cpu:1 memory:1; a resource left out is not scored. */
    if (v->kind == KS_YSEQUENCE && v->nkids > 0) {
        p->fit_cpu_weight = p->fit_mem_weight = 0;
        p->nfit_ext = 0;
    }
    walk_resource_weights(c, v, p, fit_resource);
}

static void ss_type(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio", NULL};
    static const ks_fit_strategy strategies[] = {KS_FIT_LEAST_ALLOCATED, KS_FIT_MOST_ALLOCATED,
                                                  KS_FIT_REQUESTED_TO_CAPACITY_RATIO};
    int i = get_enum(c, v, names);
    if (i >= 0) ((ks_sched_profile *)obj)->fit_strategy = strategies[i];
}

/* UtilizationShapePoint (pkg/scheduler/apis/config/v1): utilization 0..100, score 0..10; the
 * points must be sorted by strictly increasing utilization (validation_pluginargs.go). */
typedef struct shape_build {
    int64_t util, score;
    bool has_util, has_score;
} shape_build;

static void sp_util(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((shape_build *)obj)->has_util = get_int(c, v, 0, 100, "a utilization 0-100", &((shape_build *)obj)->util);
}

static void sp_score(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((shape_build *)obj)->has_score = get_int(c, v, 0, 10, "a score 0-10", &((shape_build *)obj)->score);
}

static const field shape_fields[] = {
    {"utilization", sp_util, F_REQUIRED, 0},
    {"score", sp_score, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void add_shape_point(ctx *c, const ks_ynode *item, void *obj)
{
    ks_sched_profile *p = obj;
    shape_build b = {0};
    walk_map(c, item, shape_fields, &b);
    if (!b.has_util || !b.has_score) return;
    if (p->nshape == KS_MAX_SHAPE) {
        err_at(c, item, "kubesim models at most %d shape points", KS_MAX_SHAPE);
        return;
    }
    if (p->nshape && b.util <= p->shape_util[p->nshape - 1]) {
        err_at(c, item, "utilization values must be sorted in increasing order");
        return;
    }
    p->shape_util[p->nshape] = (int32_t)b.util;
    p->shape_score[p->nshape++] = (int32_t)b.score;
}

static void rtcr_shape(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ((ks_sched_profile *)obj)->nshape = 0;
    walk_seq(c, v, add_shape_point, obj);
}

static const field rtcr_fields[] = {
    {"shape", rtcr_shape, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void ss_rtcr(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, rtcr_fields, obj);
}

/* ScoringStrategy. */
static const field scoring_fields[] = {
    {"type", ss_type, 0, 0},
    {"resources", ss_resources, 0, 0},
    {"requestedToCapacityRatio", ss_rtcr, 0, 0},
    {NULL, NULL, 0, 0},
};

static void fit_scoring(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_sched_profile *p = obj;
    int errors = c->L->nerrors;
    walk_map(c, v, scoring_fields, obj);
    /* validation_pluginargs.go validateFunctionShape: at least one point. */
    if (c->L->nerrors == errors && p->fit_strategy == KS_FIT_REQUESTED_TO_CAPACITY_RATIO && p->nshape == 0)
        err_at(c, v, "requestedToCapacityRatio.shape: at least one point must be specified");
}

/* Plugin args may name their own type, as the v1 API allows (kind: NodeResourcesFitArgs). */
static void args_header(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)obj, (void)arg;
    get_nonempty_str(c, v);
}

/* ignoredResources (extended resource names) and ignoredResourceGroups (the part before the "/";
 * validation_pluginargs.go: a group is a DNS subdomain without "/"). */
static void fit_ignored(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_sched_profile *p = obj;
    char **names = NULL;
    size_t n = 0;
    parse_strings(c, v, &names, &n, NULL, NULL);
    char(**list)[64] = arg ? &p->fit_ignored_groups : &p->fit_ignored;
    int *count = arg ? &p->nfit_ignored_groups : &p->nfit_ignored;
    ks_free(*list);
    *list = n ? ks_malloc(cfg_mem(), n * sizeof **list) : NULL;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_index(c, i);
        if (strlen(names[i]) >= sizeof **list || !*names[i] || (arg && strchr(names[i], '/')))
            expect(c, v->kids[i], arg ? "a resource group name without \"/\"" : "an extended resource name");
        else
            snprintf((*list)[(*count)++], sizeof **list, "%s", names[i]);
        path_pop(c, mark);
        ks_free(names[i]);
    }
    ks_free(names);
}

/* NodeResourcesFitArgs. */
static const field fit_args_fields[] = {
    {"apiVersion", args_header, 0, 0},
    {"kind", args_header, 0, 0},
    {"scoringStrategy", fit_scoring, 0, 0},
    {"ignoredResources", fit_ignored, 0, 0},
    {"ignoredResourceGroups", fit_ignored, 0, 1},
    {NULL, NULL, 0, 0},
};

static void balanced_resource(ctx *c, ks_sched_profile *p, const char *name, int32_t weight)
{
    if (strcmp(name, "cpu") == 0) p->bal_cpu = true;
    else if (strcmp(name, "memory") == 0) p->bal_mem = true;
    else score_ext_add(c, BALANCED_PLUGIN, name, weight, p->bal_ext, &p->nbal_ext);
}

static void bal_resources(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_sched_profile *p = obj;
    /* A non-empty list replaces the default cpu and memory (defaults.go
     * SetDefaults_NodeResourcesBalancedAllocationArgs). */
    if (v->kind == KS_YSEQUENCE && v->nkids > 0) {
        p->bal_cpu = p->bal_mem = false;
        p->nbal_ext = 0;
    }
    walk_resource_weights(c, v, p, balanced_resource);
}

/* NodeResourcesBalancedAllocationArgs. Weights are validated but, as upstream, not used by the
 * score. */
static const field bal_args_fields[] = {
    {"apiVersion", args_header, 0, 0},
    {"kind", args_header, 0, 0},
    {"resources", bal_resources, 0, 0},
    {NULL, NULL, 0, 0},
};

/* PodTopologySpreadArgs (pkg/scheduler/apis/config/v1/defaults.go
 * SetDefaults_PodTopologySpreadArgs: defaultingType System unless defaultConstraints are given;
 * validation_pluginargs.go ValidatePodTopologySpreadArgs: with System the list must be empty,
 * and a default constraint may not have a labelSelector). */
typedef struct pts_args_build {
    ks_sched_profile *p;
    const ks_ynode *type_n, *list_n;
    int type; /* -1 unset, 0 System, 1 List */
} pts_args_build;

static void pts_default_constraints(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    pts_args_build *b = obj;
    ks_sched_profile *p = b->p;
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list");
        return;
    }
    b->list_n = v;
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        ks_spread_constraint k;
        const ks_ynode *sel = v->kids[i]->kind == KS_YMAPPING ? ks_ymap_get(v->kids[i], "labelSelector") : NULL;
        if (sel) {
            size_t m2 = path_push(c, "labelSelector");
            err_at(c, sel, "forbidden: constraint must not define a selector, as they deduced for each pod");
            path_pop(c, m2);
        } else if (parse_spread(c, v->kids[i], p->spread_defaults, p->nspread_defaults, &k)) {
            p->spread_defaults = p->spread_defaults
                                     ? ks_realloc(p->spread_defaults, (p->nspread_defaults + 1) * sizeof k)
                                     : ks_malloc(cfg_mem(), sizeof k);
            p->spread_defaults[p->nspread_defaults++] = k;
        }
        path_pop(c, mark);
    }
}

static void pts_defaulting_type(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const names[] = {"System", "List", NULL};
    pts_args_build *b = obj;
    b->type = get_enum(c, v, names);
    b->type_n = v;
}

static const field pts_args_fields[] = {
    {"apiVersion", args_header, 0, 0},
    {"kind", args_header, 0, 0},
    {"defaultConstraints", pts_default_constraints, 0, 0},
    {"defaultingType", pts_defaulting_type, 0, 0},
    {NULL, NULL, 0, 0},
};

static void pts_args(ctx *c, ks_sched_profile *p, const ks_ynode *args)
{
    pts_args_build b = {.p = p, .type = -1};
    for (size_t k = 0; k < p->nspread_defaults; k++) ks_spread_constraint_free(&p->spread_defaults[k]);
    p->nspread_defaults = 0;
    int errors = c->L->nerrors;
    walk_map(c, args, pts_args_fields, &b);
    if (c->L->nerrors != errors) return;
    if (b.type == 0 && p->nspread_defaults > 0) {
        size_t mark = path_push(c, "defaultConstraints");
        err_at(c, b.list_n, "when .defaultingType is \"System\", .defaultConstraints must be empty");
        path_pop(c, mark);
        return;
    }
    p->spread_system_defaulted = b.type == 0 || (b.type < 0 && p->nspread_defaults == 0);
}

static void ipa_hard_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, 100, "an integer from 0 to 100", &x)) ((ks_sched_profile *)obj)->hard_pod_affinity_weight = (int32_t)x;
}

static void ipa_ignore_preferred(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_bool(c, v, &((ks_sched_profile *)obj)->ignore_preferred_terms_of_existing_pods);
}

/* InterPodAffinityArgs (validation_pluginargs.go: hardPodAffinityWeight 0-100). */
static const field ipa_args_fields[] = {
    {"apiVersion", args_header, 0, 0},
    {"kind", args_header, 0, 0},
    {"hardPodAffinityWeight", ipa_hard_weight, 0, 0},
    {"ignorePreferredTermsOfExistingPods", ipa_ignore_preferred, 0, 0},
    {NULL, NULL, 0, 0},
};

static void plugin_args(ctx *c, profile_build *pb, const char *name, const ks_ynode *args)
{
    if (strcmp(name, FIT_PLUGIN) == 0) {
        walk_map(c, args, fit_args_fields, &pb->p);
    } else if (strcmp(name, BALANCED_PLUGIN) == 0) {
        walk_map(c, args, bal_args_fields, &pb->p);
    } else if (strcmp(name, "PodTopologySpread") == 0) {
        pts_args(c, &pb->p, args);
    } else if (strcmp(name, "InterPodAffinity") == 0) {
        walk_map(c, args, ipa_args_fields, &pb->p);
    } else if (args->kind != KS_YMAPPING) {
        expect(c, args, "a mapping");
    } else {
        note_ignored_text(c, "KubeSchedulerConfiguration pluginConfig %s (not modelled)", name);
    }
}

typedef struct pc_ref {
    const ks_ynode *name, *args;
} pc_ref;

static void pc_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_nonempty_str(c, v)) ((pc_ref *)obj)->name = v;
}

static void pc_args(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)c, (void)arg;
    ((pc_ref *)obj)->args = v;
}

/* PluginConfig. */
static const field pc_fields[] = {
    {"name", pc_name, F_REQUIRED, 0},
    {"args", pc_args, 0, 0},
    {NULL, NULL, 0, 0},
};

static bool plugin_config_seen(const ks_ynode *seq, size_t before, const char *name)
{
    for (size_t j = 0; j < before; j++) {
        const ks_ynode *prev = ks_ymap_get(seq->kids[j], "name");
        if (prev && prev->kind == KS_YSCALAR && strcmp(prev->text, name) == 0) return true;
    }
    return false;
}

static void plugin_config_item(ctx *c, profile_build *pb, const ks_ynode *seq, size_t i)
{
    pc_ref r = {0};
    walk_map(c, seq->kids[i], pc_fields, &r);
    if (!r.name) return;
    const char *name = r.name->text;
    size_t mark = path_push(c, "name");
    if (!is_known_plugin(name)) {
        err_at(c, r.name, "unknown plugin \"%.60s\" (not an in-tree plugin of kube-scheduler v1.31)", name);
        r.args = NULL;
    } else if (plugin_config_seen(seq, i, name)) {
        /* pkg/scheduler/apis/config/validation/validation.go: "repeated config for plugin". */
        err_at(c, r.name, "duplicate pluginConfig for plugin \"%s\"", name);
        r.args = NULL;
    }
    path_pop(c, mark);
    if (!r.args || ks_ynode_is_null(r.args)) return;
    mark = path_push(c, "args");
    plugin_args(c, pb, name, r.args);
    path_pop(c, mark);
}

static void prof_plugin_config(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list");
        return;
    }
    for (size_t i = 0; i < v->nkids; i++) {
        size_t mark = path_index(c, i);
        plugin_config_item(c, obj, v, i);
        path_pop(c, mark);
    }
}

static void prof_name(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    profile_build *pb = obj;
    if (!get_nonempty_str(c, v)) return;
    ks_free(pb->p.scheduler_name);
    pb->p.scheduler_name = dup(v->text);
    pb->name_n = v;
}

static void prof_percentage(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, 100, "an integer from 0 to 100", &x))
        ((profile_build *)obj)->p.percentage_of_nodes_to_score = (int32_t)x;
}

static void prof_plugins(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, plugins_fields, obj);
}

/* KubeSchedulerProfile. */
static const field profile_fields[] = {
    {"schedulerName", prof_name, 0, 0},
    {"percentageOfNodesToScore", prof_percentage, 0, 0},
    {"plugins", prof_plugins, 0, 0},
    {"pluginConfig", prof_plugin_config, 0, 0},
    {NULL, NULL, 0, 0},
};

static void add_profile(ctx *c, const ks_ynode *item, void *obj)
{
    ksc_build *kb = obj;
    profile_build pb = {.p = default_profile()};
    int errors = c->L->nerrors;
    walk_map(c, item, profile_fields, &pb);
    for (int point = 0; point < P_N; point++) {
        if (!pb.points[point] || ks_ynode_is_null(pb.points[point])) continue;
        size_t mark = path_push(c, "plugins");
        path_push(c, point_names[point]);
        apply_point(c, &pb, point, pb.points[point]);
        path_pop(c, mark);
    }
    if (c->L->nerrors == errors && ks_sched_config_profile(&kb->sc, pb.p.scheduler_name)) {
        /* pkg/scheduler/apis/config/validation/validation.go: profiles need distinct names. */
        size_t mark = path_push(c, "schedulerName");
        err_at(c, pb.name_n ? pb.name_n : item, "duplicate schedulerName \"%s\"", pb.p.scheduler_name);
        path_pop(c, mark);
    }
    if (c->L->nerrors != errors) {
        ks_sched_profile_free(&pb.p);
        return;
    }
    ks_grow(cfg_mem(), (void **)&kb->sc.profiles, &kb->cap_profiles, kb->sc.nprofiles + 1, sizeof *kb->sc.profiles);
    kb->sc.profiles[kb->sc.nprofiles++] = pb.p;
}

static void ksc_profiles(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, add_profile, obj);
}

static void ksc_percentage(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t x;
    if (get_int(c, v, 0, 100, "an integer from 0 to 100", &x))
        ((ksc_build *)obj)->sc.percentage_of_nodes_to_score = (int32_t)x;
}

static void ksc_backoff(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ksc_build *b = obj;
    int64_t x;
    if (!get_int(c, v, 1, INT64_MAX / 1000000000LL, "a positive integer", &x)) return;
    if (arg) {
        b->max_s = x;
        b->max_n = v;
    } else {
        b->initial_s = x;
        b->initial_n = v;
    }
}

/* KubeSchedulerConfiguration, v1 (pkg/scheduler/apis/config/v1 in k8s.io/kube-scheduler). */
static const field ksc_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"percentageOfNodesToScore", ksc_percentage, 0, 0},
    {"podInitialBackoffSeconds", ksc_backoff, 0, 0},
    {"podMaxBackoffSeconds", ksc_backoff, 0, 1},
    {"profiles", ksc_profiles, 0, 0},
    {"parallelism", NULL, 0, 0},
    {"leaderElection", NULL, 0, 0},
    {"clientConnection", NULL, 0, 0},
    {"enableProfiling", NULL, 0, 0},
    {"enableContentionProfiling", NULL, 0, 0},
    {"extenders", NULL, 0, 0},
    {"delayCacheUntilActive", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

/* pkg/scheduler/apis/config/validation/validation.go: podMaxBackoffSeconds must be at least
 * podInitialBackoffSeconds. */
static void check_backoff(ctx *c, const ksc_build *b)
{
    if (b->max_s >= b->initial_s) return;
    const ks_ynode *at = b->max_n ? b->max_n : b->initial_n;
    size_t mark = path_push(c, b->max_n ? "podMaxBackoffSeconds" : "podInitialBackoffSeconds");
    if (b->max_n)
        err_at(c, at, "expected at least podInitialBackoffSeconds (%" PRId64 "), got \"%s\"", b->initial_s, at->text);
    else
        err_at(c, at, "expected at most podMaxBackoffSeconds (default %" PRId64 "), got \"%s\"", b->max_s, at->text);
    path_pop(c, mark);
}

static void load_sched_config(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    if (!claim_singleton(c, &L->sched_config, root)) return;
    /* Defaults: pkg/scheduler/apis/config/v1/defaults.go (backoff 1 s and 10 s; adaptive
     * percentageOfNodesToScore; one default profile when none is given). */
    ksc_build b = {.initial_s = 1, .max_s = 10};
    walk_map(c, root, ksc_fields, &b);
    check_backoff(c, &b);
    if (b.sc.nprofiles == 0 && L->nerrors == errors) {
        ks_grow(cfg_mem(), (void **)&b.sc.profiles, &b.cap_profiles, 1, sizeof *b.sc.profiles);
        b.sc.profiles[b.sc.nprofiles++] = default_profile();
    }
    b.sc.pod_initial_backoff = KS_SEC(b.initial_s);
    b.sc.pod_max_backoff = KS_SEC(b.max_s);
    if (L->nerrors == errors) {
        ks_sched_config_free(&L->cfg->sched);
        L->cfg->sched = b.sc;
    } else {
        ks_sched_config_free(&b.sc);
        L->sched_bad = true;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Documents and kinds
 * ------------------------------------------------------------------------------------------- */

typedef enum kind_status { K_MODELLED, K_IGNORED, K_UNSUPPORTED } kind_status;

typedef struct kind_def {
    const char *kind;
    const char *api_versions; /* accepted apiVersions, separated by spaces */
    kind_status status;
    void (*load)(ctx *c, const ks_ynode *root);
} kind_def;

/* ---------------------------------------------------------------------------------------------
 * Service (v1; k8s.io/api/core/v1 ServiceSpec, validation in pkg/apis/core/validation/
 * validation.go ValidateService). Modelled: selector, clusterIP None (headless), type
 * ExternalName (no endpoints); ports are checked and counted. NodePort and LoadBalancer are
 * modelled as ClusterIP (kube-proxy's extra rules for them are not), and the other fields are
 * listed as ignored.
 * ------------------------------------------------------------------------------------------- */

typedef struct svc_build {
    ks_service_spec s;
    meta_build meta;
    size_t cap_selector;
} svc_build;

static void svc_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((svc_build *)obj)->meta);
}

static void svc_selector(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    svc_build *b = obj;
    parse_labels(c, v, &b->s.selector, &b->cap_selector);
    /* selector is `omitempty`: an empty map is no selector (the controller skips the Service). */
    b->s.has_selector = b->s.selector.n > 0;
}

static void svc_cluster_ip(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *ip = get_str(c, v);
    if (ip) ((svc_build *)obj)->s.headless = strcmp(ip, "None") == 0;
}

static void svc_type(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const types[] = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL};
    int t = get_enum(c, v, types);
    if (t == 1 || t == 2) note_ignored_text(c, "Service spec.type %s (modelled as ClusterIP)", types[t]);
    if (t == 3) ((svc_build *)obj)->s.external_name = true;
}

static void svc_port_number(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)obj, (void)arg;
    int64_t port;
    get_int(c, v, 1, 65535, "a port number in 1..65535", &port);
}

static void svc_port_protocol(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)obj, (void)arg;
    static const char *const protocols[] = {"TCP", "UDP", "SCTP", NULL};
    get_enum(c, v, protocols);
}

/* ServicePort: port is required; targetPort (a number or a container port's name) and nodePort
 * do not change what kubesim models. */
static const field svc_port_fields[] = {
    {"name", NULL, 0, 0},
    {"protocol", svc_port_protocol, 0, 0},
    {"appProtocol", NULL, 0, 0},
    {"port", svc_port_number, F_REQUIRED, 0},
    {"targetPort", NULL, 0, 0},
    {"nodePort", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void svc_port(ctx *c, const ks_ynode *item, void *obj)
{
    if (walk_map(c, item, svc_port_fields, obj)) ((svc_build *)obj)->s.nports++;
}

static void svc_ports(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, svc_port, obj);
}

static const field svc_spec_fields[] = {
    {"selector", svc_selector, 0, 0},
    {"ports", svc_ports, 0, 0},
    {"clusterIP", svc_cluster_ip, 0, 0},
    {"type", svc_type, 0, 0},
    {"clusterIPs", NULL, 0, 0},
    {"externalIPs", NULL, 0, 0},
    {"externalName", NULL, 0, 0},
    {"externalTrafficPolicy", NULL, 0, 0},
    {"internalTrafficPolicy", NULL, 0, 0},
    {"healthCheckNodePort", NULL, 0, 0},
    {"publishNotReadyAddresses", NULL, 0, 0},
    {"sessionAffinity", NULL, 0, 0},
    {"sessionAffinityConfig", NULL, 0, 0},
    {"ipFamilies", NULL, 0, 0},
    {"ipFamilyPolicy", NULL, 0, 0},
    {"loadBalancerIP", NULL, 0, 0},
    {"loadBalancerSourceRanges", NULL, 0, 0},
    {"loadBalancerClass", NULL, 0, 0},
    {"allocateLoadBalancerNodePorts", NULL, 0, 0},
    {"trafficDistribution", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void svc_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, svc_spec_fields, obj);
}

static const field svc_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", svc_metadata, F_REQUIRED, 0},
    {"spec", svc_spec, 0, 0},
    {"status", NULL, 0, 0},
    {NULL, NULL, 0, 0},
};

static void load_service(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    svc_build b = {0};
    walk_map(c, root, svc_fields, &b);
    bool named = require_name(c, &b.meta);
    const char *ns = b.meta.ns ? b.meta.ns->text : "default";
    if (named) register_object(c, "Service", ns, b.meta.name, 0);
    if (L->nerrors == errors) {
        b.s.name = dup(b.meta.name->text);
        b.s.namespace = dup(ns);
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->services, &L->cap_services, cfg->nservices + 1, sizeof *cfg->services);
        cfg->services[cfg->nservices++] = b.s;
    } else {
        ks_service_spec_free(&b.s);
    }
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * TraceReplay: the Alibaba GPU 2023 trace (workloads/tracereplay.h reads the CSVs)
 * ------------------------------------------------------------------------------------------- */

typedef struct trace_build {
    meta_build meta;
    char *nodes, *pods; /* as written */
    const char *ns;
    int order;
    int64_t limit;
    double time_scale;
    double tune_ratio;      /* order fgd; < 0: not given */
    int64_t interval;       /* order fgd; < 0: not given */
    const ks_ynode *tune_n, *interval_n, *time_scale_n;
    const ks_ynode *sched_n; /* spec.schedulerName: the pods' (default "default-scheduler") */
    int format; /* ks_trace_format */
} trace_build;

static void trace_scheduler(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (get_nonempty_str(c, v)) ((trace_build *)obj)->sched_n = v;
}

static void trace_path(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    trace_build *b = obj;
    const char *s = get_nonempty_str(c, v);
    if (!s) return;
    char **slot = arg ? &b->pods : &b->nodes;
    ks_free(*slot);
    *slot = dup(s);
}

static void trace_order(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const orders[] = {"trace", "fgd", NULL}; /* ks_trace_order */
    int k = get_enum(c, v, orders);
    if (k >= 0) ((trace_build *)obj)->order = k;
}

static void trace_format(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    static const char *const formats[] = {"alibaba-gpu-2023", "alibaba-gpu-2025-dlrm", NULL}; /* ks_trace_format */
    int k = get_enum(c, v, formats);
    if (k >= 0) ((trace_build *)obj)->format = k;
}

static void trace_namespace(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    const char *s = get_dns_label(c, v);
    if (s) ((trace_build *)obj)->ns = s;
}

static void trace_limit(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, INT32_MAX, "a non-negative integer", &((trace_build *)obj)->limit);
}

/* Simulated seconds per trace second: the default trace spans 149 days, so 0.001 replays it
 * in about 3.6 simulated hours. */
static void trace_time_scale(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q > 0) || q > 1) { /* > 1 could overflow ks_time with the largest trace times */
        expect(c, v, "a number in (0, 1] (simulated seconds per trace second)");
        return;
    }
    ((trace_build *)obj)->time_scale = q;
    ((trace_build *)obj)->time_scale_n = v;
}

/* order fgd: the GPU request to reach, as a multiple of the cluster's GPU capacity (the
 * artifact's workloadTuningConfig.ratio; the paper uses 1.3). */
static void trace_tune_ratio(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q > 0) || q > 100) {
        expect(c, v, "a number in (0, 100] (the GPU request to reach, per unit of GPU capacity)");
        return;
    }
    ((trace_build *)obj)->tune_ratio = q;
    ((trace_build *)obj)->tune_n = v;
}

static void trace_interval(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns <= 0) {
        expect_text(c, v, "a positive duration");
        return;
    }
    ((trace_build *)obj)->interval = ns;
    ((trace_build *)obj)->interval_n = v;
}

static const field trace_spec_fields[] = {
    {"nodes", trace_path, 0, 0},
    {"pods", trace_path, 0, 1},
    {"order", trace_order, 0, 0},
    {"namespace", trace_namespace, 0, 0},
    {"limit", trace_limit, 0, 0},
    {"timeScale", trace_time_scale, 0, 0},
    {"tuneRatio", trace_tune_ratio, 0, 0},
    {"schedulerName", trace_scheduler, 0, 0},
    {"interval", trace_interval, 0, 0},
    {"format", trace_format, 0, 0},
    {NULL, NULL, 0, 0},
};

static void trace_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_meta(c, v, &((trace_build *)obj)->meta);
}

static void trace_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_map(c, v, trace_spec_fields, obj);
}

static const field trace_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", trace_metadata, F_REQUIRED, 0},
    {"spec", trace_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

/* A relative PATH is relative to the directory of the config file FILE. */
static char *resolve_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash) return dup(path);
    size_t n = (size_t)(slash - file) + 1 + strlen(path) + 1;
    char *out = ks_malloc(cfg_mem(), n);
    snprintf(out, n, "%.*s/%s", (int)(slash - file), file, path);
    return out;
}

/* Registers a trace's Node or Pod NAME as if a document at AT (the spec.nodes or spec.pods value)
 * defined it, so that a name another document also uses is an error either way round. Returns
 * false after reporting a duplicate. */
static bool register_trace_name(ctx *c, const char *kind, const char *ns, const char *name, const ks_ynode *at)
{
    loader *L = c->L;
    const objref *prev = find_object(L, kind, ns, name);
    if (prev) {
        err_at(c, at, "duplicate name: the trace's %s \"%s\" is already defined at %s:%d:%d", kind, name, prev->file,
               prev->line, prev->col);
        return false;
    }
    grow_object_index(L);
    ks_grow(cfg_mem(), (void **)&L->objs, &L->cap_objs, L->nobjs + 1, sizeof *L->objs);
    L->objs[L->nobjs] = (objref){kind, dup(ns), dup(name), c->file, at->line, at->col, 0};
    index_object(L, L->nobjs++);
    return true;
}

/* The trace's nodes become Node specs, its pods Pod documents created at their `at`, and each
 * deletion a delete of the pod (a Scenario delete, object kind 0) at its time. */
static void load_trace_replay(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    trace_build b = {.ns = "default", .limit = -1, .time_scale = 1, .tune_ratio = -1, .interval = -1};
    walk_map(c, root, trace_fields, &b);
    bool named = require_name(c, &b.meta);
    const ks_ynode *spec = ks_ymap_get(root, "spec");
    bool fgd = b.order == KS_TRACE_ORDER_FGD;
    const ks_ynode *misplaced = fgd ? b.time_scale_n : b.tune_n ? b.tune_n : b.interval_n;
    if (misplaced && L->nerrors == errors) {
        size_t mark = path_push(c, "spec");
        err_at(c, misplaced, fgd ? "timeScale applies to order: trace (order: fgd ignores the trace's times)"
                                 : "tuneRatio and interval apply to order: fgd only");
        path_pop(c, mark);
    }
    if (fgd && L->cfg->fgd.npods && L->nerrors == errors) {
        size_t mark = path_push(c, "spec.order");
        err_at(c, ks_ymap_get(spec, "order"), "only one TraceReplay may have order: fgd");
        path_pop(c, mark);
    }
    if (spec && spec->kind == KS_YMAPPING && !b.nodes && !b.pods && L->nerrors == errors) {
        size_t mark = path_push(c, "spec");
        err_at(c, spec, "expected spec.nodes, spec.pods or both");
        path_pop(c, mark);
    }
    if (b.format == KS_TRACE_ALIBABA_GPU_2025_DLRM && b.nodes) { /* tracedlrm.h: pods only */
        size_t mark = path_push(c, "spec.nodes");
        err_at(c, ks_ymap_get(spec, "nodes"),
               "the alibaba-gpu-2025-dlrm format has no node list: give the cluster as NodePools or Nodes");
        path_pop(c, mark);
    }
    if (named) register_object(c, "TraceReplay", "", b.meta.name, 0);
    if (L->nerrors == errors) {
        char *nodes = b.nodes ? resolve_path(c->file, b.nodes) : NULL, *pods = b.pods ? resolve_path(c->file, b.pods) : NULL;
        ks_trace_request req = {nodes, pods, b.ns, (ks_trace_order)b.order, b.limit, b.time_scale, (ks_trace_format)b.format};
        ks_trace_result r;
        L->nerrors += ks_trace_load(&req, &r, L->err, KS_CONFIG_MAX_ERRORS - L->nerrors);
        ks_free(nodes);
        ks_free(pods);
        const ks_ynode *nodes_n = ks_ymap_get(spec, "nodes"), *pods_n = ks_ymap_get(spec, "pods");
        size_t mark = path_push(c, "spec.nodes");
        for (size_t i = 0; i < r.nnodes && L->nerrors < KS_CONFIG_MAX_ERRORS; i++)
            register_trace_name(c, "Node", "", r.nodes[i].name, nodes_n);
        path_pop(c, mark);
        mark = path_push(c, "spec.pods");
        for (size_t i = 0; i < r.npods && L->nerrors < KS_CONFIG_MAX_ERRORS; i++)
            register_trace_name(c, "Pod", b.ns, r.pods[i].name, pods_n);
        path_pop(c, mark);
        ks_config *cfg = L->cfg;
        const ks_ynode *sched = b.sched_n;
        if (r.npods && L->nerrors == errors) { /* the pods' schedulerName, checked against the profiles */
            size_t at = path_push(c, sched ? "spec.schedulerName" : "spec.pods (schedulerName defaulted)");
            defer_scheduler_check_name(c, sched ? sched : pods_n, sched ? sched->text : "default-scheduler");
            path_pop(c, at);
            for (size_t i = 0; sched && i < r.npods; i++) {
                ks_free(r.pods[i].spec.scheduler_name);
                r.pods[i].spec.scheduler_name = dup(sched->text);
            }
        }
        if (fgd && L->nerrors == errors && r.npods) { /* the world orders them per run */
            cfg->fgd = (ks_fgd_workload){r.pods, r.npods, b.tune_ratio > 0 ? b.tune_ratio : 1.3,
                                         b.interval > 0 ? b.interval : KS_MS(100)};
            r.pods = NULL;
            r.npods = 0;
        }
        if (r.nnodes) {
            ks_grow(cfg_mem(), (void **)&cfg->nodes, &L->cap_nodes, cfg->nnodes + r.nnodes, sizeof *cfg->nodes);
            memcpy(cfg->nodes + cfg->nnodes, r.nodes, r.nnodes * sizeof *r.nodes);
            cfg->nnodes += r.nnodes;
        }
        size_t ndeletes = 0;
        for (size_t i = 0; i < r.npods; i++) ndeletes += r.delete_at[i] >= 0 && !fgd;
        if (r.npods) {
            ks_grow(cfg_mem(), (void **)&cfg->pods, &L->cap_pods, cfg->npods + r.npods, sizeof *cfg->pods);
            memcpy(cfg->pods + cfg->npods, r.pods, r.npods * sizeof *r.pods);
            cfg->npods += r.npods;
        }
        if (ndeletes) {
            ks_grow(cfg_mem(), (void **)&cfg->actions, &L->cap_actions, cfg->nactions + ndeletes, sizeof *cfg->actions);
            ks_grow(cfg_mem(), (void **)&L->action_refs, &L->cap_action_refs, cfg->nactions + ndeletes, sizeof *L->action_refs);
            for (size_t i = 0; i < r.npods; i++) {
                if (r.delete_at[i] < 0 || fgd) continue;
                cfg->actions[cfg->nactions] = (ks_scenario_action){
                    .at = r.delete_at[i],
                    .kind = KS_ACTION_DELETE,
                    .deployment = dup(r.pods[i].name),
                    .namespace = dup(b.ns),
                    .nodes = {.count = -1, .fraction = -1},
                    .object_kind = 0,
                };
                L->action_refs[cfg->nactions] = (action_ref){.file = c->file, .line = root->line, .col = root->col};
                cfg->nactions++;
            }
        }
        ks_free(r.nodes); /* the elements moved into cfg */
        ks_free(r.pods);
        ks_free(r.delete_at);
    }
    ks_free(b.nodes);
    ks_free(b.pods);
    meta_free(&b.meta);
}

/* ---------------------------------------------------------------------------------------------
 * Workload (kubesim.io/v1alpha1): an arrival process and a weighted mix of Pod, Job and
 * Deployment templates (models/workload.h draws the arrivals at run time; nothing random
 * happens here). Its templates reuse the Pod template, JobSpec and DeploymentSpec tables above.
 * ------------------------------------------------------------------------------------------- */

/* Where a Workload's checks against the experiment's duration report (check_workloads). */
typedef struct wl_ref {
    const char *file;
    int line, col;   /* spec.start, or spec when absent */
    int tline, tcol; /* fixed.times: the latest time */
    int nline, ncol; /* metadata.name */
    bool end_given;
} wl_ref;

typedef struct wl_build {
    ks_workload_spec w;
    meta_build meta;
    size_t cap_templates;
    const ks_ynode *spec_n, *start_n, *end_n, *times_n;
    bool end_given;
} wl_build;

#define WL_GENERATORS "fixed, poisson, diurnal or bursts"

/* A number (an integer or a decimal) at least 0, or more than 0 with POSITIVE. */
static bool wl_number(ctx *c, const ks_ynode *v, bool positive, const char *what, double *out)
{
    ks_yscalar_type ty = v->kind == KS_YSCALAR ? ks_yscalar_resolve(v) : KS_YS_STR;
    char *end = NULL;
    double q = ty == KS_YS_INT || ty == KS_YS_FLOAT ? strtod(v->text, &end) : -1;
    if (!end || *end || !(q >= 0) || (positive && !(q > 0)) || q > 1e9) {
        expect(c, v, what);
        return false;
    }
    *out = q;
    return true;
}

static void wl_start_end(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    wl_build *b = obj;
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns < 0) {
        expect_text(c, v, "a time that is not negative");
        return;
    }
    if (arg) {
        b->w.end = ns;
        b->end_n = v;
        b->end_given = true;
    } else {
        b->w.start = ns;
        b->start_n = v;
    }
}

static void wl_max_arrivals(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 0, INT64_MAX, "a non-negative integer", &((wl_build *)obj)->w.max_arrivals);
}

static void wl_time_item(ctx *c, const ks_ynode *item, void *obj)
{
    ks_arrival_spec *s = obj;
    int64_t ns;
    if (!get_duration(c, item, &ns)) return;
    if (ns < 0) {
        expect_text(c, item, "a time that is not negative");
        return;
    }
    s->times[s->ntimes++] = ns;
}

static void fixed_times(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wl_build *b = obj;
    ks_arrival_spec *s = &b->w.arrivals;
    if (v->kind == KS_YSEQUENCE && v->nkids == 0) {
        expect(c, v, "a list of at least one time");
        return;
    }
    ks_free(s->times);
    s->times = ks_malloc(cfg_mem(), (v->kind == KS_YSEQUENCE ? v->nkids : 1) * sizeof *s->times);
    s->ntimes = 0;
    s->kind = KS_ARRIVAL_TIMES;
    if (walk_seq(c, v, wl_time_item, s)) b->times_n = v;
}

static void fixed_interval(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_arrival_spec *s = &((wl_build *)obj)->w.arrivals;
    s->kind = KS_ARRIVAL_INTERVAL;
    get_positive_duration(c, v, &s->interval);
}

static const field fixed_fields[] = {
    {"times", fixed_times, 0, 0},
    {"interval", fixed_interval, 0, 0},
    {NULL, NULL, 0, 0},
};

static void poisson_rate(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wl_number(c, v, true, "a rate above 0 (arrivals per second)", &((wl_build *)obj)->w.arrivals.rate);
}

static const field poisson_fields[] = {
    {"rate", poisson_rate, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void diurnal_rates(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_arrival_spec *s = &((wl_build *)obj)->w.arrivals;
    if (v->kind != KS_YSEQUENCE) {
        expect(c, v, "a list of 24 rates (arrivals per second in each hour of the day, from midnight)");
        return;
    }
    if (v->nkids != 24) {
        err_at(c, v, "expected 24 rates (arrivals per second in each hour of the day, from midnight), got %zu", v->nkids);
        return;
    }
    double sum = 0;
    int errors = c->L->nerrors;
    for (size_t h = 0; h < 24; h++) {
        size_t mark = path_index(c, h);
        if (wl_number(c, v->kids[h], false, "a rate of 0 or more (arrivals per second)", &s->rates[h])) sum += s->rates[h];
        path_pop(c, mark);
    }
    if (c->L->nerrors == errors && !(sum > 0)) err_at(c, v, "expected at least one rate above 0");
}

static void diurnal_offset(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    ks_arrival_spec *s = &((wl_build *)obj)->w.arrivals;
    int64_t ns;
    if (!get_duration(c, v, &ns)) return;
    if (ns < 0 || ns >= KS_SEC(86400)) {
        expect_text(c, v, "a time of day from 0s to below 24h");
        return;
    }
    s->day_offset = ns;
}

static const field diurnal_fields[] = {
    {"rates", diurnal_rates, F_REQUIRED, 0},
    {"offset", diurnal_offset, 0, 0},
    {NULL, NULL, 0, 0},
};

static void bursts_duration(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    ks_arrival_spec *s = &((wl_build *)obj)->w.arrivals;
    int64_t ns;
    if (arg == 0) {
        get_positive_duration(c, v, &s->every);
        return;
    }
    if (!get_duration(c, v, &ns)) return;
    if (ns < 0) {
        expect_text(c, v, "a duration that is not negative");
        return;
    }
    if (arg == 1) s->spread = ns;
    else s->jitter = ns;
}

static void bursts_size(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    get_int(c, v, 1, INT32_MAX, "a positive integer", &((wl_build *)obj)->w.arrivals.size);
}

static const field bursts_fields[] = {
    {"every", bursts_duration, F_REQUIRED, 0},
    {"size", bursts_size, F_REQUIRED, 0},
    {"spread", bursts_duration, 0, 1},
    {"jitter", bursts_duration, 0, 2},
    {NULL, NULL, 0, 0},
};

/* One generator under spec.arrivals; ARG is its ks_arrival_kind (fixed: resolved by its key). */
static void wl_generator(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    wl_build *b = obj;
    ks_arrival_spec *s = &b->w.arrivals;
    if (arg == KS_ARRIVAL_TIMES) {
        if (!walk_map(c, v, fixed_fields, obj)) return;
        bool times = !ks_ynode_is_null(ks_ymap_get(v, "times")), every = !ks_ynode_is_null(ks_ymap_get(v, "interval"));
        if (times == every) err_at(c, v, "expected exactly one of times or interval");
        return;
    }
    s->kind = (ks_arrival_kind)arg;
    if (arg == KS_ARRIVAL_POISSON) walk_map(c, v, poisson_fields, obj);
    else if (arg == KS_ARRIVAL_DIURNAL) walk_map(c, v, diurnal_fields, obj);
    else if (walk_map(c, v, bursts_fields, obj) && s->every > 0 && s->spread + s->jitter > s->every)
        err_at(c, v, "expected spread + jitter to be at most every (bursts would overlap)");
}

static const field arrivals_fields[] = {
    {"fixed", wl_generator, 0, KS_ARRIVAL_TIMES},
    {"poisson", wl_generator, 0, KS_ARRIVAL_POISSON},
    {"diurnal", wl_generator, 0, KS_ARRIVAL_DIURNAL},
    {"bursts", wl_generator, 0, KS_ARRIVAL_BURSTS},
    {NULL, NULL, 0, 0},
};

static void wl_arrivals(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (v->kind == KS_YMAPPING) { /* exactly one generator: say so before parsing a second one */
        const ks_ynode *first = NULL;
        for (size_t i = 0; i < ks_ymap_size(v); i++) {
            const ks_ynode *k = ks_ymap_key(v, i);
            if (!field_find(arrivals_fields, k->text) || ks_ynode_is_null(ks_ymap_value(v, i))) continue;
            if (first) {
                err_at(c, k, "expected exactly one of " WL_GENERATORS ", got both %s and %s", first->text, k->text);
                return;
            }
            first = k;
        }
        if (!first) err_at(c, v, "expected exactly one of " WL_GENERATORS);
    }
    walk_map(c, v, arrivals_fields, obj);
}

/* One entry of spec.templates: {weight, pod | job | deployment, lifetime}. */
typedef struct wlt_build {
    ks_workload_template t;
    const char *ns;
    int objects;
} wlt_build;

static void wlt_weight(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wl_number(c, v, true, "a weight above 0", &((wlt_build *)obj)->t.weight);
}

static void wlt_lifetime(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wlt_build *b = obj;
    int errors = c->L->nerrors;
    parse_dist(c, v, U_DURATION, &b->t.lifetime);
    b->t.has_lifetime = c->L->nerrors == errors;
}

/* A second object in one entry: reported at its key, not parsed. */
static bool wlt_claim(ctx *c, const ks_ynode *v, wlt_build *b)
{
    if (b->objects++ == 0) return true;
    err_at(c, v, "expected only one of pod, job or deployment in a template");
    return false;
}

/* pod: a PodTemplateSpec, parsed as a Deployment's spec.template. */
static void wlt_pod(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wlt_build *b = obj;
    if (!wlt_claim(c, v, b)) return;
    dep_build db = {0};
    pod_spec_init(&db.d.template);
    db.pb.s = &db.d.template;
    walk_map(c, v, template_fields, &db);
    pod_spec_finish(c, &db.d.template, &db.tmeta, b->ns, "metadata");
    const ks_ynode *named = db.tmeta.name ? db.tmeta.name : db.tmeta.ns;
    if (named) {
        size_t mark = path_push(c, db.tmeta.name ? "metadata.name" : "metadata.namespace");
        err_at(c, named, "not allowed in a Workload's template: each arrival's object is named "
                         "<workload>-<index>, in spec.namespace");
        path_pop(c, mark);
    }
    b->t.object = KS_WORKLOAD_POD;
    b->t.pod = db.d.template;
    meta_free(&db.tmeta);
}

/* job: a JobSpec, with load_job's defaulting and checks (pkg/apis/batch/v1/defaults.go,
 * pkg/apis/batch/validation). */
static void wlt_job(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wlt_build *b = obj;
    if (!wlt_claim(c, v, b)) return;
    job_build jb = {.j = {.parallelism = 1, .completions = -1, .backoff_limit = 6, .active_deadline_s = -1,
                          .ttl_after_finished_s = -1}};
    pod_spec_init(&jb.j.template);
    jb.pb.s = &jb.j.template;
    walk_map(c, v, jobspec_fields, &jb);
    pod_spec_finish(c, &jb.j.template, &jb.tmeta, b->ns, "template.metadata");
    if (!jb.completions_set && !jb.parallelism_set) jb.j.completions = 1;
    if (jb.j.completion_mode == KS_COMPLETION_INDEXED && !jb.completions_set) {
        size_t mark = path_push(c, "completions");
        err_at(c, jb.mode_n, "Required value: when completion mode is Indexed");
        path_pop(c, mark);
    }
    if (jb.template_n && jb.j.template.restart_policy == KS_RESTART_ALWAYS) {
        const ks_ynode *at = ks_ymap_get(ks_ymap_get(jb.template_n, "spec"), "restartPolicy");
        size_t mark = path_push(c, "template.spec.restartPolicy");
        err_at(c, at ? at : jb.template_n, "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
        path_pop(c, mark);
    }
    jb.j.namespace = dup(b->ns);
    b->t.object = KS_WORKLOAD_JOB;
    b->t.job = jb.j;
    meta_free(&jb.meta);
    meta_free(&jb.tmeta);
}

/* deployment: a DeploymentSpec, with load_deployment's defaulting and checks. */
static void wlt_deployment(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wlt_build *b = obj;
    if (!wlt_claim(c, v, b)) return;
    dep_build db = {.d = {.replicas = 1, .strategy = KS_STRATEGY_ROLLING_UPDATE, .max_surge = {25, true},
                          .max_unavailable = {25, true}, .progress_deadline_s = 600, .revision_history_limit = 10}};
    pod_spec_init(&db.d.template);
    db.pb.s = &db.d.template;
    walk_map(c, v, depspec_fields, &db);
    pod_spec_finish(c, &db.d.template, &db.tmeta, b->ns, "template.metadata");
    if (db.selector_ok && db.template_n) check_selector(c, &db, "template.metadata.labels");
    if (db.d.template.restart_policy != KS_RESTART_ALWAYS) {
        const ks_ynode *at = ks_ymap_get(ks_ymap_get(db.template_n, "spec"), "restartPolicy");
        size_t mark = path_push(c, "template.spec.restartPolicy");
        err_at(c, at ? at : db.template_n ? db.template_n : v, "Unsupported value: supported values: \"Always\"");
        path_pop(c, mark);
    }
    db.d.namespace = dup(b->ns);
    db.d.template_hash = db.template_n ? template_hash(db.template_n) : dup("");
    b->t.object = KS_WORKLOAD_DEPLOYMENT;
    b->t.deployment = db.d;
    meta_free(&db.meta);
    meta_free(&db.tmeta);
}

static const field wl_template_fields[] = {
    {"weight", wlt_weight, 0, 0},
    {"pod", wlt_pod, 0, 0},
    {"job", wlt_job, 0, 0},
    {"deployment", wlt_deployment, 0, 0},
    {"lifetime", wlt_lifetime, 0, 0},
    {NULL, NULL, 0, 0},
};

static void wl_template(ctx *c, const ks_ynode *item, void *obj)
{
    wl_build *b = obj;
    loader *L = c->L;
    int errors = L->nerrors;
    wlt_build tb = {.t = {.weight = 1}, .ns = b->w.namespace};
    walk_map(c, item, wl_template_fields, &tb);
    if (item->kind == KS_YMAPPING && tb.objects == 0) err_at(c, item, "expected one of pod, job or deployment");
    if (L->nerrors != errors || tb.objects == 0) {
        ks_workload_template_free(&tb.t);
        return;
    }
    ks_grow(cfg_mem(), (void **)&b->w.templates, &b->cap_templates, b->w.ntemplates + 1, sizeof *b->w.templates);
    b->w.templates[b->w.ntemplates++] = tb.t;
}

static void wl_templates(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    if (v->kind == KS_YSEQUENCE && v->nkids == 0) {
        expect(c, v, "a list of at least one template");
        return;
    }
    walk_seq(c, v, wl_template, obj);
}

static const field wl_spec_fields[] = {
    {"namespace", f_skip, 0, 0}, /* read first: the templates need it */
    {"start", wl_start_end, 0, 0},
    {"end", wl_start_end, 0, 1},
    {"maxArrivals", wl_max_arrivals, 0, 0},
    {"arrivals", wl_arrivals, F_REQUIRED, 0},
    {"templates", wl_templates, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static void wl_metadata(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wl_build *b = obj;
    walk_meta(c, v, &b->meta);
    if (b->meta.name) c->name = b->meta.name->text;
    if (b->meta.ns) {
        size_t mark = path_push(c, "namespace");
        err_at(c, b->meta.ns, "not allowed: a Workload is cluster-scoped; spec.namespace is where its objects go");
        path_pop(c, mark);
    }
}

static void wl_spec(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    wl_build *b = obj;
    b->spec_n = v;
    const ks_ynode *ns = v->kind == KS_YMAPPING ? ks_ymap_get(v, "namespace") : NULL;
    if (ns && !ks_ynode_is_null(ns)) {
        size_t mark = path_push(c, "namespace");
        if (get_dns_label(c, ns)) {
            ks_free(b->w.namespace);
            b->w.namespace = dup(ns->text);
        }
        path_pop(c, mark);
    }
    walk_map(c, v, wl_spec_fields, obj);
}

static const field workload_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", wl_metadata, F_REQUIRED, 0},
    {"spec", wl_spec, F_REQUIRED, 0},
    {NULL, NULL, 0, 0},
};

static int cmp_time(const void *a, const void *b)
{
    ks_time x = *(const ks_time *)a, y = *(const ks_time *)b;
    return x < y ? -1 : x > y;
}

static void load_workload(ctx *c, const ks_ynode *root)
{
    loader *L = c->L;
    int errors = L->nerrors;
    wl_build b = {.w = {.namespace = dup("default"), .end = -1, .max_arrivals = -1}};
    walk_map(c, root, workload_fields, &b);
    bool named = require_name(c, &b.meta);
    ks_workload_spec *w = &b.w;
    if (b.end_given && w->end <= w->start) {
        char d[32];
        ks_duration_format(w->start, d, sizeof d);
        size_t mark = path_push(c, "spec.end");
        err_at(c, b.end_n, "expected a time after spec.start (%s)", d);
        path_pop(c, mark);
    }
    /* Fixed times within [start, end); the latest is checked against the duration later when
     * end is not given. */
    if (b.times_n && L->nerrors == errors) {
        for (size_t i = 0; i < w->arrivals.ntimes; i++) {
            ks_time t = w->arrivals.times[i];
            char d[32];
            bool early = t < w->start, late = b.end_given && t >= w->end;
            if (early || late) {
                ks_duration_format(early ? w->start : w->end, d, sizeof d);
                size_t mark = path_push(c, "spec.arrivals.fixed.times");
                path_index(c, i);
                err_at(c, b.times_n->kids[i], early ? "expected a time at or after spec.start (%s)" : "expected a time before spec.end (%s)", d);
                path_pop(c, mark);
            }
        }
        qsort(w->arrivals.times, w->arrivals.ntimes, sizeof *w->arrivals.times, cmp_time);
    }
    /* A Job's name is its pods' job-name label value: at most 63 characters
     * (k8s.io/apimachinery/pkg/util/validation IsValidLabelValue), so "<workload>-<index>" with
     * an index up to 10 digits leaves 52. */
    bool jobs = false;
    for (size_t i = 0; i < w->ntemplates; i++) jobs |= w->templates[i].object == KS_WORKLOAD_JOB;
    if (named && jobs && strlen(b.meta.name->text) > 52) {
        size_t mark = path_push(c, "metadata.name");
        err_at(c, b.meta.name, "expected at most 52 characters: its Jobs are named <name>-<index>, a label value "
                               "of at most 63 characters");
        path_pop(c, mark);
    }
    if (named) register_object(c, "Workload", "", b.meta.name, 0);
    if (L->nerrors == errors && named) {
        w->name = dup(b.meta.name->text);
        ks_config *cfg = L->cfg;
        ks_grow(cfg_mem(), (void **)&cfg->workloads, &L->cap_workloads, cfg->nworkloads + 1, sizeof *cfg->workloads);
        ks_grow(cfg_mem(), (void **)&L->wl_refs, &L->cap_wl_refs, cfg->nworkloads + 1, sizeof *L->wl_refs);
        const ks_ynode *at = b.start_n ? b.start_n : b.spec_n ? b.spec_n : root;
        wl_ref r = {c->file, at->line, at->col, 0, 0, b.meta.name->line, b.meta.name->col, b.end_given};
        if (b.times_n) {
            size_t k = 0; /* the list position of the latest time */
            int64_t best = -1, x;
            for (size_t i = 0; i < b.times_n->nkids; i++)
                if (ks_duration_parse(b.times_n->kids[i]->text, &x) == KS_QTY_OK && x >= best) best = x, k = i;
            r.tline = b.times_n->kids[k]->line;
            r.tcol = b.times_n->kids[k]->col;
        }
        L->wl_refs[cfg->nworkloads] = r;
        cfg->workloads[cfg->nworkloads++] = b.w;
    } else {
        ks_workload_spec_free(&b.w);
    }
    meta_free(&b.meta);
}

/* Whether NAME is "<prefix>-<index>" with a decimal index without leading zeros. */
static bool generated_name(const char *prefix, const char *name)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || name[n] != '-') return false;
    const char *d = name + n + 1;
    size_t digits = strspn(d, "0123456789");
    return digits && !d[digits] && !(d[0] == '0' && digits > 1);
}

/* What only every document together decides: a Workload's end when it names none (the
 * experiment's duration), and that no Pod, Job or Deployment of the config has a name one of
 * its arrivals will take. */
static void check_workloads(loader *L)
{
    ks_config *cfg = L->cfg;
    for (size_t i = 0; i < cfg->nworkloads; i++) {
        ks_workload_spec *w = &cfg->workloads[i];
        const wl_ref *r = &L->wl_refs[i];
        if (r->end_given) continue;
        w->end = cfg->experiment.duration;
        char msg[200], d[32];
        ks_duration_format(w->end, d, sizeof d);
        snprintf(msg, sizeof msg, "expected a time before the experiment's end (%s), or set spec.end", d);
        if (w->start >= w->end) report(L, r->file, r->line, r->col, "Workload", w->name, "spec.start", msg);
        else if (w->arrivals.kind == KS_ARRIVAL_TIMES && w->arrivals.ntimes && w->arrivals.times[w->arrivals.ntimes - 1] >= w->end)
            report(L, r->file, r->tline, r->tcol, "Workload", w->name, "spec.arrivals.fixed.times", msg);
    }
    static const char *const kinds_made[] = {"Pod", "Job", "Deployment"};
    for (size_t o = 0; o < L->nobjs && cfg->nworkloads; o++) {
        const objref *obj = &L->objs[o];
        for (size_t i = 0; i < cfg->nworkloads; i++) {
            const ks_workload_spec *w = &cfg->workloads[i];
            bool makes = false;
            for (size_t k = 0; k < w->ntemplates; k++) makes |= !strcmp(kinds_made[w->templates[k].object], obj->kind);
            if (!makes || strcmp(w->namespace, obj->ns) || !generated_name(w->name, obj->name)) continue;
            char msg[600];
            snprintf(msg, sizeof msg, "duplicate name: Workload \"%s\" (%s:%d:%d) also creates a %s named \"%s\"",
                     w->name, L->wl_refs[i].file, L->wl_refs[i].nline, L->wl_refs[i].ncol, obj->kind, obj->name);
            report(L, obj->file, obj->line, obj->col, obj->kind, obj->name, "metadata.name", msg);
        }
    }
}

static void load_list(ctx *c, const ks_ynode *root);

static const kind_def kinds[] = {
    {"Experiment", "kubesim.io/v1alpha1", K_MODELLED, load_experiment},
    {"NodePool", "kubesim.io/v1alpha1", K_MODELLED, load_pool},
    {"ControlPlane", "kubesim.io/v1alpha1", K_MODELLED, load_control_plane},
    {"Node", "v1", K_MODELLED, load_node},
    {"Pod", "v1", K_MODELLED, load_pod},
    {"Deployment", "apps/v1", K_MODELLED, load_deployment},
    {"KubeSchedulerConfiguration", "kubescheduler.config.k8s.io/v1", K_MODELLED, load_sched_config},
    {"List", "v1", K_MODELLED, load_list},
    /* Kinds that change what runs: dropping them silently would falsify the experiment. */
    {"ReplicaSet", "apps/v1", K_UNSUPPORTED, NULL},
    {"StatefulSet", "apps/v1", K_UNSUPPORTED, NULL},
    {"DaemonSet", "apps/v1", K_UNSUPPORTED, NULL},
    {"Job", "batch/v1", K_MODELLED, load_job},
    {"CronJob", "batch/v1", K_UNSUPPORTED, NULL},
    {"EndpointSlice", "discovery.k8s.io/v1", K_UNSUPPORTED, NULL},
    {"PodDisruptionBudget", "policy/v1", K_MODELLED, load_pdb},
    {"Service", "v1", K_MODELLED, load_service},
    {"PriorityClass", "scheduling.k8s.io/v1", K_MODELLED, load_priority_class},
    {"Scenario", "kubesim.io/v1alpha1", K_MODELLED, load_scenario},
    {"Workload", "kubesim.io/v1alpha1", K_MODELLED, load_workload},
    {"TraceReplay", "kubesim.io/v1alpha1", K_MODELLED, load_trace_replay},
    /* Kinds with no effect on scheduling or startup in the models: noted and skipped. */
    {"ConfigMap", "v1", K_IGNORED, NULL},
    {"Secret", "v1", K_IGNORED, NULL},
    {"ServiceAccount", "v1", K_IGNORED, NULL},
    {"Namespace", "v1", K_IGNORED, NULL},
    {"LimitRange", "v1", K_IGNORED, NULL},
    {"ResourceQuota", "v1", K_IGNORED, NULL},
    {"PersistentVolumeClaim", "v1", K_IGNORED, NULL},
    {"PersistentVolume", "v1", K_IGNORED, NULL},
    {"Role", "rbac.authorization.k8s.io/v1", K_IGNORED, NULL},
    {"RoleBinding", "rbac.authorization.k8s.io/v1", K_IGNORED, NULL},
    {"ClusterRole", "rbac.authorization.k8s.io/v1", K_IGNORED, NULL},
    {"ClusterRoleBinding", "rbac.authorization.k8s.io/v1", K_IGNORED, NULL},
    {"NetworkPolicy", "networking.k8s.io/v1", K_IGNORED, NULL},
    {"Ingress", "networking.k8s.io/v1", K_IGNORED, NULL},
    {"StorageClass", "storage.k8s.io/v1", K_IGNORED, NULL},
    {"HorizontalPodAutoscaler", "autoscaling/v2 autoscaling/v1", K_IGNORED, NULL},
    {"CustomResourceDefinition", "apiextensions.k8s.io/v1", K_IGNORED, NULL},
};

static const kind_def *find_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].kind, kind) == 0) return &kinds[i];
    return NULL;
}

static bool api_version_ok(const char *list, const char *api)
{
    size_t n = strlen(api);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, api, n) == 0) return true;
        p += len;
        p += *p == ' ';
    }
    return false;
}

static void wrong_api_version(ctx *c, const kind_def *k, const ks_ynode *api)
{
    char want[128];
    size_t n = 0;
    for (const char *p = k->api_versions; *p && n + 1 < sizeof want;) {
        size_t len = strcspn(p, " ");
        n += (size_t)snprintf(want + n, sizeof want - n, "%s\"%.*s\"", n ? " or " : "", (int)len, p);
        p += len;
        p += *p == ' ';
    }
    size_t mark = path_push(c, "apiVersion");
    char what[200];
    snprintf(what, sizeof what, "%s for kind %s", want, k->kind);
    expect(c, api, what);
    path_pop(c, mark);
}

/* apiVersion and kind: required non-empty strings. */
static bool header_field(ctx *c, const ks_ynode *root, const char *key)
{
    const ks_ynode *v = ks_ymap_get(root, key);
    if (ks_ynode_is_null(v)) {
        err_at(c, root, "missing required field \"%s\"", key);
        return false;
    }
    size_t mark = path_push(c, key);
    bool ok = get_nonempty_str(c, v) != NULL;
    path_pop(c, mark);
    return ok;
}

static void load_document(loader *L, const char *file, const ks_ynode *root)
{
    ctx c = {.L = L, .file = file};
    if (ks_ynode_is_null(root)) return; /* an empty document, e.g. a trailing "---" */
    if (root->kind != KS_YMAPPING) {
        expect(&c, root, "a Kubernetes object (a mapping with apiVersion and kind)");
        return;
    }
    const ks_ynode *name = ks_ymap_get(ks_ymap_get(root, "metadata"), "name");
    if (name && name->kind == KS_YSCALAR && !ks_ynode_is_null(name)) c.name = name->text;
    bool has_kind = header_field(&c, root, "kind");
    if (!header_field(&c, root, "apiVersion") || !has_kind) return;
    const ks_ynode *kind = ks_ymap_get(root, "kind"), *api = ks_ymap_get(root, "apiVersion");
    const kind_def *k = find_kind(kind->text);
    if (!k) {
        size_t mark = path_push(&c, "kind");
        err_at(&c, kind, "unknown kind \"%.60s\"", kind->text);
        path_pop(&c, mark);
        return;
    }
    c.kind = k->kind;
    if (k->status == K_UNSUPPORTED) {
        err_at(&c, kind, "kind %s is not supported by this version of kubesim", k->kind);
    } else if (!api_version_ok(k->api_versions, api->text)) {
        wrong_api_version(&c, k, api);
    } else if (k->status == K_IGNORED) {
        note_ignored_text(&c, "kind %s", k->kind);
    } else {
        k->load(&c, root);
    }
}

static void list_item(ctx *c, const ks_ynode *item, void *obj)
{
    (void)obj;
    load_document(c->L, c->file, item);
}

static void list_items(ctx *c, const ks_ynode *v, void *obj, int arg)
{
    (void)arg;
    walk_seq(c, v, list_item, obj);
}

/* A List (what `kubectl get -o yaml` writes): each item is loaded as a document of its own. Its
 * metadata is only the list's resourceVersion, with nothing to model or report. */
static const field list_fields[] = {
    {"apiVersion", f_skip, 0, 0},
    {"kind", f_skip, 0, 0},
    {"metadata", f_skip, 0, 0},
    {"items", list_items, 0, 0},
    {NULL, NULL, 0, 0},
};

static void load_list(ctx *c, const ks_ynode *root) { walk_map(c, root, list_fields, NULL); }

/* ---------------------------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = ks_malloc(cfg_mem(), cap);
    for (;;) {
        if (cap - n < 2) buf = ks_realloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0) break;
        n += got;
    }
    if (ferror(f)) {
        *err = errno ? errno : EIO;
        fclose(f);
        ks_free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static void append_text(loader *L, const char *s, size_t n)
{
    ks_config *cfg = L->cfg;
    ks_grow(cfg_mem(), (void **)&cfg->text, &L->cap_text, L->len_text + n + 1, 1);
    memcpy(cfg->text + L->len_text, s, n);
    L->len_text += n;
    cfg->text[L->len_text] = 0;
}

static void load_file(loader *L, const char *path)
{
    size_t len = 0;
    int e = 0;
    char *text = read_file(path, &len, &e);
    if (!text) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot read: %s", strerror(e));
        report(L, path, 0, 0, NULL, NULL, NULL, msg);
        return;
    }
    append_text(L, "# kubesim: file ", 16);
    append_text(L, path, strlen(path));
    append_text(L, "\n", 1);
    append_text(L, text, len);
    if (len && text[len - 1] != '\n') append_text(L, "\n", 1);
    ks_ystream st;
    ks_yerror ye;
    if (ks_yaml_parse(text, len, &st, &ye) != 0) {
        report(L, path, ye.line, ye.col, NULL, NULL, NULL, ye.msg);
    } else {
        for (size_t i = 0; i < st.ndocs && L->nerrors < KS_CONFIG_MAX_ERRORS; i++)
            load_document(L, path, st.docs[i].root);
        ks_ystream_free(&st);
    }
    ks_free(text);
}

/* ---------------------------------------------------------------------------------------------
 * Checks across documents
 * ------------------------------------------------------------------------------------------- */

static void check_scheduler_names(loader *L)
{
    const ks_sched_config *sc = &L->cfg->sched;
    if (L->sched_bad) return;
    for (size_t i = 0; i < L->nscheds; i++) {
        const schedref *r = &L->scheds[i];
        if (ks_sched_config_profile(sc, r->scheduler)) continue;
        char names[256] = "";
        size_t n = 0;
        for (size_t j = 0; j < sc->nprofiles && n + 1 < sizeof names; j++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s\"%s\"", j ? ", " : "", sc->profiles[j].scheduler_name);
        char msg[512], got[80];
        clip(r->scheduler, got, sizeof got);
        snprintf(msg, sizeof msg, "expected the schedulerName of a scheduler profile (%s), got \"%s\"", names, got);
        report(L, r->file, r->line, r->col, r->kind, r->name, r->path, msg);
    }
}

/* Whether POOL creates a node called NAME: "<pool>-<index>" with 0 <= index < count, the index
 * written in decimal without leading zeros. */
static bool pool_creates(const objref *pool, const char *name)
{
    size_t n = strlen(pool->name);
    if (strncmp(name, pool->name, n) != 0 || name[n] != '-') return false;
    const char *d = name + n + 1;
    size_t digits = strspn(d, "0123456789");
    if (digits == 0 || digits > 18 || d[digits] || (d[0] == '0' && digits > 1)) return false;
    return strtoll(d, NULL, 10) < pool->count;
}

/* O(nodes x pools): pools are few. */
static void check_node_names(loader *L)
{
    size_t npools = 0, cap = 0;
    const objref **pools = NULL;
    for (size_t i = 0; i < L->nobjs; i++) {
        if (strcmp(L->objs[i].kind, "NodePool") != 0) continue;
        ks_grow(cfg_mem(), (void **)&pools, &cap, npools + 1, sizeof *pools);
        pools[npools++] = &L->objs[i];
    }
    for (size_t i = 0; i < L->nobjs && npools; i++) {
        const objref *node = &L->objs[i];
        if (strcmp(node->kind, "Node") != 0) continue;
        for (size_t j = 0; j < npools; j++) {
            const objref *pool = pools[j];
            if (!pool_creates(pool, node->name)) continue;
            char msg[600];
            snprintf(msg, sizeof msg, "duplicate node name: NodePool \"%s\" (%s:%d:%d) also creates a node named \"%s\"",
                     pool->name, pool->file, pool->line, pool->col, node->name);
            report(L, node->file, node->line, node->col, "Node", node->name, "metadata.name", msg);
            break;
        }
    }
    ks_free(pools);
}

static void loader_free(loader *L)
{
    for (size_t i = 0; i < L->nobjs; i++) {
        ks_free(L->objs[i].ns);
        ks_free(L->objs[i].name);
    }
    ks_free(L->objs);
    ks_free(L->obj_slots);
    for (size_t i = 0; i < L->nscheds; i++) {
        ks_free(L->scheds[i].name);
        ks_free(L->scheds[i].path);
        ks_free(L->scheds[i].scheduler);
    }
    ks_free(L->scheds);
    for (size_t i = 0; i < L->nprio_refs; i++) {
        ks_free(L->prio_refs[i].name);
        ks_free(L->prio_refs[i].path);
        ks_free(L->prio_refs[i].scheduler);
    }
    ks_free(L->prio_refs);
}

/* ---------------------------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------------------------- */

int ks_config_load(ks_config *cfg, const char *const *paths, size_t npaths, FILE *err)
{
    memset(cfg, 0, sizeof *cfg);
    loader L = {.cfg = cfg, .err = err};
    cfg->experiment = experiment_defaults();
    ks_sched_config_default(&cfg->sched);
    ks_timings_default(&cfg->timings);
    for (size_t i = 0; i < npaths && L.nerrors < KS_CONFIG_MAX_ERRORS; i++) load_file(&L, paths[i]);
    if (L.nerrors < KS_CONFIG_MAX_ERRORS) check_scheduler_names(&L);
    if (L.nerrors < KS_CONFIG_MAX_ERRORS) check_node_names(&L);
    if (L.nerrors < KS_CONFIG_MAX_ERRORS) check_actions(&L);
    if (L.nerrors < KS_CONFIG_MAX_ERRORS) check_workloads(&L);
    if (L.nerrors < KS_CONFIG_MAX_ERRORS) resolve_priorities(&L);
    ks_free(L.wl_refs);
    for (size_t i = 0; i < cfg->nactions; i++) {
        ks_free(L.action_refs[i].scenario);
        ks_free(L.action_refs[i].path);
        ks_free(L.action_refs[i].name_lines);
    }
    for (size_t i = 0; i < L.cfg->nfailure_procs && L.failure_refs; i++) {
        ks_free(L.failure_refs[i].scenario);
        ks_free(L.failure_refs[i].path);
    }
    for (size_t i = 0; i < L.nat_refs; i++) {
        ks_free(L.at_refs[i].scenario);
        ks_free(L.at_refs[i].path);
        ks_free(L.at_refs[i].name_lines);
    }
    ks_free(L.action_refs);
    ks_free(L.failure_refs);
    ks_free(L.at_refs);
    if (!cfg->experiment.name) cfg->experiment.name = dup("kubesim");
    if (!cfg->experiment.output) {
        size_t n = strlen(cfg->experiment.name) + 4;
        cfg->experiment.output = ks_malloc(cfg_mem(), n);
        snprintf(cfg->experiment.output, n, "%s.h5", cfg->experiment.name);
    }
    if (!cfg->text) cfg->text = dup("");
    int nerrors = L.nerrors;
    loader_free(&L);
    if (nerrors) {
        ks_config_free(cfg);
        return 2;
    }
    return 0;
}

void ks_config_print_ignored(const ks_config *cfg, FILE *out)
{
    if (!cfg->nignored) return;
    /* One per line: an exported manifest can bring dozens, and a list is easier to scan. */
    fprintf(out, "kubesim: note: accepted but not modelled, so ignored (%zu):\n", cfg->nignored);
    for (size_t i = 0; i < cfg->nignored; i++) fprintf(out, "  %s\n", cfg->ignored[i]);
}

void ks_config_free(ks_config *cfg)
{
    ks_free(cfg->experiment.name);
    ks_free(cfg->experiment.output);
    for (size_t i = 0; i < cfg->npools; i++) ks_node_pool_free(&cfg->pools[i]);
    ks_free(cfg->pools);
    for (size_t i = 0; i < cfg->nnodes; i++) ks_node_spec_free(&cfg->nodes[i]);
    ks_free(cfg->nodes);
    for (size_t i = 0; i < cfg->npods; i++) {
        ks_free(cfg->pods[i].name);
        ks_pod_spec_free(&cfg->pods[i].spec);
    }
    ks_free(cfg->pods);
    for (size_t i = 0; i < cfg->fgd.npods; i++) {
        ks_free(cfg->fgd.pods[i].name);
        ks_pod_spec_free(&cfg->fgd.pods[i].spec);
    }
    ks_free(cfg->fgd.pods);
    for (size_t i = 0; i < cfg->ndeployments; i++) ks_deployment_spec_free(&cfg->deployments[i]);
    ks_free(cfg->deployments);
    for (size_t i = 0; i < cfg->njobs; i++) ks_job_spec_free(&cfg->jobs[i]);
    ks_free(cfg->jobs);
    for (size_t i = 0; i < cfg->npriority_classes; i++) ks_free(cfg->priority_classes[i].name);
    ks_free(cfg->priority_classes);
    for (size_t i = 0; i < cfg->npdbs; i++) ks_pdb_spec_free(&cfg->pdbs[i]);
    ks_free(cfg->pdbs);
    for (size_t i = 0; i < cfg->nservices; i++) ks_service_spec_free(&cfg->services[i]);
    ks_free(cfg->services);
    for (size_t i = 0; i < cfg->nactions; i++) {
        ks_scenario_action_free(&cfg->actions[i]);
    }
    for (size_t i = 0; i < cfg->nfailure_procs; i++) {
        ks_free(cfg->failure_procs[i].pool);
        ks_dist_free(&cfg->failure_procs[i].between);
        ks_dist_free(&cfg->failure_procs[i].repair);
    }
    ks_free(cfg->actions);
    ks_free(cfg->failure_procs);
    for (size_t i = 0; i < cfg->nworkloads; i++) ks_workload_spec_free(&cfg->workloads[i]);
    ks_free(cfg->workloads);
    ks_sched_config_free(&cfg->sched);
    ks_timings_free(&cfg->timings);
    ks_free(cfg->text);
    for (size_t i = 0; i < cfg->nignored; i++) ks_free(cfg->ignored[i]);
    ks_free(cfg->ignored);
    memset(cfg, 0, sizeof *cfg);
}
