/* test_engine_trace.c — the HDF5 trace writer: tables of every column type written across several
 * chunks and read back with the HDF5 C API, empty tables, attributes, the temporary-file protocol,
 * abort, byte-identical output for identical calls, and clean failures. */
#include "testutil.h"
#include "tracecheck.h"

#include "trace.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

/* The caller's row struct of the tests: every column type, deliberately not in a packed order so
 * the memory layout (with padding) differs from the packed file layout. */
typedef struct row {
    uint8_t flag;
    int64_t id;
    const char *name;
    int32_t delta;
    double value;
    uint32_t count;
    const char *unit;
} row;

static const ks_column row_cols[] = {
    KS_COLUMN(row, id, KS_COL_I64),     KS_COLUMN(row, delta, KS_COL_I32), KS_COLUMN(row, count, KS_COL_U32),
    KS_COLUMN(row, flag, KS_COL_U8),    KS_COLUMN(row, value, KS_COL_F64), KS_COLUMN(row, name, KS_COL_STR),
    KS_COLUMN(row, unit, KS_COL_STR),
};
#define NCOLS (sizeof row_cols / sizeof row_cols[0])

enum { CHUNK = 64, NROWS = 3 * CHUNK + 17 };

static const char *unit_of(int i)
{
    switch (i % 4) {
    case 0: return "µs";
    case 1: return NULL; /* written as "" */
    case 2: return "";
    default: return "ñ-✓-日本";
    }
}

static const char *unit_expected(int i)
{
    const char *u = unit_of(i);
    return u ? u : "";
}

/* Fills the row I; the name lives in BUF, which the caller reuses for every row, so the test also
 * checks that the writer copies strings at append time. */
static void make_row(int i, row *r, char *buf, size_t bufsz)
{
    memset(r, 0, sizeof *r);
    r->id = (int64_t)i * 1000000007LL - 5;
    r->delta = -i * 3;
    r->count = 4000000000u - (uint32_t)i;
    r->flag = (uint8_t)(i % 256);
    r->value = i * 0.25 - 1.0 / 3.0;
    snprintf(buf, bufsz, "pod-%d%s", i, i % 7 == 0 ? "-with-a-rather-longer-name" : "");
    r->name = buf;
    r->unit = unit_of(i);
}

/* Captures what the code between begin and end writes to stderr. */
static int saved_stderr = -1;

static void capture_begin(const char *file)
{
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static char *capture_end(const char *file)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    saved_stderr = -1;
    char *text = ks_test_read_file(file, NULL);
    assert_non_null(text);
    return text;
}

static hid_t vlen_utf8(void)
{
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, H5T_VARIABLE);
    H5Tset_cset(s, H5T_CSET_UTF8);
    return s;
}

