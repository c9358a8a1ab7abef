/* trace.h — the HDF5 trace writer (generic: tables of rows and attributes; no Kubernetes here).
 *
 * A trace is one HDF5 file written under a temporary name (FINAL.tmp.PID) and renamed to its final
 * path by ks_trace_close. A table is a chunked, gzip-compressed, extendible 1-D dataset of a
 * compound type that h5py and pandas read directly. Rows are appended into a buffer of chunk_rows
 * rows and written a chunk at a time, so long runs stream to disk instead of growing in memory.
 *
 * Columns: KS_COL_I64/I32/U32/U8/F64 are native numbers at `offset` in the caller's row struct;
 * KS_COL_STR is a `const char *` at `offset`, written as a variable-length UTF-8 string (NULL is
 * written as ""). KS_COL_FSTR is also a `const char *` in the row, written as a fixed-size,
 * NUL-padded UTF-8 string of `width` bytes: for short values from a small set (a namespace, an
 * event reason, a phase), whose zero padding gzip removes, while variable-length strings live
 * uncompressed in HDF5's global heap at ~30 bytes of overhead each. A value longer than `width` is
 * a caller bug and aborts the run. The writer copies strings at append time, so the caller's
 * strings need only live for the call.
 *
 * Determinism: object timestamps are disabled (H5Pset_obj_track_times), so the same rows and
 * attributes give the same bytes in every dataset.
 *
 * Errors (cannot create, write or rename the file) are reported once on stderr with the path and
 * the HDF5 reason; calls then return -1 and the file is removed by ks_trace_close/abort.
 */
#ifndef KS_TRACE_H
#define KS_TRACE_H

#include <stddef.h>
#include <stdint.h>

typedef enum ks_col_type { KS_COL_I64, KS_COL_I32, KS_COL_U32, KS_COL_U8, KS_COL_F64, KS_COL_STR, KS_COL_FSTR } ks_col_type;

typedef struct ks_column {
    const char *name;
    ks_col_type type;
    size_t offset;
    size_t width; /* KS_COL_FSTR only: bytes in the file */
} ks_column;

/* Column definitions from a row struct's fields. */
#define KS_COLUMN(row_type, field, col_type) {#field, col_type, offsetof(row_type, field), 0}
#define KS_FSTR_COLUMN(row_type, field, width) {#field, KS_COL_FSTR, offsetof(row_type, field), width}

typedef struct ks_trace ks_trace;
typedef struct ks_table ks_table;

/* Creates FINAL_PATH.tmp.<pid>. Returns NULL (message printed) on failure. */
ks_trace *ks_trace_create(const char *final_path);
const char *ks_trace_final_path(const ks_trace *t);
const char *ks_trace_temp_path(const ks_trace *t);

/* Creates the groups of PATH as needed ("/scheduler/attempts" creates /scheduler). The table is
 * owned by the trace. PATH is taken inside the current group (ks_trace_set_group). */
ks_table *ks_trace_table(ks_trace *t, const char *path, const ks_column *cols, size_t ncols,
                         size_t row_size, size_t chunk_rows);
int ks_table_append(ks_table *tab, const void *row);
uint64_t ks_table_rows(const ks_table *tab);

/* Attributes on a group or dataset at PATH ("/" for the current group, the root unless
 * ks_trace_set_group moved it; groups are created as needed). */
int ks_trace_attr_str(ks_trace *t, const char *path, const char *name, const char *value);
int ks_trace_attr_i64(ks_trace *t, const char *path, const char *name, int64_t value);
int ks_trace_attr_f64(ks_trace *t, const char *path, const char *name, double value);

/* Several runs in one file (kubesim compare): from now on every table and attribute path is taken
 * inside GROUP, which is created ("/runs/a/seed-1": "/pods" then names /runs/a/seed-1/pods).
 * GROUP is absolute; "/" goes back to the root. Returns 0, or -1 after reporting a failure. */
int ks_trace_set_group(ks_trace *t, const char *group);
/* Writes out and closes every table created so far; their handles become invalid. Lets a file
 * that holds run after run keep only the current run's buffers in memory. Returns 0 or -1. */
int ks_trace_close_tables(ks_trace *t);

/* Flushes every table, writes the root attribute `complete` (0 or 1) (at the file's root, whatever
 * the current group), closes the file and renames
 * it to its final path. Returns 0, or -1 when anything failed (the temporary file is removed).
 * Frees T in every case. */
int ks_trace_close(ks_trace *t, int complete);
/* Closes and removes the temporary file (bad input found late, or a failed run). Frees T. */
void ks_trace_abort(ks_trace *t);

#endif
