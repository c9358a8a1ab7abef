/* tracereplay.c — a hand-written reader for the Alibaba GPU 2023 trace CSVs (see tracereplay.h).
 *
 * Sources: shared/traces/alibaba-gpu-2023/README.md (columns, value ranges) and Weng et al.,
 * "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient
 * Descent", USENIX ATC 2023 (the workload the trace describes).
 *
 * The files are plain: UTF-8, LF line endings (a CR before the LF is tolerated), a header row,
 * comma separators, no quoting; an empty field is an empty string. A general CSV library would
 * buy quoting we never see and cost an allocation per field; this reader walks the file once in
 * place and allocates only what the specs keep. Duplicate names are found with an open-addressing
 * hash set of row indices, O(1) per row.
 */
#include "tracereplay.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "csvscan.h"
#include "tracedlrm.h"

static ks_mem_id trace_mem(void) { return ks_mem_purpose("config"); }
static char *dup_n(const char *s, size_t n)
{
    char *d = ks_malloc(trace_mem(), n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
static char *dup(const char *s) { return ks_strdup(trace_mem(), s); }

/* ---------------------------------------------------------------------------------------------
 * Reading and reporting (csvscan.h), field checks
 * ------------------------------------------------------------------------------------------- */

/* A node or pod name: a DNS subdomain (lower-case alphanumerics, '-' and '.', at most 253,
 * starting and ending alphanumeric), as the API server requires of object names. */
static bool name_ok(const ks_csv_cell *c)
{
    if (c->n == 0 || c->n > 253) return false;
    for (size_t i = 0; i < c->n; i++) {
        char ch = c->s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '.') return false;
        if ((i == 0 || i == c->n - 1) && !alnum) return false;
    }
    return true;
}

/* A GPU model: a label value (alphanumerics, '-', '_', '.', at most 63, alphanumeric at both
 * ends), e.g. "V100M16" or "G2". */
static bool model_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '_' && ch != '.') return false;
        if ((i == 0 || i == n - 1) && !alnum) return false;
    }
    return true;
}

/* Finds a field's value among the allowed words; -1 when absent. */
static int word_index(const ks_csv_cell *c, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == c->n && memcmp(words[i], c->s, c->n) == 0) return i;
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Duplicate names
 * ------------------------------------------------------------------------------------------- */

typedef struct name_set {
    uint32_t *slots; /* row index + 1; 0 empty */
    int *lines;      /* the line of each row, for the message */
    size_t nslots;
} name_set;