static void reclaim(hid_t type, hid_t space, void *buf)
{
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

/* Checks the file type of DSET: the packed compound of row_cols, in order. */
static void check_file_type(hid_t dset)
{
    hid_t ft = H5Dget_type(dset);
    assert_int_equal(H5Tget_class(ft), H5T_COMPOUND);
    assert_int_equal(H5Tget_nmembers(ft), (int)NCOLS);
    const hid_t expect[] = {H5T_STD_I64LE, H5T_STD_I32LE, H5T_STD_U32LE, H5T_STD_U8LE, H5T_IEEE_F64LE};
    size_t off = 0;
    for (unsigned i = 0; i < NCOLS; i++) {
        char *name = H5Tget_member_name(ft, i);
        assert_string_equal(name, row_cols[i].name);
        H5free_memory(name);
        hid_t mt = H5Tget_member_type(ft, i);
        if (row_cols[i].type == KS_COL_STR) {
            assert_int_equal(H5Tget_class(mt), H5T_STRING);
            assert_true(H5Tis_variable_str(mt) > 0);
            assert_int_equal(H5Tget_cset(mt), H5T_CSET_UTF8);
        } else {
            assert_true(H5Tequal(mt, expect[row_cols[i].type]) > 0);
        }
        /* Packed: each member starts where the previous one ended. */
        assert_int_equal(H5Tget_member_offset(ft, i), off);
        off += H5Tget_size(mt);
        H5Tclose(mt);
    }
    assert_int_equal(H5Tget_size(ft), off);
    H5Tclose(ft);
}

/* A native memory compound over `row`, as a reader would build it. */
static hid_t row_memtype(hid_t str)
{
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(mt, "id", offsetof(row, id), H5T_NATIVE_INT64);
    H5Tinsert(mt, "delta", offsetof(row, delta), H5T_NATIVE_INT32);
    H5Tinsert(mt, "count", offsetof(row, count), H5T_NATIVE_UINT32);
    H5Tinsert(mt, "flag", offsetof(row, flag), H5T_NATIVE_UINT8);
    H5Tinsert(mt, "value", offsetof(row, value), H5T_NATIVE_DOUBLE);
    H5Tinsert(mt, "name", offsetof(row, name), str);
    H5Tinsert(mt, "unit", offsetof(row, unit), str);
    return mt;
}

static int64_t read_attr_i64(hid_t obj, const char *name)
{
    int64_t v = -999;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
    H5Aclose(a);
    return v;
}

static double read_attr_f64(hid_t obj, const char *name)
{
    double v = -999;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

/* Checks the string attribute NAME of OBJ: a scalar variable-length UTF-8 string equal to WANT. */
static void check_attr_str(hid_t obj, const char *name, const char *want)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t ft = H5Aget_type(a);
    assert_int_equal(H5Tget_class(ft), H5T_STRING);
    assert_true(H5Tis_variable_str(ft) > 0);
    assert_int_equal(H5Tget_cset(ft), H5T_CSET_UTF8);
    hid_t space = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_type(space), H5S_SCALAR);
    hid_t st = vlen_utf8();
    char *v = NULL;
    assert_true(H5Aread(a, st, &v) >= 0);
    assert_string_equal(v, want);
    reclaim(st, space, &v);
    H5Tclose(st);
    H5Sclose(space);
    H5Tclose(ft);
    H5Aclose(a);
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_all_types_roundtrip(void **state)
{
    (void)state;
    const char *path = ks_test_path("roundtrip.h5");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    assert_string_equal(ks_trace_final_path(t), path);
    char temp[600];
    snprintf(temp, sizeof temp, "%s.tmp.%ld", path, (long)getpid());
    assert_string_equal(ks_trace_temp_path(t), temp);

    ks_table *tab = ks_trace_table(t, "/scheduler/attempts", row_cols, NCOLS, sizeof(row), CHUNK);
    assert_non_null(tab);
    char name[128];
    for (int i = 0; i < NROWS; i++) {
        row r;
        make_row(i, &r, name, sizeof name);
        assert_int_equal(ks_table_append(tab, &r), 0);
        memset(name, 'X', sizeof name - 1); /* the writer must have copied the string */
        name[sizeof name - 1] = '\0';
    }
    assert_int_equal(ks_table_rows(tab), NROWS);

    /* Written under the temporary name until close. */
    assert_true(ks_test_file_exists(temp));
    assert_false(ks_test_file_exists(path));
    assert_int_equal(ks_trace_close(t, 1), 0);
    assert_false(ks_test_file_exists(temp));
    assert_true(ks_test_file_exists(path));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(read_attr_i64(f, "complete"), 1);
    hid_t g = H5Gopen2(f, "/scheduler", H5P_DEFAULT);
    assert_true(g >= 0);
    H5Gclose(g);
    hid_t d = H5Dopen2(f, "/scheduler/attempts", H5P_DEFAULT);
    assert_true(d >= 0);
    check_file_type(d);

    /* Chunked by CHUNK rows, shuffled then gzip-4, extendible. */
    hid_t dcpl = H5Dget_create_plist(d);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    hsize_t chunk = 0;
    assert_int_equal(H5Pget_chunk(dcpl, 1, &chunk), 1);
    assert_int_equal(chunk, CHUNK);
    assert_int_equal(H5Pget_nfilters(dcpl), 2);
    unsigned flags, cd[4];
    size_t ncd = 4;
    assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_SHUFFLE);
    ncd = 4;
    assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
    assert_int_equal(cd[0], 4);
    H5Pclose(dcpl);

    hid_t space = H5Dget_space(d);
    hsize_t dims = 0, maxdims = 0;
    assert_int_equal(H5Sget_simple_extent_dims(space, &dims, &maxdims), 1);
    assert_int_equal(dims, NROWS);
    assert_true(maxdims == H5S_UNLIMITED);

    hid_t st = vlen_utf8();
    hid_t mt = row_memtype(st);
    row *back = calloc(NROWS, sizeof *back);
    assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
    for (int i = 0; i < NROWS; i++) {
        row want;
        make_row(i, &want, name, sizeof name);
        assert_int_equal(back[i].id, want.id);
        assert_int_equal(back[i].delta, want.delta);
        assert_int_equal(back[i].count, want.count);
        assert_int_equal(back[i].flag, want.flag);
        assert_true(back[i].value == want.value);
        assert_string_equal(back[i].name, want.name);
        assert_string_equal(back[i].unit, unit_expected(i));
    }
    reclaim(mt, space, back);
    free(back);
    H5Tclose(mt);
    H5Tclose(st);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
}

