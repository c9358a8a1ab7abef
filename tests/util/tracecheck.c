/* tracecheck.c — see tracecheck.h. */
#include "tracecheck.h"

#include <hdf5.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hid_t open_file(const char *file)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
}

long ks_tc_rows(const char *file, const char *dataset)
{
    hid_t f = open_file(file);
    if (f < 0) return -1;
    long rows = -1;
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        hsize_t dims[1] = {0};
        H5Sget_simple_extent_dims(sp, dims, NULL);
        rows = (long)dims[0];
        H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    return rows;
}

/* Reads one member of a compound dataset into a buffer of N elements of MEMBER_TYPE. */
static void *read_column(const char *file, const char *dataset, const char *column, hid_t member_type, size_t elem,
                         size_t *n)
{
    hid_t f = open_file(file);
    if (f < 0) return NULL;
    void *buf = NULL;
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    if (d >= 0) {
        hid_t ft = H5Dget_type(d);
        if (H5Tget_member_index(ft, column) >= 0) {
            hid_t sp = H5Dget_space(d);
            hsize_t dims[1] = {0};
            H5Sget_simple_extent_dims(sp, dims, NULL);
            hid_t mt = H5Tcreate(H5T_COMPOUND, elem);
            H5Tinsert(mt, column, 0, member_type);
            *n = (size_t)dims[0];
            buf = calloc(*n ? *n : 1, elem);
            if (*n && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
                free(buf);
                buf = NULL;
            }
            H5Tclose(mt);
            H5Sclose(sp);
        }
        H5Tclose(ft);
        H5Dclose(d);
    }
    H5Fclose(f);
    return buf;
}

/* Reads a string column, variable-length or fixed-size, into malloc'd copies. */
char **ks_tc_strings(const char *file, const char *dataset, const char *column, size_t *n)
{
    hid_t f = open_file(file);
    if (f < 0) return NULL;
    size_t width = 0;
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    if (d >= 0) {
        hid_t ft = H5Dget_type(d);
        int idx = H5Tget_member_index(ft, column);
        if (idx >= 0) {
            hid_t mt = H5Tget_member_type(ft, (unsigned)idx);
            if (H5Tget_class(mt) == H5T_STRING && H5Tis_variable_str(mt) <= 0) width = H5Tget_size(mt);
            H5Tclose(mt);
        }
        H5Tclose(ft);
        H5Dclose(d);
    }
    H5Fclose(f);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char **out = NULL;
    if (width) {
        H5Tset_size(st, width);
        H5Tset_strpad(st, H5T_STR_NULLPAD);
        char *raw = read_column(file, dataset, column, st, width, n);
        if (raw) {
            out = malloc((*n ? *n : 1) * sizeof *out);
            for (size_t i = 0; i < *n; i++) out[i] = strndup(raw + i * width, width);
            free(raw);
        }
    } else {
        H5Tset_size(st, H5T_VARIABLE);
        char **v = read_column(file, dataset, column, st, sizeof(char *), n);
        if (v) {
            out = malloc((*n ? *n : 1) * sizeof *out);
            for (size_t i = 0; i < *n; i++) {
                out[i] = strdup(v[i] ? v[i] : "");
                H5free_memory(v[i]);
            }
            free(v);
        }
    }
    H5Tclose(st);
    return out;
}

void ks_tc_free_strings(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

double *ks_tc_f64(const char *file, const char *dataset, const char *column, size_t *n)
{
    return read_column(file, dataset, column, H5T_NATIVE_DOUBLE, sizeof(double), n);
}

int64_t *ks_tc_i64(const char *file, const char *dataset, const char *column, size_t *n)
{
    return read_column(file, dataset, column, H5T_NATIVE_INT64, sizeof(int64_t), n);
}

static int read_attr(const char *file, const char *object, const char *name, hid_t type, void *out)
{
    hid_t f = open_file(file);
    if (f < 0) return -1;
    int rc = -1;
    if (H5Aexists_by_name(f, object, name, H5P_DEFAULT) > 0) {
        hid_t a = H5Aopen_by_name(f, object, name, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0 && H5Aread(a, type, out) >= 0) rc = 0;
        if (a >= 0) H5Aclose(a);
    }
    H5Fclose(f);
    return rc;
}

int ks_tc_attr_i64(const char *file, const char *object, const char *name, int64_t *out)
{
    return read_attr(file, object, name, H5T_NATIVE_INT64, out);
}

int ks_tc_attr_f64(const char *file, const char *object, const char *name, double *out)
{
    return read_attr(file, object, name, H5T_NATIVE_DOUBLE, out);
}

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static herr_t collect(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)obj;
    names *ns = data;
    if (info->type != H5O_TYPE_DATASET) return 0;
    if (ns->n == ns->cap) ns->v = realloc(ns->v, (ns->cap = ns->cap ? ns->cap * 2 : 16) * sizeof *ns->v);
    ns->v[ns->n++] = strdup(name);
    return 0;
}