static uint64_t hash_name(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Returns the line of an earlier row named NAME, or 0 after inserting row INDEX. NAMES(i) gives
 * row i's name. */
static int name_set_add(name_set *ns, const char *name, uint32_t index, int line, const char *(*names)(const void *, uint32_t),
                        const void *rows)
{
    size_t len = strlen(name), mask = ns->nslots - 1;
    for (size_t i = hash_name(name, len) & mask;; i = (i + 1) & mask) {
        if (!ns->slots[i]) {
            ns->slots[i] = index + 1;
            ns->lines[index] = line;
            return 0;
        }
        if (strcmp(names(rows, ns->slots[i] - 1), name) == 0) return ns->lines[ns->slots[i] - 1];
    }
}

static void name_set_init(name_set *ns, size_t rows)
{
    ns->nslots = 16;
    while (ns->nslots < 2 * rows + 2) ns->nslots *= 2;
    ns->slots = ks_calloc(trace_mem(), ns->nslots, sizeof *ns->slots);
    ns->lines = ks_calloc(trace_mem(), rows + 1, sizeof *ns->lines);
}

static void name_set_free(name_set *ns)
{
    ks_free(ns->slots);
    ks_free(ns->lines);
}

static const char *node_name_at(const void *rows, uint32_t i) { return ((const ks_node_spec *)rows)[i].name; }
static const char *pod_name_at(const void *rows, uint32_t i) { return ((const ks_pod_doc *)rows)[i].name; }

/* Checks the header against the known COLUMNS (NULL-terminated); fills ORDER[i] = the known
 * column of field i and reports unknown, repeated and missing required ones (the first NREQUIRED
 * of COLUMNS). Returns the field count, or -1. */
static int read_header(ks_csv_reader *r, const char *ls, const char *le, const char *const *columns, int nrequired, int *order,
                       int *where)
{
    ks_csv_cell cells[KS_CSV_MAX_COLS];
    int n = ks_csv_split(ls, le, cells);
    int errors = r->nerrors;
    if (n > KS_CSV_MAX_COLS) {
        ks_csv_err_at(r, 1, 1, "expected at most %d columns in the header", KS_CSV_MAX_COLS);
        return -1;
    }
    for (int k = 0; columns[k]; k++) where[k] = -1;
    for (int i = 0; i < n; i++) {
        int k = word_index(&cells[i], columns);
        if (k < 0) {
            char known[256];
            size_t m = 0;
            for (int j = 0; columns[j] && m + 1 < sizeof known; j++)
                m += (size_t)snprintf(known + m, sizeof known - m, "%s%s", j ? "," : "", columns[j]);
            ks_csv_err_at(r, 1, cells[i].col, "header: expected a column of %s, got \"%.*s\"", known,
                   (int)(cells[i].n > 40 ? 40 : cells[i].n), cells[i].s);
            continue;
        }
        if (where[k] >= 0) {
            ks_csv_err_at(r, 1, cells[i].col, "header: column \"%s\" appears twice", columns[k]);
            continue;
        }
        where[k] = i;
        order[i] = k;
    }
    for (int k = 0; k < nrequired; k++)
        if (where[k] < 0) ks_csv_err_at(r, 1, 1, "header: missing required column \"%s\"", columns[k]);
    return r->nerrors == errors ? n : -1;
}

/* ---------------------------------------------------------------------------------------------
 * Node list: sn,cpu_milli,memory_mib,gpu,model
 * ------------------------------------------------------------------------------------------- */

enum { N_SN, N_CPU, N_MEM, N_GPU, N_MODEL, N_COLS };
static const char *const node_columns[] = {"sn", "cpu_milli", "memory_mib", "gpu", "model", NULL};

#define MIB (1024LL * 1024)
/* Bounds that keep bytes and milli-units far from overflow: 2^40 MiB is an exbibyte. */
#define MAX_MIB (1LL << 40)
#define MAX_MILLI (1LL << 40)
#define MAX_GPUS 1024
#define MAX_TIME_S (1LL << 32) /* ~136 years: seconds * 1e9 stays in int64 */

static void load_nodes(ks_csv_reader *r, ks_trace_result *out)
{
    size_t len = 0;
    char *text = ks_csv_read_all(r, &len);
    if (!text) return;
    const char *p = text, *end = text + len, *ls, *le;
    int order[KS_CSV_MAX_COLS], where[N_COLS + 1];
    if (!ks_csv_next_line(&p, end, &ls, &le)) {
        ks_csv_err_at(r, 0, 0, "expected a header row (%s), got an empty file", "sn,cpu_milli,memory_mib,gpu,model");
        ks_free(text);
        return;
    }
    int ncols = read_header(r, ls, le, node_columns, N_COLS, order, where);
    if (ncols < 0) {
        ks_free(text);
        return;
    }
    size_t rows = ks_csv_count_lines(text, len);
    ks_node_spec *nodes = ks_calloc(trace_mem(), rows + 1, sizeof *nodes);
    size_t n = 0;
    name_set names;
    name_set_init(&names, rows);
    int line = 1;
    while (ks_csv_next_line(&p, end, &ls, &le) && r->nerrors < r->max_errors) {
        line++;
        if (ls == le && p >= end) break; /* the file's last LF */
        ks_csv_cell cells[KS_CSV_MAX_COLS];
        int nf = ks_csv_split(ls, le, cells);
        if (nf != ncols) {
            ks_csv_err_at(r, line, 1, "expected %d fields, got %s%d", ncols, nf > KS_CSV_MAX_COLS ? "more than " : "", nf > KS_CSV_MAX_COLS ? KS_CSV_MAX_COLS : nf);
            continue;
        }
        const ks_csv_cell *c[N_COLS];
        for (int i = 0; i < ncols; i++) c[order[i]] = &cells[i];
        int errors = r->nerrors;
        int64_t cpu = 0, mem = 0, gpu = 0;
        if (!name_ok(c[N_SN]))
            ks_csv_err_at(r, line, c[N_SN]->col, "sn: expected a node name (a DNS subdomain), got \"%.*s\"",
                   (int)(c[N_SN]->n > 60 ? 60 : c[N_SN]->n), c[N_SN]->s);
        ks_csv_get_int(r, line, c[N_CPU], "cpu_milli", MAX_MILLI, &cpu);
        ks_csv_get_int(r, line, c[N_MEM], "memory_mib", MAX_MIB, &mem);
        ks_csv_get_int(r, line, c[N_GPU], "gpu", MAX_GPUS, &gpu);
        const ks_csv_cell *m = c[N_MODEL];
        if (m->n && !model_ok(m->s, m->n))
            ks_csv_err_at(r, line, m->col, "model: expected a GPU model (letters, digits, '-', '_', '.'), got \"%.*s\"",
                   (int)(m->n > 60 ? 60 : m->n), m->s);
        else if (r->nerrors == errors && gpu > 0 && !m->n)
            ks_csv_err_at(r, line, m->col, "model: expected the GPU model of a node with %" PRId64 " GPUs, got an empty field", gpu);
        else if (r->nerrors == errors && gpu == 0 && m->n)
            ks_csv_err_at(r, line, m->col, "model: expected an empty field for a node without GPUs, got \"%.*s\"", (int)m->n, m->s);
        if (r->nerrors != errors) continue;
        ks_node_spec *s = &nodes[n];
        s->name = dup_n(c[N_SN]->s, c[N_SN]->n);
        int first = name_set_add(&names, s->name, (uint32_t)n, line, node_name_at, nodes);
        if (first) {
            ks_csv_err_at(r, line, c[N_SN]->col, "sn: duplicate node name \"%s\" (first on line %d)", s->name, first);
            ks_node_spec_free(s);
            continue;
        }
        s->pool = dup("");
        s->zone = dup("");
        s->cpu_milli = cpu;
        s->mem_bytes = mem * MIB;
        s->pods = KS_TRACE_NODE_PODS;
        if (gpu > 0) {
            s->ext[0] = (ks_ext){dup("nvidia.com/gpu"), gpu};
            s->next = 1;
            s->labels.items = ks_malloc(trace_mem(), sizeof *s->labels.items);
            s->labels.items[0] = (ks_kv){dup(KS_TRACE_GPU_MODEL_LABEL), dup_n(m->s, m->n)};
            s->labels.n = 1;
        }
        n++;
    }
    name_set_free(&names);
    ks_free(text);
    out->nodes = nodes;
    out->nnodes = n;
}

/* ---------------------------------------------------------------------------------------------
 * Pod list
 * ------------------------------------------------------------------------------------------- */

enum { P_NAME, P_CPU, P_MEM, P_NUM_GPU, P_GPU_MILLI, P_SPEC, P_QOS, P_PHASE, P_CREATE, P_DELETE, P_SCHED, P_COLS };
static const char *const pod_columns[] = {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec",
                                          "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time", NULL};
static const char *const qos_words[] = {"LS", "BE", "Burstable", "Guaranteed", NULL};
static const char *const phase_words[] = {"Running", "Failed", "Pending", "Succeeded", NULL};

/* gpu_spec "A|B|B" as a required node affinity term: KS_TRACE_GPU_MODEL_LABEL In (A, B).
 * Returns false after reporting a malformed model. */
static bool parse_gpu_spec(ks_csv_reader *r, int line, const ks_csv_cell *c, ks_pod_spec *s)
{
    size_t nvalues = 1;
    for (size_t i = 0; i < c->n; i++) nvalues += c->s[i] == '|';
    for (size_t i = 0, start = 0; i <= c->n; i++) {
        if (i < c->n && c->s[i] != '|') continue;
        if (!model_ok(c->s + start, i - start)) {
            ks_csv_err_at(r, line, c->col + (int)start,
                   "gpu_spec: expected GPU models separated by '|' (e.g. \"V100M16|V100M32\"), got \"%.*s\"",
                   (int)(c->n > 60 ? 60 : c->n), c->s);
            return false;
        }
        start = i + 1;
    }
    ks_node_requirement *req = ks_calloc(trace_mem(), 1, sizeof *req);
    req->key = dup(KS_TRACE_GPU_MODEL_LABEL);
    req->op = KS_SEL_IN;
    req->values = ks_malloc(trace_mem(), nvalues * sizeof *req->values);
    for (size_t i = 0, start = 0; i <= c->n; i++) {
        if (i < c->n && c->s[i] != '|') continue;
        bool seen = false; /* the trace repeats models ("V100M16|V100M32|V100M32"): keep one */
        for (size_t k = 0; k < req->nvalues && !seen; k++)
            seen = strlen(req->values[k]) == i - start && memcmp(req->values[k], c->s + start, i - start) == 0;
        if (!seen) req->values[req->nvalues++] = dup_n(c->s + start, i - start);
        start = i + 1;
    }
    s->required_terms = ks_malloc(trace_mem(), sizeof *s->required_terms);
    s->required_terms[0] = (ks_node_term){req, 1};
    s->nrequired = 1;
    s->has_required = true;
    return true;
}

/* Trace seconds to simulated nanoseconds. With the scale 1 exact; otherwise rounded to the
 * nanosecond (times <= 2^32 s and scales <= 1 stay inside int64's range). */
static ks_time scaled(int64_t seconds, double scale)
{
    if (scale == 1) return KS_SEC(seconds);
    return (ks_time)llround((double)seconds * scale * 1e9);
}

static void load_pods(ks_csv_reader *r, const ks_trace_request *req, ks_trace_result *out)
{
    size_t len = 0;
    char *text = ks_csv_read_all(r, &len);
    if (!text) return;
    const char *p = text, *end = text + len, *ls, *le;
    int order[KS_CSV_MAX_COLS], where[P_COLS + 1];
    if (!ks_csv_next_line(&p, end, &ls, &le)) {
        ks_csv_err_at(r, 0, 0, "expected a header row (name,cpu_milli,memory_mib,num_gpu,gpu_milli,...), got an empty file");
        ks_free(text);
        return;
    }
    int ncols = read_header(r, ls, le, pod_columns, P_GPU_MILLI + 1, order, where);
    if (ncols < 0) {
        ks_free(text);
        return;
    }
    if ((where[P_CREATE] < 0) != (where[P_DELETE] < 0) && where[P_CREATE] < 0) {
        ks_csv_err_at(r, 1, 1, "header: column \"deletion_time\" needs \"creation_time\"");
        ks_free(text);
        return;
    }
    size_t rows = ks_csv_count_lines(text, len);
    if (req->limit >= 0 && (size_t)req->limit < rows) rows = (size_t)req->limit;
    ks_pod_doc *pods = ks_calloc(trace_mem(), rows + 1, sizeof *pods);
    ks_time *delete_at = ks_calloc(trace_mem(), rows + 1, sizeof *delete_at);
    size_t n = 0;
    name_set names;
    name_set_init(&names, rows);
    int line = 1;
    static const ks_csv_cell empty = {"", 0, 1};
    while (n < rows && ks_csv_next_line(&p, end, &ls, &le) && r->nerrors < r->max_errors) {
        line++;
        if (ls == le && p >= end) break;
        ks_csv_cell cells[KS_CSV_MAX_COLS];
        int nf = ks_csv_split(ls, le, cells);
        if (nf != ncols) {
            ks_csv_err_at(r, line, 1, "expected %d fields, got %s%d", ncols, nf > KS_CSV_MAX_COLS ? "more than " : "", nf > KS_CSV_MAX_COLS ? KS_CSV_MAX_COLS : nf);
            continue;
        }
        const ks_csv_cell *c[P_COLS];
        for (int k = 0; k < P_COLS; k++) c[k] = &empty;
        for (int i = 0; i < ncols; i++) c[order[i]] = &cells[i];
        int errors = r->nerrors;
        int64_t cpu = 0, mem = 0, num_gpu = 0, milli = 0, created = 0, deleted = -1, sched = 0;
        if (!name_ok(c[P_NAME]))
            ks_csv_err_at(r, line, c[P_NAME]->col, "name: expected a pod name (a DNS subdomain), got \"%.*s\"",
                   (int)(c[P_NAME]->n > 60 ? 60 : c[P_NAME]->n), c[P_NAME]->s);
        ks_csv_get_int(r, line, c[P_CPU], "cpu_milli", MAX_MILLI, &cpu);
        ks_csv_get_int(r, line, c[P_MEM], "memory_mib", MAX_MIB, &mem);
        bool gpus_ok = ks_csv_get_int(r, line, c[P_NUM_GPU], "num_gpu", MAX_GPUS, &num_gpu);
        gpus_ok &= ks_csv_get_int(r, line, c[P_GPU_MILLI], "gpu_milli", 1000, &milli);
        /* README: gpu_milli is the share per GPU; < 1000 only with num_gpu 1; 0 with num_gpu 0. */
        if (gpus_ok && num_gpu == 0 && milli != 0)
            ks_csv_err_at(r, line, c[P_GPU_MILLI]->col, "gpu_milli: expected 0 for a pod without GPUs (num_gpu 0), got %" PRId64, milli);
        else if (gpus_ok && num_gpu > 0 && milli == 0)
            ks_csv_err_at(r, line, c[P_GPU_MILLI]->col, "gpu_milli: expected 1..1000 for a pod with GPUs, got 0");
        else if (gpus_ok && num_gpu > 1 && milli != 1000)
            ks_csv_err_at(r, line, c[P_GPU_MILLI]->col,
                   "gpu_milli: expected 1000 for a pod with %" PRId64 " GPUs (only single-GPU pods share a GPU), got %" PRId64,
                   num_gpu, milli);
        if (where[P_QOS] >= 0 && c[P_QOS]->n && word_index(c[P_QOS], qos_words) < 0)
            ks_csv_err_at(r, line, c[P_QOS]->col, "qos: expected LS, BE, Burstable or Guaranteed, got \"%.*s\"",
                   (int)(c[P_QOS]->n > 40 ? 40 : c[P_QOS]->n), c[P_QOS]->s);
        if (where[P_PHASE] >= 0 && c[P_PHASE]->n && word_index(c[P_PHASE], phase_words) < 0)
            ks_csv_err_at(r, line, c[P_PHASE]->col, "pod_phase: expected Running, Failed, Pending or Succeeded, got \"%.*s\"",
                   (int)(c[P_PHASE]->n > 40 ? 40 : c[P_PHASE]->n), c[P_PHASE]->s);
        if (where[P_CREATE] >= 0) ks_csv_get_int(r, line, c[P_CREATE], "creation_time", MAX_TIME_S, &created);
        if (where[P_DELETE] >= 0 && c[P_DELETE]->n) {
            if (ks_csv_get_int(r, line, c[P_DELETE], "deletion_time", MAX_TIME_S, &deleted) && r->nerrors == errors &&
                deleted < created)
                ks_csv_err_at(r, line, c[P_DELETE]->col,
                       "deletion_time: expected a time at or after creation_time (%" PRId64 " s), got %" PRId64 " s", created,
                       deleted);
        }
        if (where[P_SCHED] >= 0 && c[P_SCHED]->n) ks_csv_get_int(r, line, c[P_SCHED], "scheduled_time", MAX_TIME_S, &sched);
        if (r->nerrors != errors) continue;
        ks_pod_doc *d = &pods[n];
        ks_pod_spec *s = &d->spec;
        if (where[P_SPEC] >= 0 && c[P_SPEC]->n && !parse_gpu_spec(r, line, c[P_SPEC], s)) {
            ks_pod_spec_free(s);
            continue;
        }
        d->name = dup_n(c[P_NAME]->s, c[P_NAME]->n);
        int first = name_set_add(&names, d->name, (uint32_t)n, line, pod_name_at, pods);
        if (first) {
            ks_csv_err_at(r, line, c[P_NAME]->col, "name: duplicate pod name \"%s\" (first on line %d)", d->name, first);
            ks_free(d->name);
            ks_pod_spec_free(s);
            memset(d, 0, sizeof *d);
            continue;
        }
        s->namespace = dup(req->namespace);
        s->scheduler_name = dup("default-scheduler");
        s->node_name = dup("");
        /* pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: 30 s grace, restartPolicy Always. */
        s->termination_grace_ns = KS_DEFAULT_TERMINATION_GRACE;
        s->restart_policy = KS_RESTART_ALWAYS;
        s->runs_forever = true;
        s->ready_after = ks_dist_constant(0);
        s->containers = ks_calloc(trace_mem(), 1, sizeof *s->containers);
        s->ncontainers = 1;
        ks_container *k = &s->containers[0];
        k->name = dup("main");
        k->image = dup("kubesim.io/trace-task:v1");
        k->pull = KS_PULL_IF_NOT_PRESENT;
        k->cpu_milli = cpu;
        k->mem_bytes = mem * MIB;
        k->cpu_set = k->mem_set = true;
        s->gpu_count = (int32_t)num_gpu;
        s->gpu_milli = (int32_t)milli;
        if (num_gpu > 0 && milli == 1000) {
            k->ext[0] = (ks_ext){dup("nvidia.com/gpu"), num_gpu};
            k->next = 1;
        }
        ks_pod_spec_finalize(s);
        d->at = scaled(created, req->time_scale);
        /* A pod deleted the instant it was created (one row of the default list) is deleted
         * 1 ns later, so that its delete comes after its create whatever the event order. */
        ks_time del = deleted < 0 ? -1 : scaled(deleted, req->time_scale);
        delete_at[n] = del >= 0 && del <= d->at ? d->at + 1 : del;
        n++;
    }
    name_set_free(&names);
    ks_free(text);
    out->pods = pods;
    out->npods = n;
    out->delete_at = delete_at;
}

int ks_trace_load(const ks_trace_request *req, ks_trace_result *out, FILE *err, int max_errors)
{
    if (req->format == KS_TRACE_ALIBABA_GPU_2025_DLRM) return ks_trace_load_dlrm(req, out, err, max_errors);
    memset(out, 0, sizeof *out);
    int nerrors = 0;
    if (req->nodes_path) {
        ks_csv_reader r = {.path = req->nodes_path, .err = err, .max_errors = max_errors};
        load_nodes(&r, out);
        nerrors += r.nerrors;
    }
    if (req->pods_path && nerrors < max_errors) {
        ks_csv_reader r = {.path = req->pods_path, .err = err, .max_errors = max_errors - nerrors};
        load_pods(&r, req, out);
        nerrors += r.nerrors;
    }
    if (nerrors) ks_trace_result_free(out);
    return nerrors;
}

void ks_trace_result_free(ks_trace_result *r)
{
    for (size_t i = 0; i < r->nnodes; i++) ks_node_spec_free(&r->nodes[i]);
    ks_free(r->nodes);
    for (size_t i = 0; i < r->npods; i++) {
        ks_free(r->pods[i].name);
        ks_pod_spec_free(&r->pods[i].spec);
    }
    ks_free(r->pods);
    ks_free(r->delete_at);
    memset(r, 0, sizeof *r);
}