static void test_empty_table(void **state)
{
    (void)state;
    const char *path = ks_test_path("empty.h5");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    ks_table *tab = ks_trace_table(t, "empty", row_cols, NCOLS, sizeof(row), 16);
    assert_non_null(tab);
    assert_int_equal(ks_table_rows(tab), 0);
    assert_int_equal(ks_trace_close(t, 0), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(read_attr_i64(f, "complete"), 0);
    hid_t d = H5Dopen2(f, "/empty", H5P_DEFAULT);
    assert_true(d >= 0);
    check_file_type(d);
    hid_t space = H5Dget_space(d);
    hsize_t dims = 99;
    H5Sget_simple_extent_dims(space, &dims, NULL);
    assert_int_equal(dims, 0);
    /* Reading the whole (empty) dataset works. */
    hid_t st = vlen_utf8();
    hid_t mt = row_memtype(st);
    row dummy;
    assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &dummy) >= 0);
    H5Tclose(mt);
    H5Tclose(st);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
}

/* Several runs in one file: tables and attributes land inside the current group, a table closed
 * early keeps its rows (a row buffered, never flushed by a full chunk), `complete` stays at the
 * root, and "/" goes back to it. */
static void test_groups_and_closed_tables(void **state)
{
    (void)state;
    const char *path = ks_test_path("groups.h5");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    char buf[64];
    row r;
    for (int run = 0; run < 2; run++) {
        assert_int_equal(ks_trace_set_group(t, run ? "/runs/b/seed-2" : "runs/a/seed-1/"), 0);
        ks_table *tab = ks_trace_table(t, "/pods", row_cols, NCOLS, sizeof(row), 8);
        assert_non_null(tab);
        for (int i = 0; i <= run; i++) {
            make_row(i, &r, buf, sizeof buf);
            assert_int_equal(ks_table_append(tab, &r), 0);
        }
        assert_int_equal(ks_trace_attr_i64(t, "/", "seed", run + 1), 0);
        assert_int_equal(ks_trace_attr_i64(t, "/summary", "pods", run + 1), 0);
        assert_int_equal(ks_trace_close_tables(t), 0);
    }
    assert_int_equal(ks_trace_set_group(t, "/"), 0);
    assert_non_null(ks_trace_table(t, "compare", row_cols, NCOLS, sizeof(row), 8));
    assert_int_equal(ks_trace_set_group(t, "/runs/c"), 0); /* close writes `complete` at the root anyway */
    assert_int_equal(ks_trace_close(t, 1), 0);

    assert_int_equal(ks_tc_rows(path, "/runs/a/seed-1/pods"), 1);
    assert_int_equal(ks_tc_rows(path, "/runs/b/seed-2/pods"), 2);
    assert_int_equal(ks_tc_rows(path, "/compare"), 0);
    assert_int_equal(ks_tc_rows(path, "/pods"), -1);
    int64_t v = 0;
    assert_int_equal(ks_tc_attr_i64(path, "/runs/b/seed-2", "seed", &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(ks_tc_attr_i64(path, "/runs/a/seed-1/summary", "pods", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(ks_tc_attr_i64(path, "/", "complete", &v), 0);
    assert_int_equal(v, 1);
    assert_int_not_equal(ks_tc_attr_i64(path, "/runs/c", "complete", &v), 0);
    assert_int_not_equal(ks_tc_attr_i64(path, "/", "seed", &v), 0);
}

static void test_attributes(void **state)
{
    (void)state;
    const char *path = ks_test_path("attrs.h5");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    ks_table *tab = ks_trace_table(t, "/events/log", row_cols, NCOLS, sizeof(row), 8);
    assert_non_null(tab);
    char buf[64];
    row r;
    make_row(1, &r, buf, sizeof buf);
    assert_int_equal(ks_table_append(tab, &r), 0);

    assert_int_equal(ks_trace_attr_str(t, "/", "version", "0.1.0"), 0);
    assert_int_equal(ks_trace_attr_str(t, "/", "unit", "µs"), 0);
    assert_int_equal(ks_trace_attr_i64(t, "/", "seed", -42), 0);
    assert_int_equal(ks_trace_attr_f64(t, "/", "horizon", 3600.5), 0);
    assert_int_equal(ks_trace_attr_str(t, "/", "nothing", NULL), 0);
    /* A new group, created on demand, several levels deep. */
    assert_int_equal(ks_trace_attr_f64(t, "/summary", "p99_latency_s", 0.125), 0);
    assert_int_equal(ks_trace_attr_i64(t, "/deep/er/group", "n", 7), 0);
    /* On a table's dataset. */
    assert_int_equal(ks_trace_attr_str(t, "/events/log", "description", "one row per event"), 0);
    /* Overwriting replaces, even with another type. */
    assert_int_equal(ks_trace_attr_i64(t, "/summary", "pods", 1), 0);
    assert_int_equal(ks_trace_attr_i64(t, "/summary", "pods", 2), 0);
    assert_int_equal(ks_trace_attr_i64(t, "/", "version", 1), 0);
    assert_int_equal(ks_trace_attr_str(t, "/", "version", "0.2.0"), 0);
    assert_int_equal(ks_trace_close(t, 1), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_attr_str(f, "version", "0.2.0");
    check_attr_str(f, "unit", "µs");
    check_attr_str(f, "nothing", "");
    assert_int_equal(read_attr_i64(f, "seed"), -42);
    assert_true(read_attr_f64(f, "horizon") == 3600.5);
    assert_int_equal(read_attr_i64(f, "complete"), 1);

    hid_t g = H5Gopen2(f, "/summary", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_true(read_attr_f64(g, "p99_latency_s") == 0.125);
    assert_int_equal(read_attr_i64(g, "pods"), 2);
    H5O_info_t info;
    assert_true(H5Oget_info2(g, &info, H5O_INFO_NUM_ATTRS) >= 0);
    assert_int_equal(info.num_attrs, 2);
    H5Gclose(g);

    g = H5Gopen2(f, "/deep/er/group", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_int_equal(read_attr_i64(g, "n"), 7);
    H5Gclose(g);

    hid_t d = H5Dopen2(f, "/events/log", H5P_DEFAULT);
    assert_true(d >= 0);
    check_attr_str(d, "description", "one row per event");
    H5Dclose(d);
    H5Fclose(f);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    const char *path = ks_test_path("aborted.h5");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    char temp[600];
    snprintf(temp, sizeof temp, "%s", ks_trace_temp_path(t));
    ks_table *tab = ks_trace_table(t, "/tbl", row_cols, NCOLS, sizeof(row), 4);
    char buf[64];
    for (int i = 0; i < 10; i++) {
        row r;
        make_row(i, &r, buf, sizeof buf);
        assert_int_equal(ks_table_append(tab, &r), 0);
    }
    assert_int_equal(ks_trace_attr_i64(t, "/summary", "x", 1), 0);
    assert_true(ks_test_file_exists(temp));
    ks_trace_abort(t);
    assert_false(ks_test_file_exists(temp));
    assert_false(ks_test_file_exists(path));
    ks_trace_abort(NULL);
}

/* Writes the same sample trace every time. */
static void write_sample(const char *path)
{
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    ks_table *a = ks_trace_table(t, "/scheduler/attempts", row_cols, NCOLS, sizeof(row), 32);
    ks_table *b = ks_trace_table(t, "/pods", row_cols, NCOLS, sizeof(row), 50);
    ks_table *e = ks_trace_table(t, "/empty", row_cols, NCOLS, sizeof(row), 50);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(e);
    char buf[128];
    for (int i = 0; i < 250; i++) {
        row r;
        make_row(i, &r, buf, sizeof buf);
        assert_int_equal(ks_table_append(i % 3 ? a : b, &r), 0);
    }
    assert_int_equal(ks_trace_attr_str(t, "/", "config", "quickstart.yaml"), 0);
    assert_int_equal(ks_trace_attr_f64(t, "/summary", "mean", 1.5), 0);
    assert_int_equal(ks_trace_attr_i64(t, "/summary", "mean", 2), 0);
    assert_int_equal(ks_trace_attr_str(t, "/pods", "unit", "µs"), 0);
    assert_int_equal(ks_trace_close(t, 1), 0);
}

static void test_identical_calls_identical_bytes(void **state)
{
    (void)state;
    const char *pa = ks_test_path("same-a.h5");
    char pb[600];
    snprintf(pb, sizeof pb, "%s", ks_test_path("same-b.h5"));
    write_sample(pa);
    /* Let the clock move on to the next second, so that any timestamp left in the file (object
     * modification times have one-second resolution) would show up as a difference. */
    time_t t0 = time(NULL);
    while (time(NULL) == t0) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    write_sample(pb);
    size_t la = 0, lb = 0;
    char *a = ks_test_read_file(pa, &la);
    char *b = ks_test_read_file(pb, &lb);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

static void test_missing_directory_fails_cleanly(void **state)
{
    (void)state;
    const char *path = ks_test_path("no/such/dir/trace.h5");
    const char *err = ks_test_path("stderr-missing.txt");
    capture_begin(err);
    ks_trace *t = ks_trace_create(path);
    char *text = capture_end(err);
    assert_null(t);
    assert_non_null(strstr(text, "kubesim: cannot write trace "));
    assert_non_null(strstr(text, path));
    assert_non_null(strstr(text, "No such file or directory"));
    /* One line, not an HDF5 stack dump. */
    int lines = 0;
    for (const char *c = text; *c; c++) lines += *c == '\n';
    assert_int_equal(lines, 1);
    free(text);
    /* NULL handles are tolerated. */
    assert_int_equal(ks_trace_close(NULL, 1), -1);
    assert_null(ks_trace_table(NULL, "/x", row_cols, NCOLS, sizeof(row), 4));
    assert_int_equal(ks_table_append(NULL, NULL), -1);
    assert_int_equal(ks_trace_attr_i64(NULL, "/", "x", 1), -1);
}

static void test_error_then_quiet(void **state)
{
    (void)state;
    const char *path = ks_test_path("dup.h5");
    const char *err = ks_test_path("stderr-dup.txt");
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    char temp[600];
    snprintf(temp, sizeof temp, "%s", ks_trace_temp_path(t));
    ks_table *tab = ks_trace_table(t, "/x", row_cols, NCOLS, sizeof(row), 4);
    assert_non_null(tab);

    capture_begin(err);
    /* The same path twice is an HDF5 error, reported once ... */
    ks_table *dup = ks_trace_table(t, "/x", row_cols, NCOLS, sizeof(row), 4);
    /* ... after which everything fails quietly. */
    char buf[64];
    row r;
    make_row(0, &r, buf, sizeof buf);
    int rc_append = ks_table_append(tab, &r);
    int rc_attr = ks_trace_attr_i64(t, "/", "x", 1);
    ks_table *other = ks_trace_table(t, "/y", row_cols, NCOLS, sizeof(row), 4);
    int rc_close = ks_trace_close(t, 1);
    char *text = capture_end(err);

    assert_null(dup);
    assert_int_equal(rc_append, -1);
    assert_int_equal(rc_attr, -1);
    assert_null(other);
    assert_int_equal(rc_close, -1);
    const char *line = strstr(text, "kubesim: cannot write trace ");
    assert_non_null(line);
    assert_non_null(strstr(text, path));
    assert_non_null(strstr(text, "/x"));
    assert_null(strstr(line + 1, "kubesim:")); /* only one message */
    free(text);
    assert_false(ks_test_file_exists(temp));
    assert_false(ks_test_file_exists(path));
}

static void test_duplicate_columns_fail(void **state)
{
    (void)state;
    const char *path = ks_test_path("dupcols.h5");
    const char *err = ks_test_path("stderr-dupcols.txt");
    ks_column cols[] = {{"a", KS_COL_I64, 0, 0}, {"a", KS_COL_I64, 8, 0}};
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    capture_begin(err);
    ks_table *tab = ks_trace_table(t, "/t", cols, 2, 16, 4);
    int rc = ks_trace_close(t, 1);
    char *text = capture_end(err);
    assert_null(tab);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(text, "kubesim: cannot write trace "));
    free(text);
    assert_false(ks_test_file_exists(path));
}

/* A write that fails half-way (here: the file size limit, as a full disk would) is reported once
 * with the system's reason, later calls fail quietly, and no file is left behind. Runs in a child
 * process because the size limit is process-wide. */
static void test_write_failure(void **state)
{
    (void)state;
    const char *path = ks_test_path("toobig.h5");
    const char *err = ks_test_path("stderr-toobig.txt");
    char temp[600];
    snprintf(temp, sizeof temp, "%s.tmp.", path);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) _exit(10);
        dup2(fd, 2);
        close(fd);
        signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing us */
        struct rlimit lim = {64 * 1024, 64 * 1024};
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(11);
        ks_trace *t = ks_trace_create(path);
        if (!t) _exit(12);
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s", ks_trace_temp_path(t));
        ks_table *tab = ks_trace_table(t, "/big", row_cols, NCOLS, sizeof(row), 1024);
        if (!tab) _exit(13);
        char buf[128];
        int failed_at = -1;
        /* Pseudo-random values so gzip cannot squeeze them under the limit. */
        uint64_t x = 88172645463325252ULL;
        for (int i = 0; i < 200000 && failed_at < 0; i++) {
            row r;
            make_row(i, &r, buf, sizeof buf);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            r.id = (int64_t)x;
            r.value = (double)(x >> 11);
            if (ks_table_append(tab, &r) != 0) failed_at = i;
        }
        int rc_attr = ks_trace_attr_i64(t, "/", "x", 1);
        int rc = ks_trace_close(t, 1);
        int ok = rc == -1 && rc_attr == -1 && !ks_test_file_exists(tmp) && !ks_test_file_exists(path);
        fflush(stderr);
        _exit(ok ? 0 : 14);
    }
    int st = 0;
    assert_true(waitpid(pid, &st, 0) == pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char *text = ks_test_read_file(err, NULL);
    assert_non_null(text);
    const char *line = strstr(text, "kubesim: cannot write trace ");
    assert_non_null(line);
    assert_non_null(strstr(text, path));
    assert_null(strstr(line + 1, "kubesim:")); /* only one message */
    free(text);
}

/* Fixed-size string columns: NUL-padded, UTF-8, read back exactly, with the file type's size. */
typedef struct frow {
    const char *ns, *msg, *reason;
    double t;
} frow;

static void test_fixed_size_strings(void **state)
{
    (void)state;
    const char *path = ks_test_path("fstr.h5");
    static const ks_column cols[] = {KS_FSTR_COLUMN(frow, ns, 8), KS_COLUMN(frow, msg, KS_COL_STR),
                                     KS_FSTR_COLUMN(frow, reason, 4), KS_COLUMN(frow, t, KS_COL_F64)};
    ks_trace *t = ks_trace_create(path);
    assert_non_null(t);
    ks_table *tab = ks_trace_table(t, "/f", cols, 4, sizeof(frow), 2);
    assert_non_null(tab);
    const frow rows[] = {{"default", "hello", "Ok", 1.5}, {"", "\xc2\xb5s", "four", 2.5}, {NULL, NULL, "µ", 3.5}};
    for (int i = 0; i < 3; i++) assert_int_equal(ks_table_append(tab, &rows[i]), 0);
    assert_int_equal(ks_trace_close(t, 1), 0);
    size_t n = 0;
    char **ns = ks_tc_strings(path, "/f", "ns", &n);
    char **reason = ks_tc_strings(path, "/f", "reason", &n);
    char **msg = ks_tc_strings(path, "/f", "msg", &n);
    assert_int_equal(n, 3);
    const char *want_ns[] = {"default", "", ""}, *want_reason[] = {"Ok", "four", "µ"}, *want_msg[] = {"hello", "µs", ""};
    for (int i = 0; i < 3; i++) {
        assert_string_equal(ns[i], want_ns[i]);
        assert_string_equal(reason[i], want_reason[i]);
        assert_string_equal(msg[i], want_msg[i]);
    }
    ks_tc_free_strings(ns, n);
    ks_tc_free_strings(reason, n);
    ks_tc_free_strings(msg, n);
    double *tv = ks_tc_f64(path, "/f", "t", &n);
    assert_true(tv[0] == 1.5 && tv[1] == 2.5 && tv[2] == 3.5);
    free(tv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_size_strings),
        cmocka_unit_test(test_all_types_roundtrip),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_groups_and_closed_tables),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_identical_calls_identical_bytes),
        cmocka_unit_test(test_missing_directory_fails_cleanly),
        cmocka_unit_test(test_error_then_quiet),
        cmocka_unit_test(test_duplicate_columns_fail),
        cmocka_unit_test(test_write_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
