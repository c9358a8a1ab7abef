/* trace.c — the HDF5 trace writer; see trace.h for the contract.
 *
 * Layout of the work: a ks_trace owns the HDF5 file id, the group creation property list and
 * string type shared by the objects it creates, and its tables. A ks_table owns its dataset id,
 * the memory compound type that describes the caller's row struct, and a buffer of chunk_rows rows.
 * Rows are copied into the buffer by ks_table_append and written one chunk at a time, which is both
 * the cheapest way to drive HDF5's chunk cache (every write covers exactly one chunk, the last
 * possibly partial, so no chunk is ever read back, decompressed and rewritten) and the reason long
 * runs stream to disk in constant memory.
 *
 * Error handling: HDF5's automatic error printing is switched off because its multi-line stack
 * dumps mean nothing to a user. The first failure instead prints one line naming the trace and the
 * reason, marks the trace failed, and every later call returns -1 without printing. The file is
 * then removed by ks_trace_close or ks_trace_abort, so a half-written trace never sits at the final
 * path looking valid.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "trace.h"

#include "alloc.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

/* Rows per chunk when the caller passes 0: big enough that gzip has something to work with and
 * per-chunk overhead is small, small enough that the buffer stays a few hundred KiB. */
#define KS__DEFAULT_CHUNK_ROWS 4096

struct ks_table {
    ks_trace *trace;
    char *path;             /* normalised: "/group/name" */
    hid_t dset;             /* open for the life of the table */
    hid_t memtype;          /* the caller's row layout, native types */
    size_t row_size;        /* the caller's row */
    size_t buf_row_size;    /* a buffered row: the caller's row, then the fixed-size strings */
    size_t chunk_rows;
    size_t nfstr;           /* number of KS_COL_FSTR columns */
    size_t *fstr_offset;    /* their pointers' offsets in the caller's row, [nfstr] */
    size_t *fstr_width;     /* their widths, [nfstr]; the bytes follow row_size in the buffer */
    size_t nstr;            /* number of KS_COL_STR columns */
    size_t *str_offset;     /* their offsets in the row, [nstr] */
    unsigned char *buf;     /* chunk_rows rows of buf_row_size bytes */
    size_t buffered;        /* rows in buf */
    uint64_t written;       /* rows already in the dataset */
    /* Copies of the string values of the buffered rows. Offsets rather than pointers are kept per
     * row so the arena can grow (and move) freely; the pointers HDF5 needs are filled in just
     * before the write. */
    size_t *str_pos;        /* [chunk_rows * nstr] offsets into arena */
    char *arena;
    size_t arena_len, arena_cap;
};

struct ks_trace {
    char *final_path;
    char *temp_path;
    hid_t fid;
    hid_t gcpl;             /* group creation: no timestamps */
    hid_t strtype;          /* variable-length UTF-8 string, used in memory and in the file */
    int failed;             /* an error was reported; everything after is quiet */
    char *group;            /* normalised prefix of every path (ks_trace_set_group); "/" by default */
    ks_table **tables;
    size_t ntables, tables_cap;
};

static ks_mem_id ks__mem(void)
{
    return ks_mem_purpose("trace buffers");
}

/* ---- error reporting -------------------------------------------------------------------------- */

typedef struct ks__hdf5_reason {
    char text[320];
    int found;
} ks__hdf5_reason;

/* H5Ewalk2 callback. Walking upward, entry 0 is the innermost function that detected the error:
 * its major/minor pair says what went wrong ("Links: Object already exists") and its description
 * often says why ("chunk size must be < 4GB"); the outer entries only say which API call was
 * interrupted. Low-level I/O descriptions are long lists of "key = value" pairs, so only their head
 * and the operating system's message are kept. */
