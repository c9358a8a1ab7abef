/* timefmt.c — Go's time.Duration.String() for event messages and the summary
 * (src/time/time.go in the Go tree), built right to left as Go does. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ks_time.h"

/* Go's fmtFrac: writes the low PREC digits of *V as ".ddd" without trailing zeros (nothing if
 * they are all zero) before END, moving leftwards; leaves the integer part in *V. */
static char *fmt_frac(char *end, uint64_t *v, int prec)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        const char digit = (char)('0' + *v % 10);
        print = print || digit != '0';
        if (print) *--end = digit;
        *v /= 10;
    }
    if (print) *--end = '.';
    return end;
}

/* Go's fmtInt: V in decimal before END, at least one digit. */
static char *fmt_int(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

char *ks_duration_format(int64_t ns, char *buf, unsigned long bufsize)
{
    /* Built right to left as Go does; the longest output, "-2562047h47m16.854775808s", is 25
     * bytes. */
    char tmp[32];
    char *w = tmp + sizeof tmp;
    *--w = '\0';
    const bool neg = ns < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns; /* INT64_MIN safe */

    if (u < 1000000000) { /* under a second: the largest unit that keeps an integer part */
        *--w = 's';
        int prec;
        if (u == 0) {
            *--w = '0';
            prec = -1;
        } else if (u < 1000) {
            *--w = 'n';
            prec = 0;
        } else if (u < 1000000) {
            w -= 2;
            memcpy(w, "\xc2\xb5", 2); /* U+00B5, as Go writes it */
            prec = 3;
        } else {
            *--w = 'm';
            prec = 6;
        }
        if (prec >= 0) {
            w = fmt_frac(w, &u, prec);
            w = fmt_int(w, u);
        }
    } else {
        *--w = 's';
        w = fmt_frac(w, &u, 9);
        w = fmt_int(w, u % 60); /* u is whole seconds now */
        u /= 60;
        if (u > 0) {
            *--w = 'm';
            w = fmt_int(w, u % 60);
            u /= 60;
            if (u > 0) {
                *--w = 'h';
                w = fmt_int(w, u);
            }
        }
    }
    if (neg) *--w = '-';

    /* The header asks for >= 32 bytes; a smaller buffer gets a truncated, terminated string
     * rather than an overrun. */
    if (buf == NULL || bufsize == 0) return buf;
    size_t len = strlen(w);
    if (len >= bufsize) len = bufsize - 1;
    memcpy(buf, w, len);
    buf[len] = '\0';
    return buf;
}
