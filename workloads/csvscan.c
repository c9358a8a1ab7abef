/* csvscan.c — see csvscan.h. */
#include "csvscan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "alloc.h"

void ks_csv_err_at(ks_csv_reader *r, int line, int col, const char *fmt, ...)
{
    r->nerrors++;
    if (r->nerrors > r->max_errors) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0) fprintf(r->err, "%s:%d:%d: error: %s\n", r->path, line, col, msg);
    else fprintf(r->err, "%s: error: %s\n", r->path, msg);
}

char *ks_csv_read_all(ks_csv_reader *r, size_t *len)
{
    FILE *f = fopen(r->path, "rb");
    if (!f) {
        ks_csv_err_at(r, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = ks_malloc(ks_mem_purpose("config"), cap);
    for (;;) {
        if (cap - n < 2) buf = ks_realloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0) break;
        n += got;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        ks_csv_err_at(r, 0, 0, "cannot read: %s", strerror(EIO));
        ks_free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

bool ks_csv_next_line(const char **p, const char *end, const char **ls, const char **le)
{
    if (*p >= end) return false;
    const char *q = memchr(*p, '\n', (size_t)(end - *p));
    *ls = *p;
    *le = q ? q : end;
    *p = q ? q + 1 : end;
    if (*le > *ls && (*le)[-1] == '\r') (*le)--;
    return true;
}

size_t ks_csv_count_lines(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    if (len && text[len - 1] != '\n') n++;
    return n;
}

int ks_csv_split(const char *p, const char *end, ks_csv_cell *cells)
{
    int n = 0;
    const char *line = p;
    for (;;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        if (!q) q = end;
        if (n == KS_CSV_MAX_COLS) return KS_CSV_MAX_COLS + 1;
        cells[n++] = (ks_csv_cell){p, (size_t)(q - p), (int)(p - line) + 1};
        if (q == end) return n;
        p = q + 1;
    }
}

bool ks_csv_get_int(ks_csv_reader *r, int line, const ks_csv_cell *c, const char *column, int64_t max, int64_t *out)
{
    if (c->n == 0) {
        ks_csv_err_at(r, line, c->col, "%s: expected a non-negative integer, got an empty field", column);
        return false;
    }
    if (c->s[0] == '-') {
        ks_csv_err_at(r, line, c->col, "%s: expected a non-negative integer, got negative \"%.*s\"", column,
                      KS_CSV_CLIP(c));
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < c->n; i++) {
        char ch = c->s[i];
        if (ch < '0' || ch > '9') {
            ks_csv_err_at(r, line, c->col, "%s: expected a non-negative integer, got \"%.*s\"", column, KS_CSV_CLIP(c));
            return false;
        }
        int64_t digit = ch - '0';
        if (digit > max || v > (max - digit) / 10) { /* v * 10 + digit > max, without overflow */
            ks_csv_err_at(r, line, c->col, "%s: expected an integer at most %" PRId64 ", got \"%.*s\"", column, max,
                          KS_CSV_CLIP(c));
            return false;
        }
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

bool ks_csv_is(const ks_csv_cell *c, const char *word) { return strlen(word) == c->n && memcmp(word, c->s, c->n) == 0; }