static herr_t ks__walk_cb(unsigned n, const H5E_error2_t *err, void *data)
{
    ks__hdf5_reason *r = data;
    if (n != 0) return 0;
    char maj[96] = "", min[96] = "";
    H5Eget_msg(err->maj_num, NULL, maj, sizeof maj);
    H5Eget_msg(err->min_num, NULL, min, sizeof min);
    int len = snprintf(r->text, sizeof r->text, "%s: %s", maj, min);
    const char *desc = err->desc ? err->desc : "";
    size_t head = strcspn(desc, ":,\n");
    if (head > 0 && len > 0 && (size_t)len < sizeof r->text) {
        const char *os = strstr(desc, "error message = '");
        int oslen = 0;
        if (os) {
            os += strlen("error message = '");
            oslen = (int)strcspn(os, "'");
        }
        snprintf(r->text + len, sizeof r->text - (size_t)len, " (%.*s%s%.*s)", (int)(head > 120 ? 120 : head),
                 desc, os ? ": " : "", oslen > 120 ? 120 : oslen, os ? os : "");
    }
    r->found = 1;
    return 0;
}

/* Reports the first failure of T: CONTEXT says what was being done, ERR is an errno value when
 * the failure was a system call's (0 otherwise, and the reason comes from the HDF5 error stack). */
static void ks__fail(ks_trace *t, const char *context, int err)
{
    if (t->failed) return;
    t->failed = 1;
    const char *reason;
    ks__hdf5_reason r = {.text = "", .found = 0};
    if (err != 0) {
        reason = strerror(err);
    } else {
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, ks__walk_cb, &r);
        reason = r.found ? r.text : "unknown HDF5 error";
    }
    fprintf(stderr, "kubesim: cannot write trace %s: %s: %s\n", t->final_path, context, reason);
}

/* Same, for failures found by this file's own checks rather than by HDF5 or the system. */
static void ks__fail_msg(ks_trace *t, const char *context, const char *reason)
{
    if (t->failed) return;
    t->failed = 1;
    fprintf(stderr, "kubesim: cannot write trace %s: %s: %s\n", t->final_path, context, reason);
}

/* ---- paths and groups ------------------------------------------------------------------------- */

/* Returns PATH as "/a/b/c": a leading slash, no empty components, no trailing slash ("/" for the
 * root). Allocated. */
static char *ks__normalise(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    char *out = ks_malloc(ks__mem(), n + 2);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && path[i] == '/') i++;
        if (i == n) break;
        out[o++] = '/';
        while (i < n && path[i] != '/') out[o++] = path[i++];
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return out;
}

/* PATH inside T's current group, normalised. Allocated. */
static char *ks__resolve(const ks_trace *t, const char *path)
{
    if (!t->group || strcmp(t->group, "/") == 0) return ks__normalise(path);
    size_t g = strlen(t->group), n = path ? strlen(path) : 0;
    char *joined = ks_malloc(ks__mem(), g + n + 2);
    memcpy(joined, t->group, g);
    joined[g] = '/';
    if (n) memcpy(joined + g + 1, path, n);
    joined[g + 1 + n] = '\0';
    char *out = ks__normalise(joined);
    ks_free(joined);
    return out;
}

/* Creates each missing group along the normalised PATH. With INCLUDE_LAST 0 the last component
 * is left alone (it is about to become a dataset). Groups are created one level at a time with
 * the trace's gcpl rather than with H5Pset_create_intermediate_group, so every group, including
 * the intermediate ones, is created without timestamps. */
static int ks__make_groups(ks_trace *t, char *path, int include_last)
{
    size_t len = strlen(path);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        if (path[i] == '\0' && !include_last) break;
        char saved = path[i];
        path[i] = '\0';
        int rc = 0;
        htri_t exists = H5Lexists(t->fid, path, H5P_DEFAULT);
        if (exists < 0) {
            rc = -1;
        } else if (exists == 0) {
            hid_t g = H5Gcreate2(t->fid, path, H5P_DEFAULT, t->gcpl, H5P_DEFAULT);
            if (g < 0) rc = -1;
            else H5Gclose(g);
        } else if (saved == '/') {
            /* Something on the way that is not a group (a table) would make HDF5 answer the next
             * step with a puzzling "object not found"; say what is wrong instead. */
            H5O_info_t info;
            if (H5Oget_info_by_name2(t->fid, path, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
                rc = -1;
            } else if (info.type != H5O_TYPE_GROUP) {
                char context[300];
                snprintf(context, sizeof context, "creating group %s", path);
                ks__fail_msg(t, context, "a table of that name is in the way");
                rc = -1;
            }
        }
        if (rc < 0) {
            char context[300];
            snprintf(context, sizeof context, "creating group %s", path);
            ks__fail(t, context, 0);
        }
        path[i] = saved;
        if (rc < 0) return -1;
    }
    return 0;
}

