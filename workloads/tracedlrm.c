/* tracedlrm.c — a hand-written reader for the DLRM trace of 2025 (see tracedlrm.h).
 *
 * Sources: shared/traces/alibaba-gpu-2025-dlrm/README.md (columns, units, value ranges) and Yang
 * et al., "GPU-Disaggregated Serving for Deep Learning Recommendation Models at Scale", USENIX
 * NSDI 2025 (the workload the trace describes).
 *
 * The file is plain like the 2023 trace's (UTF-8, LF, a header row, commas, no quoting), so the
 * reader walks it once in place, with tracereplay.c's helpers (csvscan.h). Numbers differ from the 2023
 * trace: sizes and times are decimals ("120.0", "475.00000000000006"), so they are read as
 * doubles after a strict character check and converted once to milli-units, bytes and
 * nanoseconds with llround (GiB x 2^30 of these values is exact in a double; times below 2^32 s
 * keep sub-microsecond precision).
 */
#include "tracedlrm.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csvscan.h"

static ks_mem_id dlrm_mem(void) { return ks_mem_purpose("config"); }
static char *dup_n(const char *s, size_t n)
{
    char *d = ks_malloc(dlrm_mem(), n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
static char *dup(const char *s) { return ks_strdup(dlrm_mem(), s); }

/* ---------------------------------------------------------------------------------------------
 * Reading and reporting (csvscan.h)
 * ------------------------------------------------------------------------------------------- */

/* A non-negative decimal number up to MAX: digits, optionally a '.' and more digits ("48",
 * "120.0"). No sign, exponent, spaces, "inf" or "nan": strtod would take those, the trace has
 * none, and a row that does is more likely damaged than meant. */
static bool get_num(ks_csv_reader *r, int line, const ks_csv_cell *c, const char *column, double max, double *out)
{
    if (c->n == 0) {
        ks_csv_err_at(r, line, c->col, "%s: expected a non-negative number, got an empty field", column);
        return false;
    }
    if (c->s[0] == '-') {
        ks_csv_err_at(r, line, c->col, "%s: expected a non-negative number, got negative \"%.*s\"", column, KS_CSV_CLIP(c));
        return false;
    }
    size_t digits = 0, dots = 0;
    bool ok = c->n <= 64;
    for (size_t i = 0; ok && i < c->n; i++) {
        if (c->s[i] >= '0' && c->s[i] <= '9') digits++;
        else if (c->s[i] == '.' && i > 0 && i + 1 < c->n) dots++;
        else ok = false;
    }
    if (!ok || !digits || dots > 1) {
        ks_csv_err_at(r, line, c->col, "%s: expected a non-negative number (digits, an optional decimal point), got \"%.*s\"",
               column, KS_CSV_CLIP(c));
        return false;
    }
    char buf[72];
    memcpy(buf, c->s, c->n);
    buf[c->n] = 0;
    double v = strtod(buf, NULL);
    if (!(v <= max)) {
        ks_csv_err_at(r, line, c->col, "%s: expected a number at most %.0f, got \"%.*s\"", column, max, KS_CSV_CLIP(c));
        return false;
    }
    *out = v;
    return true;
}

/* A label value (alphanumerics, '-', '_', '.', at most 63, alphanumeric at both ends). */
static bool label_value_ok(const ks_csv_cell *c)
{
    if (c->n == 0 || c->n > 63) return false;
    for (size_t i = 0; i < c->n; i++) {
        char ch = c->s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '_' && ch != '.') return false;
        if ((i == 0 || i == c->n - 1) && !alnum) return false;
    }
    return true;
}

/* instance_sn as a pod name: '_' becomes '-', and the result must be a DNS subdomain (lower-case
 * alphanumerics, '-', '.', at most 253, alphanumeric at both ends). Returns the name or NULL. */
static char *pod_name(const ks_csv_cell *c)
{
    if (c->n == 0 || c->n > 253) return NULL;
    char *name = dup_n(c->s, c->n);
    for (size_t i = 0; i < c->n; i++) {
        char ch = name[i] == '_' ? '-' : name[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if ((!alnum && ch != '-' && ch != '.') || ((i == 0 || i == c->n - 1) && !alnum)) {
            ks_free(name);
            return NULL;
        }
        name[i] = ch;
    }
    return name;
}

/* ---------------------------------------------------------------------------------------------
 * Duplicate names: an open-addressing set of row indices, O(1) per row
 * ------------------------------------------------------------------------------------------- */

typedef struct name_set {
    uint32_t *slots; /* row index + 1; 0 empty */
    int *lines;
    size_t nslots;
} name_set;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Returns the line of an earlier pod named like POD I, or 0 after inserting it. */
static int name_set_add(name_set *ns, const ks_pod_doc *pods, uint32_t i, int line)
{
    size_t mask = ns->nslots - 1;
    for (size_t at = hash_name(pods[i].name) & mask;; at = (at + 1) & mask) {
        if (!ns->slots[at]) {
            ns->slots[at] = i + 1;
            ns->lines[i] = line;
            return 0;
        }
        if (!strcmp(pods[ns->slots[at] - 1].name, pods[i].name)) return ns->lines[ns->slots[at] - 1];
    }
}

/* ---------------------------------------------------------------------------------------------
 * The pod list
 * ------------------------------------------------------------------------------------------- */

enum {
    D_SN, D_ROLE, D_APP, D_CPU, D_CPU_LIM, D_GPU, D_GPU_LIM, D_RDMA, D_RDMA_LIM, D_MEM, D_MEM_LIM, D_DISK,
    D_DISK_LIM, D_MAX_PER_NODE, D_CREATE, D_SCHED, D_DELETE, D_COLS
};
static const char *const columns[] = {
    "instance_sn", "role", "app_name", "cpu_request", "cpu_limit", "gpu_request", "gpu_limit", "rdma_request",
    "rdma_limit", "memory_request", "memory_limit", "disk_request", "disk_limit", "max_instance_per_node",
    "creation_time", "scheduled_time", "deletion_time", NULL};

#define GIB 1073741824.0
/* Bounds far from overflow: 2^30 GiB is an exbibyte, 2^30 vCPUs in milli-units fit easily, and
 * 2^32 s (~136 years) times 1e9 stays in int64. */
#define MAX_GIB 1073741824.0
#define MAX_VCPU 1073741824.0
#define MAX_TIME_S 4294967296.0
#define MAX_RDMA 100   /* percent of one NIC */
#define MAX_PER_NODE 1000000

/* Checks the header: every known column exactly once, in any order. Fills ORDER[i] = the column
 * of field i. Returns the field count, or -1 after reporting. */
static int read_header(ks_csv_reader *r, const char *ls, const char *le, int *order)
{
    ks_csv_cell cells[KS_CSV_MAX_COLS];
    int n = ks_csv_split(ls, le, cells), where[D_COLS], errors = r->nerrors;
    if (n > KS_CSV_MAX_COLS) {
        ks_csv_err_at(r, 1, 1, "expected the %d columns of the DLRM trace in the header, got more than %d", D_COLS, KS_CSV_MAX_COLS);
        return -1;
    }
    for (int k = 0; k < D_COLS; k++) where[k] = -1;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (columns[k] && !ks_csv_is(&cells[i], columns[k])) k++;
        if (!columns[k]) {
            ks_csv_err_at(r, 1, cells[i].col, "header: expected a column of the DLRM trace (instance_sn,role,app_name,...), got \"%.*s\"",
                   KS_CSV_CLIP(&cells[i]));
        } else if (where[k] >= 0) {
            ks_csv_err_at(r, 1, cells[i].col, "header: column \"%s\" appears twice", columns[k]);
        } else {
            where[k] = i;
            order[i] = k;
        }
    }
    for (int k = 0; k < D_COLS; k++)
        if (where[k] < 0) ks_csv_err_at(r, 1, 1, "header: missing column \"%s\"", columns[k]);
    return r->nerrors == errors ? n : -1;
}

/* Trace seconds to simulated nanoseconds, x TIME_SCALE, rounded to the nanosecond. */
static ks_time scaled(double seconds, double scale) { return (ks_time)llround(seconds * scale * 1e9); }

/* One row's values, checked. */
typedef struct row {
    char *name;
    bool hn;
    double cpu, mem, disk;
    int64_t gpu, rdma, max_per_node;
    bool has_create, has_delete;
    double create, delete;
} row;

/* A limit column against its request: at least it (cpu, memory, disk). */
static void check_limit(ks_csv_reader *r, int line, const ks_csv_cell *lim, const char *column, double request, const char *unit)
{
    double v;
    if (get_num(r, line, lim, column, MAX_GIB, &v) && v < request)
        ks_csv_err_at(r, line, lim->col, "%s: expected at least the request (%g%s), got \"%.*s\"", column, request, unit, KS_CSV_CLIP(lim));
}

/* An extended resource's limit: equal to its request (upstream: extended resources cannot be
 * overcommitted, pkg/apis/core/validation ValidateResourceRequirements). */
static void check_ext_limit(ks_csv_reader *r, int line, const ks_csv_cell *lim, const char *column, int64_t request, int64_t max)
{
    int64_t v;
    if (ks_csv_get_int(r, line, lim, column, max, &v) && v != request)
        ks_csv_err_at(r, line, lim->col, "%s: expected the request (%" PRId64 "): an extended resource's limit equals its request, got %" PRId64,
               column, request, v);
}

/* Validates the cells C of LINE into *OUT; returns false after reporting. */
static bool read_row(ks_csv_reader *r, int line, const ks_csv_cell *const *c, row *out)
{
    int errors = r->nerrors;
    memset(out, 0, sizeof *out);
    out->name = pod_name(c[D_SN]);
    if (!out->name)
        ks_csv_err_at(r, line, c[D_SN]->col,
               "instance_sn: expected an instance name that is a DNS subdomain once '_' becomes '-' (e.g. instance_12), got \"%.*s\"",
               KS_CSV_CLIP(c[D_SN]));
    bool role_ok = ks_csv_is(c[D_ROLE], "CN") || ks_csv_is(c[D_ROLE], "HN");
    if (!role_ok) ks_csv_err_at(r, line, c[D_ROLE]->col, "role: expected CN or HN, got \"%.*s\"", KS_CSV_CLIP(c[D_ROLE]));
    out->hn = ks_csv_is(c[D_ROLE], "HN");
    if (!label_value_ok(c[D_APP]))
        ks_csv_err_at(r, line, c[D_APP]->col,
               "app_name: expected an app name that is a label value (letters, digits, '-', '_', '.', at most 63), got \"%.*s\"",
               KS_CSV_CLIP(c[D_APP]));
    if (get_num(r, line, c[D_CPU], "cpu_request", MAX_VCPU, &out->cpu))
        check_limit(r, line, c[D_CPU_LIM], "cpu_limit", out->cpu, " vCPU");
    else
        get_num(r, line, c[D_CPU_LIM], "cpu_limit", MAX_VCPU, &(double){0});
    /* README: gpu_request is whole GPUs, 0 or 1: 0 for CN, 1 for HN (16,485 and 7,386 rows). */
    if (ks_csv_get_int(r, line, c[D_GPU], "gpu_request", 1, &out->gpu)) {
        if (role_ok && out->gpu != (out->hn ? 1 : 0))
            ks_csv_err_at(r, line, c[D_GPU]->col, "gpu_request: expected %d for a%s instance, got %" PRId64, out->hn ? 1 : 0,
                   out->hn ? "n HN (GPU node)" : " CN (CPU node)", out->gpu);
        check_ext_limit(r, line, c[D_GPU_LIM], "gpu_limit", out->gpu, 1);
    } else {
        ks_csv_get_int(r, line, c[D_GPU_LIM], "gpu_limit", 1, &(int64_t){0});
    }
    if (ks_csv_get_int(r, line, c[D_RDMA], "rdma_request", MAX_RDMA, &out->rdma))
        check_ext_limit(r, line, c[D_RDMA_LIM], "rdma_limit", out->rdma, MAX_RDMA);
    else
        ks_csv_get_int(r, line, c[D_RDMA_LIM], "rdma_limit", MAX_RDMA, &(int64_t){0});
    if (get_num(r, line, c[D_MEM], "memory_request", MAX_GIB, &out->mem))
        check_limit(r, line, c[D_MEM_LIM], "memory_limit", out->mem, " GiB");
    else
        get_num(r, line, c[D_MEM_LIM], "memory_limit", MAX_GIB, &(double){0});
    if (get_num(r, line, c[D_DISK], "disk_request", MAX_GIB, &out->disk))
        check_limit(r, line, c[D_DISK_LIM], "disk_limit", out->disk, " GiB");
    else
        get_num(r, line, c[D_DISK_LIM], "disk_limit", MAX_GIB, &(double){0});
    const ks_csv_cell *m = c[D_MAX_PER_NODE];
    if (ks_csv_is(m, "-1")) out->max_per_node = -1;
    else if (m->n && m->s[0] == '-')
        ks_csv_err_at(r, line, m->col, "max_instance_per_node: expected -1 (no limit) or a positive count, got \"%.*s\"", KS_CSV_CLIP(m));
    else if (ks_csv_get_int(r, line, m, "max_instance_per_node", MAX_PER_NODE, &out->max_per_node) && out->max_per_node == 0)
        ks_csv_err_at(r, line, m->col, "max_instance_per_node: expected -1 (no limit) or a positive count, got 0");
    /* Times: creation and scheduled time are empty together (an instance older than the trace). */
    const ks_csv_cell *cr = c[D_CREATE], *sc = c[D_SCHED], *de = c[D_DELETE];
    out->has_create = cr->n > 0;
    bool create_ok = !cr->n || get_num(r, line, cr, "creation_time", MAX_TIME_S, &out->create);
    if (sc->n && !cr->n)
        ks_csv_err_at(r, line, sc->col, "scheduled_time: expected an empty field when creation_time is empty (an instance older than the trace), got \"%.*s\"",
               KS_CSV_CLIP(sc));
    else if (!sc->n && cr->n)
        ks_csv_err_at(r, line, sc->col, "scheduled_time: expected a time for an instance with a creation_time, got an empty field");
    else if (sc->n) {
        double sched;
        if (get_num(r, line, sc, "scheduled_time", MAX_TIME_S, &sched) && create_ok && sched < out->create)
            ks_csv_err_at(r, line, sc->col, "scheduled_time: expected a time at or after creation_time (%.17g s), got \"%.*s\"",
                   out->create, KS_CSV_CLIP(sc));
    }
    out->has_delete = de->n > 0;
    if (de->n && get_num(r, line, de, "deletion_time", MAX_TIME_S, &out->delete) && create_ok && out->delete < out->create)
        ks_csv_err_at(r, line, de->col, "deletion_time: expected a time at or after creation_time (%.17g s), got \"%.*s\"", out->create,
               KS_CSV_CLIP(de));
    if (r->nerrors == errors) return true;
    ks_free(out->name);
    out->name = NULL;
    return false;
}

/* The pod document of a checked row. */
static void make_pod(const ks_trace_request *req, const ks_csv_cell *const *c, row *rw, ks_pod_doc *d)
{
    d->name = rw->name;
    rw->name = NULL;
    ks_pod_spec *s = &d->spec;
    s->namespace = dup(req->namespace);
    s->labels.items = ks_malloc(dlrm_mem(), 2 * sizeof *s->labels.items);
    s->labels.items[0] = (ks_kv){dup(KS_APP_LABEL), dup_n(c[D_APP]->s, c[D_APP]->n)};
    s->labels.items[1] = (ks_kv){dup(KS_DLRM_ROLE_LABEL), dup(rw->hn ? "HN" : "CN")};
    s->labels.n = 2;
    s->scheduler_name = dup("default-scheduler");
    s->node_name = dup("");
    /* pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: 30 s grace, restartPolicy Always. */
    s->termination_grace_ns = KS_DEFAULT_TERMINATION_GRACE;
    s->restart_policy = KS_RESTART_ALWAYS;
    s->runs_forever = true;
    s->ready_after = ks_dist_constant(0);
    s->max_per_node = rw->max_per_node > 0 ? (int32_t)rw->max_per_node : 0;
    s->containers = ks_calloc(dlrm_mem(), 1, sizeof *s->containers);
    s->ncontainers = 1;
    ks_container *k = &s->containers[0];
    k->name = dup("main");
    k->image = dup("kubesim.io/trace-task:v1");
    k->pull = KS_PULL_IF_NOT_PRESENT;
    k->cpu_milli = llround(rw->cpu * 1000);
    k->mem_bytes = llround(rw->mem * GIB);
    k->eph_bytes = llround(rw->disk * GIB);
    k->cpu_set = k->mem_set = true;
    if (rw->gpu > 0) {
        k->ext[k->next++] = (ks_ext){dup("nvidia.com/gpu"), rw->gpu};
        s->gpu_count = (int32_t)rw->gpu;
        s->gpu_milli = 1000;
        /* plugin/pkg/admission/extendedresourcetoleration: a pod requesting an extended resource
         * tolerates the NoSchedule taint of that name (operator Exists). */
        s->tolerations = ks_malloc(dlrm_mem(), sizeof *s->tolerations);
        s->tolerations[0] = (ks_toleration){dup("nvidia.com/gpu"), dup(""), KS_TOL_EXISTS, KS_NO_SCHEDULE, false, 0};
        s->ntolerations = 1;
    }
    if (rw->rdma > 0) k->ext[k->next++] = (ks_ext){dup(KS_DLRM_RDMA_RESOURCE), rw->rdma};
    ks_pod_spec_finalize(s);
    d->at = rw->has_create ? scaled(rw->create, req->time_scale) : 0;
}

static void load_pods(ks_csv_reader *r, const ks_trace_request *req, ks_trace_result *out)
{
    size_t len = 0;
    char *text = ks_csv_read_all(r, &len);
    if (!text) return;
    const char *p = text, *end = text + len, *ls, *le;
    int order[KS_CSV_MAX_COLS];
    if (!ks_csv_next_line(&p, end, &ls, &le)) {
        ks_csv_err_at(r, 0, 0, "expected a header row (instance_sn,role,app_name,...), got an empty file");
        ks_free(text);
        return;
    }
    int ncols = read_header(r, ls, le, order);
    if (ncols < 0) {
        ks_free(text);
        return;
    }
    size_t rows = ks_csv_count_lines(text, len);
    if (req->limit >= 0 && (size_t)req->limit < rows) rows = (size_t)req->limit;
    ks_pod_doc *pods = ks_calloc(dlrm_mem(), rows + 1, sizeof *pods);
    ks_time *delete_at = ks_calloc(dlrm_mem(), rows + 1, sizeof *delete_at);
    name_set names = {.nslots = 16};
    while (names.nslots < 2 * rows + 2) names.nslots *= 2;
    names.slots = ks_calloc(dlrm_mem(), names.nslots, sizeof *names.slots);
    names.lines = ks_calloc(dlrm_mem(), rows + 1, sizeof *names.lines);
    size_t n = 0;
    int line = 1;
    while (n < rows && ks_csv_next_line(&p, end, &ls, &le) && r->nerrors < r->max_errors) {
        line++;
        if (ls == le && p >= end) break; /* the file's last LF */
        ks_csv_cell cells[KS_CSV_MAX_COLS];
        int nf = ks_csv_split(ls, le, cells);
        if (nf != ncols) {
            ks_csv_err_at(r, line, 1, "expected %d fields, got %s%d", ncols, nf > KS_CSV_MAX_COLS ? "more than " : "",
                   nf > KS_CSV_MAX_COLS ? KS_CSV_MAX_COLS : nf);
            continue;
        }
        const ks_csv_cell *c[D_COLS];
        for (int i = 0; i < ncols; i++) c[order[i]] = &cells[i];
        row rw;
        if (!read_row(r, line, c, &rw)) continue;
        make_pod(req, c, &rw, &pods[n]);
        int first = name_set_add(&names, pods, (uint32_t)n, line);
        if (first) {
            ks_csv_err_at(r, line, c[D_SN]->col, "instance_sn: duplicate pod name \"%s\" (first on line %d)", pods[n].name, first);
            ks_free(pods[n].name);
            ks_pod_spec_free(&pods[n].spec);
            memset(&pods[n], 0, sizeof pods[n]);
            continue;
        }
        /* A delete at the creation instant comes 1 ns later, so that it follows the create
         * whatever the event order (as tracereplay.c does). */
        ks_time del = rw.has_delete ? scaled(rw.delete, req->time_scale) : -1;
        delete_at[n] = del >= 0 && del <= pods[n].at ? pods[n].at + 1 : del;
        n++;
    }
    ks_free(names.slots);
    ks_free(names.lines);
    ks_free(text);
    out->pods = pods;
    out->npods = n;
    out->delete_at = delete_at;
}

int ks_trace_load_dlrm(const ks_trace_request *req, ks_trace_result *out, FILE *err, int max_errors)
{
    memset(out, 0, sizeof *out);
    ks_csv_reader r = {.path = req->pods_path, .err = err, .max_errors = max_errors};
    if (req->pods_path) load_pods(&r, req, out);
    if (r.nerrors) ks_trace_result_free(out);
    return r.nerrors;
}