static void list_datasets(hid_t f, names *ns)
{
#if H5_VERSION_GE(1, 12, 0)
    H5Ovisit3(f, H5_INDEX_NAME, H5_ITER_INC, collect, ns, H5O_INFO_BASIC);
#else
    H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, collect, ns, H5O_INFO_BASIC);
#endif
}

/* Compares element by element: for compounds member by member, variable-length strings by
 * content (their pointers differ), everything else byte for byte. */
static int compare_dataset(hid_t fa, hid_t fb, const char *name, char *why, size_t whysize)
{
    hid_t da = H5Dopen2(fa, name, H5P_DEFAULT), db = H5Dopen2(fb, name, H5P_DEFAULT);
    int rc = 0;
    if (db < 0) {
        snprintf(why, whysize, "%s: missing in the second file", name);
        rc = 1;
        goto out;
    }
    hid_t ta = H5Dget_type(da), tb = H5Dget_type(db);
    if (H5Tequal(ta, tb) <= 0) {
        snprintf(why, whysize, "%s: types differ", name);
        rc = 1;
    }
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
    hsize_t na = 0, nb = 0;
    H5Sget_simple_extent_dims(sa, &na, NULL);
    H5Sget_simple_extent_dims(sb, &nb, NULL);
    if (!rc && na != nb) {
        snprintf(why, whysize, "%s: %llu rows vs %llu", name, (unsigned long long)na, (unsigned long long)nb);
        rc = 1;
    }
    if (!rc && na) {
        hid_t mt = H5Tget_native_type(ta, H5T_DIR_ASCEND);
        size_t size = H5Tget_size(mt);
        char *ba = calloc(na, size), *bb = calloc(na, size);
        H5Dread(da, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, ba);
        H5Dread(db, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, bb);
        int nm = H5Tget_class(mt) == H5T_COMPOUND ? H5Tget_nmembers(mt) : 0;
        for (hsize_t r = 0; r < na && !rc; r++) {
            for (int m = 0; m < (nm ? nm : 1) && !rc; m++) {
                size_t off = nm ? H5Tget_member_offset(mt, (unsigned)m) : 0;
                hid_t memt = nm ? H5Tget_member_type(mt, (unsigned)m) : H5Tcopy(mt);
                size_t msize = H5Tget_size(memt);
                const char *pa = ba + r * size + off, *pb = bb + r * size + off;
                bool vstr = H5Tget_class(memt) == H5T_STRING && H5Tis_variable_str(memt) > 0;
                bool same = vstr ? strcmp(*(char *const *)pa ? *(char *const *)pa : "",
                                          *(char *const *)pb ? *(char *const *)pb : "") == 0
                                 : memcmp(pa, pb, msize) == 0;
                if (!same) {
                    char *mname = nm ? H5Tget_member_name(mt, (unsigned)m) : NULL;
                    snprintf(why, whysize, "%s: row %llu, column %s differs", name, (unsigned long long)r,
                             mname ? mname : "?");
                    if (mname) H5free_memory(mname);
                    rc = 1;
                }
                H5Tclose(memt);
            }
        }
        H5Dvlen_reclaim(mt, sa, H5P_DEFAULT, ba);
        H5Dvlen_reclaim(mt, sb, H5P_DEFAULT, bb);
        free(ba);
        free(bb);
        H5Tclose(mt);
    }
    H5Sclose(sa);
    H5Sclose(sb);
    H5Tclose(ta);
    H5Tclose(tb);
out:
    if (da >= 0) H5Dclose(da);
    if (db >= 0) H5Dclose(db);
    return rc;
}

int ks_tc_compare_datasets(const char *a, const char *b, char *why, size_t whysize)
{
    hid_t fa = open_file(a), fb = open_file(b);
    if (fa < 0 || fb < 0) {
        snprintf(why, whysize, "cannot open %s", fa < 0 ? a : b);
        if (fa >= 0) H5Fclose(fa);
        if (fb >= 0) H5Fclose(fb);
        return 1;
    }
    names na = {0}, nb = {0};
    list_datasets(fa, &na);
    list_datasets(fb, &nb);
    int rc = 0;
    if (na.n != nb.n) {
        snprintf(why, whysize, "%zu datasets vs %zu", na.n, nb.n);
        rc = 1;
    }
    for (size_t i = 0; i < na.n && !rc; i++) rc = compare_dataset(fa, fb, na.v[i], why, whysize);
    if (!rc && na.n == 0) {
        snprintf(why, whysize, "no datasets");
        rc = 1;
    }
    for (size_t i = 0; i < na.n; i++) free(na.v[i]);
    for (size_t i = 0; i < nb.n; i++) free(nb.v[i]);
    free(na.v);
    free(nb.v);
    H5Fclose(fa);
    H5Fclose(fb);
    return rc;
}