/* ---- creation --------------------------------------------------------------------------------- */

ks_trace *ks_trace_create(const char *final_path)
{
    ks_mem_id mem = ks__mem();
    ks_trace *t = ks_calloc(mem, 1, sizeof *t);
    t->fid = t->gcpl = t->strtype = H5I_INVALID_HID;
    t->final_path = ks_strdup(mem, final_path ? final_path : "");
    size_t n = strlen(t->final_path) + 32;
    t->temp_path = ks_malloc(mem, n);
    snprintf(t->temp_path, n, "%s.tmp.%ld", t->final_path, (long)getpid());

    /* The one-line message of ks__fail replaces HDF5's stack dumps (see the top of this file). */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    /* Object modification times would make two runs with identical content differ in a few bytes
     * of every object header; determinism (same rows => same bytes) is a project requirement, and
     * the times are of no use to anyone reading a trace. The file creation property list is also
     * the root group's creation list: with the default (oldest) file format the root group has no
     * times anyway, but with a newer format (H5Pset_libver_bounds) it would, so "/" is covered
     * too. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    t->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (fcpl < 0 || t->gcpl < 0 || H5Pset_obj_track_times(fcpl, 0) < 0 ||
        H5Pset_obj_track_times(t->gcpl, 0) < 0) {
        ks__fail(t, "setting up HDF5", 0);
    } else {
        errno = 0;
        t->fid = H5Fcreate(t->temp_path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
        int err = errno;
        if (t->fid < 0) {
            char context[600];
            snprintf(context, sizeof context, "creating %s", t->temp_path);
            ks__fail(t, context, err);
        }
    }
    if (fcpl >= 0) H5Pclose(fcpl);

    if (!t->failed) {
        t->strtype = H5Tcopy(H5T_C_S1);
        if (t->strtype < 0 || H5Tset_size(t->strtype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(t->strtype, H5T_CSET_UTF8) < 0)
            ks__fail(t, "creating the string type", 0);
    }
    if (t->failed) {
        ks_trace_abort(t);
        return NULL;
    }
    return t;
}

const char *ks_trace_final_path(const ks_trace *t)
{
    return t->final_path;
}

const char *ks_trace_temp_path(const ks_trace *t)
{
    return t->temp_path;
}

/* ---- tables ----------------------------------------------------------------------------------- */

/* The file and memory types of one column. The file types are fixed little-endian so a trace is
 * the same bytes whichever machine wrote it; the memory types are the native ones of the struct. */
static hid_t ks__file_type(const ks_trace *t, ks_col_type type)
{
    switch (type) {
    case KS_COL_I64: return H5T_STD_I64LE;
    case KS_COL_I32: return H5T_STD_I32LE;
    case KS_COL_U32: return H5T_STD_U32LE;
    case KS_COL_U8: return H5T_STD_U8LE;
    case KS_COL_F64: return H5T_IEEE_F64LE;
    case KS_COL_STR: return t->strtype;
    case KS_COL_FSTR: return H5I_INVALID_HID; /* built per column in ks__table_types */
    }
    return H5I_INVALID_HID;
}

static hid_t ks__mem_type(const ks_trace *t, ks_col_type type)
{
    switch (type) {
    case KS_COL_I64: return H5T_NATIVE_INT64;
    case KS_COL_I32: return H5T_NATIVE_INT32;
    case KS_COL_U32: return H5T_NATIVE_UINT32;
    case KS_COL_U8: return H5T_NATIVE_UINT8;
    case KS_COL_F64: return H5T_NATIVE_DOUBLE;
    case KS_COL_STR: return t->strtype;
    case KS_COL_FSTR: return H5I_INVALID_HID;
    }
    return H5I_INVALID_HID;
}

/* A fixed-size, NUL-padded UTF-8 string type of WIDTH bytes (closed by the caller). */
static hid_t ks__fstr_type(size_t width)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    if (st < 0) return st;
    if (H5Tset_size(st, width) < 0 || H5Tset_strpad(st, H5T_STR_NULLPAD) < 0 || H5Tset_cset(st, H5T_CSET_UTF8) < 0) {
        H5Tclose(st);
        return H5I_INVALID_HID;
    }
    return st;
}

