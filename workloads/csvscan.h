/* csvscan.h — the small pieces the trace readers (tracereplay.c, tracedlrm.c) share: a whole
 * file read into memory, its lines and comma-separated fields walked in place (no quoting: the
 * public traces have none), and errors reported as "file:LINE:COLUMN: error: ..." with a cap on
 * how many are printed. Nothing is allocated per field.
 */
#ifndef KS_CSVSCAN_H
#define KS_CSVSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ks_csv_reader {
    const char *path;
    FILE *err;
    int nerrors, max_errors;
} ks_csv_reader;

/* One field of a line: its text (not terminated) and 1-based character column. */
typedef struct ks_csv_cell {
    const char *s;
    size_t n;
    int col;
} ks_csv_cell;

#define KS_CSV_MAX_COLS 24
/* printf arguments for "%.*s" of a field, clipped to 40 characters. */
#define KS_CSV_CLIP(c) (int)((c)->n > 40 ? 40 : (c)->n), (c)->s

/* Counts an error and prints it (LINE 0: no position) while fewer than max_errors were. */
__attribute__((format(printf, 4, 5))) void ks_csv_err_at(ks_csv_reader *r, int line, int col, const char *fmt, ...);
/* The file's bytes, NUL-terminated, allocated under the purpose "config" (*LEN without the NUL);
 * NULL after an error. */
char *ks_csv_read_all(ks_csv_reader *r, size_t *len);
/* The next line [*LS, *LE) from *P (LF or CR LF stripped); false at END. */
bool ks_csv_next_line(const char **p, const char *end, const char **ls, const char **le);
/* Lines of TEXT (a last line without LF counts). */
size_t ks_csv_count_lines(const char *text, size_t len);
/* Splits [P, END) at commas into CELLS; returns the count, KS_CSV_MAX_COLS + 1 if more. */
int ks_csv_split(const char *p, const char *end, ks_csv_cell *cells);
/* A non-negative decimal integer up to MAX (any MAX >= 0); reports and returns false otherwise. */
bool ks_csv_get_int(ks_csv_reader *r, int line, const ks_csv_cell *c, const char *column, int64_t max, int64_t *out);
/* Whether the field is WORD exactly. */
bool ks_csv_is(const ks_csv_cell *c, const char *word);

#endif