static void ks__table_free(ks_table *tab)
{
    if (!tab) return;
    if (tab->dset >= 0) H5Dclose(tab->dset);
    if (tab->memtype >= 0) H5Tclose(tab->memtype);
    ks_free(tab->path);
    ks_free(tab->str_offset);
    ks_free(tab->fstr_offset);
    ks_free(tab->fstr_width);
    ks_free(tab->buf);
    ks_free(tab->str_pos);
    ks_free(tab->arena);
    ks_free(tab);
}

/* Builds the memory compound (the caller's layout) and the file compound (the same members in the
 * same order, packed with no padding, since alignment means nothing on disk and padding bytes would
 * only cost space). Returns the file type, or a negative id; the memory type goes to TAB. */
static hid_t ks__table_types(ks_table *tab, const ks_column *cols, size_t ncols)
{
    const ks_trace *t = tab->trace;
    size_t packed = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].type == KS_COL_FSTR) {
            packed += cols[i].width;
            continue;
        }
        hid_t ft = ks__file_type(t, cols[i].type);
        if (ft < 0) return H5I_INVALID_HID;
        packed += H5Tget_size(ft);
    }
    tab->memtype = H5Tcreate(H5T_COMPOUND, tab->buf_row_size);
    hid_t filetype = H5Tcreate(H5T_COMPOUND, packed);
    if (tab->memtype < 0 || filetype < 0) goto fail;
    /* Fixed-size strings sit after the caller's row in the buffer, in column order. */
    size_t off = 0, fstr_off = tab->row_size;
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].type == KS_COL_FSTR) {
            hid_t st = ks__fstr_type(cols[i].width);
            int bad = st < 0 || H5Tinsert(tab->memtype, cols[i].name, fstr_off, st) < 0 ||
                      H5Tinsert(filetype, cols[i].name, off, st) < 0;
            if (st >= 0) H5Tclose(st);
            if (bad) goto fail;
            fstr_off += cols[i].width;
            off += cols[i].width;
            continue;
        }
        hid_t ft = ks__file_type(t, cols[i].type);
        hid_t mt = ks__mem_type(t, cols[i].type);
        if (H5Tinsert(tab->memtype, cols[i].name, cols[i].offset, mt) < 0) goto fail;
        if (H5Tinsert(filetype, cols[i].name, off, ft) < 0) goto fail;
        off += H5Tget_size(ft);
    }
    return filetype;
fail:
    if (filetype >= 0) H5Tclose(filetype);
    return H5I_INVALID_HID;
}

ks_table *ks_trace_table(ks_trace *t, const char *path, const ks_column *cols, size_t ncols,
                         size_t row_size, size_t chunk_rows)
{
    if (!t || t->failed) return NULL;
    ks_mem_id mem = ks__mem();
    ks_table *tab = ks_calloc(mem, 1, sizeof *tab);
    tab->trace = t;
    tab->dset = tab->memtype = H5I_INVALID_HID;
    tab->path = ks__resolve(t, path);
    tab->row_size = row_size;
    tab->chunk_rows = chunk_rows ? chunk_rows : KS__DEFAULT_CHUNK_ROWS;

    char context[300];
    snprintf(context, sizeof context, "creating table %s", tab->path);
    if (strcmp(tab->path, "/") == 0) {
        ks__fail_msg(t, context, "a table needs a name");
        goto fail;
    }
    if (ncols == 0 || !cols || row_size == 0) {
        ks__fail_msg(t, context, "a table needs columns");
        goto fail;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (!cols[i].name || !cols[i].name[0] || (unsigned)cols[i].type > KS_COL_FSTR ||
            (cols[i].type == KS_COL_FSTR && cols[i].width == 0)) {
            ks__fail_msg(t, context, "bad column definition");
            goto fail;
        }
        if (cols[i].type == KS_COL_STR) tab->nstr++;
        if (cols[i].type == KS_COL_FSTR) tab->nfstr++;
    }
    tab->str_offset = ks_malloc(mem, (tab->nstr ? tab->nstr : 1) * sizeof *tab->str_offset);
    tab->fstr_offset = ks_malloc(mem, (tab->nfstr ? tab->nfstr : 1) * sizeof *tab->fstr_offset);
    tab->fstr_width = ks_malloc(mem, (tab->nfstr ? tab->nfstr : 1) * sizeof *tab->fstr_width);
    tab->buf_row_size = row_size;
    for (size_t i = 0, k = 0, f = 0; i < ncols; i++) {
        if (cols[i].type == KS_COL_STR) tab->str_offset[k++] = cols[i].offset;
        if (cols[i].type == KS_COL_FSTR) {
            tab->fstr_offset[f] = cols[i].offset;
            tab->fstr_width[f++] = cols[i].width;
            tab->buf_row_size += cols[i].width;
        }
    }

    if (ks__make_groups(t, tab->path, 0) < 0) goto fail;

    hid_t filetype = ks__table_types(tab, cols, ncols);
    if (filetype < 0) {
        ks__fail(t, context, 0);
        goto fail;
    }

    /* An extendible dataset must be chunked; chunks of chunk_rows rows match the append buffer,
     * so each flush writes whole chunks. Shuffle groups the bytes of each field position across
     * rows (all the high bytes of the timestamps together …), which is what lets gzip compress
     * columns of slowly changing numbers well; level 4 is most of gzip's gain at a fraction of
     * level 9's cost. Timestamps are off for the same reason as for groups. */
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = tab->chunk_rows;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
        H5Pset_deflate(dcpl, 4) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0)
        tab->dset = H5Dcreate2(t->fid, tab->path, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (tab->dset < 0) ks__fail(t, context, 0);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    H5Tclose(filetype);
    if (tab->dset < 0) goto fail;

    tab->buf = ks_malloc(mem, tab->chunk_rows * tab->buf_row_size);
    if (tab->nstr) tab->str_pos = ks_malloc(mem, tab->chunk_rows * tab->nstr * sizeof *tab->str_pos);
    ks_grow(mem, (void **)&t->tables, &t->tables_cap, t->ntables + 1, sizeof *t->tables);
    t->tables[t->ntables++] = tab;
    return tab;
fail:
    ks__table_free(tab);
    return NULL;
}

/* Writes the buffered rows at the end of the dataset and empties the buffer and string arena. */
static int ks__table_flush(ks_table *tab)
{
    ks_trace *t = tab->trace;
    if (t->failed) return -1;
    if (tab->buffered == 0) return 0;

    /* The arena has stopped moving, so the string pointers can now be set in the buffered rows. */
    for (size_t r = 0; r < tab->buffered; r++) {
        unsigned char *row = tab->buf + r * tab->buf_row_size;
        for (size_t k = 0; k < tab->nstr; k++) {
            const char *s = tab->arena + tab->str_pos[r * tab->nstr + k];
            memcpy(row + tab->str_offset[k], &s, sizeof s);
        }
    }

    hsize_t start = tab->written, count = tab->buffered, total = tab->written + tab->buffered;
    int rc = -1;
    hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
    if (H5Dset_extent(tab->dset, &total) >= 0 && (fspace = H5Dget_space(tab->dset)) >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
        (mspace = H5Screate_simple(1, &count, NULL)) >= 0 &&
        H5Dwrite(tab->dset, tab->memtype, mspace, fspace, H5P_DEFAULT, tab->buf) >= 0)
        rc = 0;
    if (rc < 0) {
        char context[300];
        snprintf(context, sizeof context, "writing table %s", tab->path);
        ks__fail(t, context, 0);
    }
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    tab->written = total;
    tab->buffered = 0;
    tab->arena_len = 0;
    return rc;
}

int ks_table_append(ks_table *tab, const void *row)
{
    if (!tab || tab->trace->failed) return -1;
    ks_mem_id mem = ks__mem();
    size_t r = tab->buffered;
    unsigned char *dst = tab->buf + r * tab->buf_row_size;
    memcpy(dst, row, tab->row_size);
    unsigned char *fixed = dst + tab->row_size;
    for (size_t f = 0; f < tab->nfstr; f++) {
        const char *s;
        memcpy(&s, (const unsigned char *)row + tab->fstr_offset[f], sizeof s);
        size_t n = s ? strlen(s) : 0;
        if (n > tab->fstr_width[f]) {
            fprintf(stderr, "kubesim: internal error: table %s: \"%s\" is longer than its column's %zu bytes\n",
                    tab->path, s, tab->fstr_width[f]);
            abort();
        }
        memset(fixed, 0, tab->fstr_width[f]);
        if (n) memcpy(fixed, s, n);
        fixed += tab->fstr_width[f];
    }
    for (size_t k = 0; k < tab->nstr; k++) {
        const char *s;
        memcpy(&s, (const unsigned char *)row + tab->str_offset[k], sizeof s);
        if (!s) s = "";
        size_t n = strlen(s) + 1;
        ks_grow(mem, (void **)&tab->arena, &tab->arena_cap, tab->arena_len + n, 1);
        memcpy(tab->arena + tab->arena_len, s, n);
        tab->str_pos[r * tab->nstr + k] = tab->arena_len;
        tab->arena_len += n;
    }
    tab->buffered++;
    if (tab->buffered == tab->chunk_rows) return ks__table_flush(tab);
    return 0;
}

uint64_t ks_table_rows(const ks_table *tab)
{
    return tab ? tab->written + tab->buffered : 0;
}

/* ---- attributes ------------------------------------------------------------------------------- */

/* Writes the scalar attribute NAME on the object at PATH, replacing any attribute of that name.
 * FTYPE is the type in the file, MTYPE that of *VALUE in memory. */
static int ks__attr(ks_trace *t, const char *path, const char *name, hid_t ftype, hid_t mtype,
                    const void *value)
{
    if (!t || t->failed) return -1;
    char *p = ks__resolve(t, path);
    char context[600];
    snprintf(context, sizeof context, "writing attribute %s of %s", name ? name : "(null)", p);
    if (!name || !name[0]) {
        ks__fail_msg(t, context, "an attribute needs a name");
        ks_free(p);
        return -1;
    }
    if (ks__make_groups(t, p, 1) < 0) {
        ks_free(p);
        return -1;
    }
    int rc = -1;
    hid_t obj = H5Oopen(t->fid, p, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5I_INVALID_HID;
    if (obj >= 0 && space >= 0) {
        htri_t exists = H5Aexists(obj, name);
        if (exists == 0 || (exists > 0 && H5Adelete(obj, name) >= 0)) {
            attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
            if (attr >= 0 && H5Awrite(attr, mtype, value) >= 0) rc = 0;
        }
    }
    if (rc < 0) ks__fail(t, context, 0);
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    if (obj >= 0) H5Oclose(obj);
    ks_free(p);
    return rc;
}

int ks_trace_attr_str(ks_trace *t, const char *path, const char *name, const char *value)
{
    if (!t || t->failed) return -1;
    const char *v = value ? value : "";
    return ks__attr(t, path, name, t->strtype, t->strtype, &v);
}

int ks_trace_attr_i64(ks_trace *t, const char *path, const char *name, int64_t value)
{
    return ks__attr(t, path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int ks_trace_attr_f64(ks_trace *t, const char *path, const char *name, double value)
{
    return ks__attr(t, path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* ---- several runs in one file ----------------------------------------------------------------- */

int ks_trace_set_group(ks_trace *t, const char *group)
{
    if (!t || t->failed) return -1;
    char *g = ks__normalise(group);
    /* Created now, so that a run that writes nothing still has its group. */
    if (strcmp(g, "/") != 0 && ks__make_groups(t, g, 1) < 0) {
        ks_free(g);
        return -1;
    }
    ks_free(t->group);
    t->group = g;
    return 0;
}

int ks_trace_close_tables(ks_trace *t)
{
    if (!t) return -1;
    for (size_t i = 0; i < t->ntables && !t->failed; i++) ks__table_flush(t->tables[i]);
    for (size_t i = 0; i < t->ntables; i++) ks__table_free(t->tables[i]);
    t->ntables = 0;
    return t->failed ? -1 : 0;
}

/* ---- closing ---------------------------------------------------------------------------------- */

/* Closes every HDF5 handle of T and the file, and frees T's tables (not T itself). Reports a
 * failure of H5Fclose, which is where HDF5 writes out its cached metadata. */
static void ks__close_all(ks_trace *t)
{
    for (size_t i = 0; i < t->ntables; i++) ks__table_free(t->tables[i]);
    ks_free(t->tables);
    t->tables = NULL;
    t->ntables = t->tables_cap = 0;
    if (t->strtype >= 0) H5Tclose(t->strtype);
    if (t->gcpl >= 0) H5Pclose(t->gcpl);
    t->strtype = t->gcpl = H5I_INVALID_HID;
    if (t->fid >= 0) {
#ifndef NDEBUG
        /* Every dataset, group, attribute and type opened above must be closed by now: a leaked
         * id would keep the file open (H5Fclose only drops our reference) and the rename would
         * publish a file whose metadata was never written. Only the file id itself may remain. */
        ssize_t open_ids = H5Fget_obj_count(t->fid, H5F_OBJ_ALL);
        if (open_ids != 1)
            fprintf(stderr, "kubesim: trace %s: %ld HDF5 objects left open\n", t->final_path,
                    (long)open_ids);
        assert(open_ids == 1);
#endif
        errno = 0;
        herr_t rc = H5Fclose(t->fid);
        int err = errno;
        t->fid = H5I_INVALID_HID;
        if (rc < 0) ks__fail(t, "closing the file", err);
    }
}

static void ks__free_trace(ks_trace *t)
{
    ks_free(t->group);
    ks_free(t->final_path);
    ks_free(t->temp_path);
    ks_free(t);
}

int ks_trace_close(ks_trace *t, int complete)
{
    if (!t) return -1;
    for (size_t i = 0; i < t->ntables && !t->failed; i++) ks__table_flush(t->tables[i]);
    /* `complete` goes last, after every row, so a reader that sees complete = 1 knows the writer
     * got all the way here. It belongs to the file, so to the root whatever the current group. */
    ks_free(t->group);
    t->group = NULL;
    if (!t->failed) ks_trace_attr_i64(t, "/", "complete", complete ? 1 : 0);
    int had_file = t->fid >= 0;
    ks__close_all(t);
    int rc = 0;
    if (!t->failed) {
        if (rename(t->temp_path, t->final_path) != 0) ks__fail(t, "renaming the temporary file", errno);
    }
    if (t->failed) {
        if (had_file) unlink(t->temp_path);
        rc = -1;
    }
    ks__free_trace(t);
    return rc;
}

void ks_trace_abort(ks_trace *t)
{
    if (!t) return;
    int had_file = t->fid >= 0;
    t->failed = 1; /* quiet: the caller already knows why it is giving up */
    ks__close_all(t);
    if (had_file) unlink(t->temp_path);
    ks__free_trace(t);
}
