/* quantity.c — Kubernetes quantities and Go durations into exact integers; see quantity.h.
 *
 * Quantity grammar and suffix table follow k8s.io/apimachinery/pkg/api/resource/quantity.go
 * (parseQuantityString, ParseQuantity) and .../resource/suffix.go (newSuffixer, which also
 * accepts the decimal suffixes "n" and "u" that the grammar comment in quantity.go omits).
 * Durations follow Go's src/time/format.go (ParseDuration, Duration.String).
 *
 * Nothing here uses floating point: a quantity is read as the decimal digit string it is, and
 * only the handful of digits that can reach the int64 result are ever turned into a number.
 */
#include "quantity.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* 128 bits hold (integer part < 10^19) * 2^60 with room to spare. __extension__ keeps
 * -Wpedantic quiet should the build ever turn it on. */
__extension__ typedef unsigned __int128 u128;

/* 2^63 as an unsigned magnitude: the largest negative result, one past the largest positive. */
#define MAG_LIMIT ((uint64_t)1 << 63)

/* Exponents are clamped to this magnitude while being read, so "1e99999999999999999999" cannot
 * overflow the position arithmetic. Any clamped exponent still moves every digit of an input
 * shorter than 10^15 bytes far outside the 19 integer digits an int64 can have, so the result
 * is the same as with the true exponent. */
#define EXP_CLAMP 1000000000000000LL

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- quantities ------------------------------------------------------------------------ */

/* A syntactically valid quantity, still as text: the mantissa is the digit sequence
 * NUM followed by DEN (the digits before and after the '.'), worth
 *   sign * 0.(NUM DEN) * 10^(NL + EXP10) * 2^BIN
 * i.e. the decimal point sits after the first NL + EXP10 digits of the sequence. */
typedef struct qty_text {
    bool neg;
    const char *num;
    size_t nl;
    const char *den;
    size_t dl;
    int64_t exp10; /* decimal SI suffix or explicit exponent (clamped) */
    unsigned bin;  /* binary SI suffix: 0, 10, 20, ... 60 */
} qty_text;

/* Digit I of the mantissa sequence; positions past its end are the zeros an exponent adds. */
static unsigned mant_digit(const qty_text *q, size_t i)
{
    if (i < q->nl) return (unsigned)(q->num[i] - '0');
    if (i - q->nl < q->dl) return (unsigned)(q->den[i - q->nl] - '0');
    return 0;
}

/* Reads "[+-]digits" to the end of S into a clamped exponent. Returns false unless all of S is
 * that (upstream hands the rest of the suffix to strconv.ParseInt, so no fraction, no blanks). */
static bool parse_exponent(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    if (!is_digit(*s)) return false;
    int64_t e = 0;
    for (; is_digit(*s); s++) {
        if (e < EXP_CLAMP) e = e * 10 + (*s - '0');
    }
    if (*s != '\0') return false;
    if (e > EXP_CLAMP) e = EXP_CLAMP;
    *out = neg ? -e : e;
    return true;
}

/* Splits S per the grammar in quantity.h. Only syntax is checked here; range comes later, so
 * a malformed string is always reported as SYNTAX even when its digits would also overflow. */
static ks_qty_err qty_lex(const char *s, qty_text *q)
{
    if (s == NULL || *s == '\0') return KS_QTY_EMPTY;
    memset(q, 0, sizeof *q);

    const char *p = s;
    if (*p == '+' || *p == '-') q->neg = *p++ == '-';
    q->num = p;
    while (is_digit(*p)) p++;
    q->nl = (size_t)(p - q->num);
    if (*p == '.') p++;
    q->den = p;
    while (is_digit(*p)) p++;
    q->dl = (size_t)(p - q->den);
    /* "<digits>.", ".<digits>" and "<digits>.<digits>" are numbers; "." and "" are not.
     * (Upstream's parser would read a bare sign or a bare suffix such as "Mi" as zero; the
     * grammar does not allow it and in a config it is always a mistake.) */
    if (q->nl + q->dl == 0) return KS_QTY_SYNTAX;

    /* Whole-suffix matches only, as upstream's table lookup: "1mm", "1Kii", "1KB" fail. */
    if (p[0] == '\0') return KS_QTY_OK;
    if (p[1] == '\0') {
        switch (p[0]) {
        case 'n': q->exp10 = -9; return KS_QTY_OK;
        case 'u': q->exp10 = -6; return KS_QTY_OK;
        case 'm': q->exp10 = -3; return KS_QTY_OK;
        case 'k': q->exp10 = 3; return KS_QTY_OK;
        case 'M': q->exp10 = 6; return KS_QTY_OK;
        case 'G': q->exp10 = 9; return KS_QTY_OK;
        case 'T': q->exp10 = 12; return KS_QTY_OK;
        case 'P': q->exp10 = 15; return KS_QTY_OK;
        case 'E': q->exp10 = 18; return KS_QTY_OK; /* a lone "E" is exa, not an exponent */
        default: return KS_QTY_SYNTAX;
        }
    }
    if (p[1] == 'i' && p[2] == '\0') {
        switch (p[0]) { /* binary SI is upper case only: "1ki" is not "1Ki" */
        case 'K': q->bin = 10; return KS_QTY_OK;
        case 'M': q->bin = 20; return KS_QTY_OK;
        case 'G': q->bin = 30; return KS_QTY_OK;
        case 'T': q->bin = 40; return KS_QTY_OK;
        case 'P': q->bin = 50; return KS_QTY_OK;
        case 'E': q->bin = 60; return KS_QTY_OK;
        default: return KS_QTY_SYNTAX;
        }
    }
    if ((p[0] == 'e' || p[0] == 'E') && parse_exponent(p + 1, &q->exp10)) return KS_QTY_OK;
    return KS_QTY_SYNTAX;
}

/* Stores ceil(value * 10^EXTRA10) of a lexed quantity in *OUT.
 *
 * Why this is exact without big numbers: the result fits int64 only if the integer part of
 * |value| * 10^EXTRA10 has at most 19 digits, so those are read directly; before the binary
 * multiplier is applied they are < 10^19, and times 2^60 that still fits in 128 bits. The
 * fractional part F can have any number of digits; what the result needs from it is
 * floor(F * 2^bin) (< 2^60) and whether F * 2^bin is an integer. Both come from one pass over
 * F's digits from the last to the first, carrying r = floor((d * 2^bin + r) / 10): dividing the
 * floor instead of the real number is exact for floors, and any nonzero remainder on the way
 * means the product has a fraction. */
static ks_qty_err qty_scale(const qty_text *q, int extra10, int64_t *out)
{
    const size_t n = q->nl + q->dl;
    size_t z = 0; /* first significant digit */
    while (z < n && mant_digit(q, z) == 0) z++;
    if (z == n) { /* zero, whatever the exponent ("0e1000"), and never negative zero */
        *out = 0;
        return KS_QTY_OK;
    }

    /* Position of the decimal point in the digit sequence (may lie before or after it). */
    const int64_t point = (int64_t)q->nl + q->exp10 + extra10;

    uint64_t ipart = 0;
    if (point > (int64_t)z) {
        if (point - (int64_t)z > 19) return KS_QTY_OVERFLOW; /* >= 10^19 > 2^63 */
        for (int64_t i = (int64_t)z; i < point; i++) ipart = ipart * 10 + mant_digit(q, (size_t)i);
    }

    const uint64_t mul = (uint64_t)1 << q->bin;
    uint64_t r = 0;        /* floor(F * mul) once all fraction digits are folded in */
    bool inexact = false;  /* F * mul has a nonzero fraction */
    if (point < (int64_t)n) {
        const size_t lo = point > 0 ? (size_t)point : 0;
        for (size_t i = n; i-- > lo;) {
            const uint64_t t = mant_digit(q, i) * mul + r; /* < 10 * 2^60 < 2^64 */
            inexact |= t % 10 != 0;
            r = t / 10;
        }
        /* A point before the sequence means -point leading zeros in F. Once r is 0 they change
         * nothing, so "1e-1000" costs no more than "1e-3". */
        for (int64_t k = point; k < 0 && r != 0; k++) {
            inexact |= r % 10 != 0;
            r /= 10;
        }
    }

    const u128 mag = (u128)ipart * mul + r; /* floor(|value| * 10^extra10) */
    if (q->neg) {
        /* ceil of a negative number drops its fraction: "-0.5" -> 0, "-1.5" -> -1. */
        if (mag > MAG_LIMIT) return KS_QTY_OVERFLOW;
        *out = mag == MAG_LIMIT ? INT64_MIN : -(int64_t)mag;
    } else {
        /* Upstream rounds a positive fraction up: asking for any amount must get some. */
        const u128 up = mag + (inexact ? 1 : 0);
        if (up > (u128)INT64_MAX) return KS_QTY_OVERFLOW; /* upstream caps; we reject */
        *out = (int64_t)up;
    }
    return KS_QTY_OK;
}

static ks_qty_err qty_parse(const char *s, int extra10, int64_t *out)
{
    qty_text q;
    ks_qty_err err = qty_lex(s, &q);
    if (err != KS_QTY_OK) return err;
    int64_t v;
    err = qty_scale(&q, extra10, &v);
    if (err == KS_QTY_OK) *out = v; /* *out is left alone on failure */
    return err;
}

ks_qty_err ks_quantity_milli(const char *s, int64_t *out_milli) { return qty_parse(s, 3, out_milli); }

ks_qty_err ks_quantity_value(const char *s, int64_t *out) { return qty_parse(s, 0, out); }

const char *ks_qty_strerror(ks_qty_err err)
{
    switch (err) {
    case KS_QTY_OK: return "ok";
    case KS_QTY_EMPTY: return "empty value";
    case KS_QTY_SYNTAX: return "not a quantity";
    case KS_QTY_OVERFLOW: return "value out of range";
    }
    return "unknown quantity error";
}

/* ---- durations ------------------------------------------------------------------------- */

/* Go's unitMap (src/time/format.go): both the micro sign U+00B5 and Greek mu U+03BC. */
static const struct {
    const char *name;
    uint64_t ns;
} duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5" "s", 1000},
    {"\xce\xbc" "s", 1000},
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60ull * 1000000000},
    {"h", 3600ull * 1000000000},
};

static bool duration_unit(const char *u, size_t len, uint64_t *ns)
{
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strlen(duration_units[i].name) == len && memcmp(duration_units[i].name, u, len) == 0) {
            *ns = duration_units[i].ns;
            return true;
        }
    }
    return false;
}

/* floor(0.DIGITS * UNIT), exactly, for any number of digits (same last-to-first fold as in
 * qty_scale). Go computes this term in float64; the only difference is in sub-nanosecond
 * rounding of very long fractions, where exact truncation is the documented intent. */
static uint64_t fraction_of(const char *digits, size_t len, uint64_t unit)
{
    uint64_t r = 0;
    for (size_t i = len; i-- > 0;) r = ((uint64_t)(digits[i] - '0') * unit + r) / 10;
    return r;
}

ks_qty_err ks_duration_parse(const char *s, int64_t *out_ns)
{
    if (s == NULL || *s == '\0') return KS_QTY_EMPTY;
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (p[0] == '0' && p[1] == '\0') { /* the one unitless form, "-0" and "+0" included */
        *out_ns = 0;
        return KS_QTY_OK;
    }
    if (*p == '\0') return KS_QTY_SYNTAX;

    /* Magnitudes go up to 2^63 so that "-2562047h47m16.854775808s" (INT64_MIN) parses, as in
     * Go. Overflow is remembered rather than returned so that a string that is also malformed
     * later on reports SYNTAX, matching the quantity parser. */
    uint64_t total = 0;
    bool overflow = false;
    while (*p != '\0') {
        if (!is_digit(*p) && *p != '.') return KS_QTY_SYNTAX; /* also "1h-5m", "--1s" */

        uint64_t v = 0;
        const char *int_start = p;
        for (; is_digit(*p); p++) {
            const uint64_t d = (uint64_t)(*p - '0');
            if (v > (MAG_LIMIT - d) / 10) overflow = true;
            else v = v * 10 + d;
        }
        const bool pre = p != int_start;
        const char *frac = p;
        size_t frac_len = 0;
        if (*p == '.') {
            frac = ++p;
            while (is_digit(*p)) p++;
            frac_len = (size_t)(p - frac);
        }
        if (!pre && frac_len == 0) return KS_QTY_SYNTAX; /* ".s" */

        const char *unit_start = p;
        while (*p != '\0' && *p != '.' && !is_digit(*p)) p++;
        uint64_t unit;
        if (p == unit_start) return KS_QTY_SYNTAX; /* "1", "1.5", "0.0": only "0" may be bare */
        if (!duration_unit(unit_start, (size_t)(p - unit_start), &unit)) return KS_QTY_SYNTAX;

        if (overflow) continue;
        if (v > MAG_LIMIT / unit) {
            overflow = true;
            continue;
        }
        v = v * unit + fraction_of(frac, frac_len, unit); /* both terms <= 2^63: no wrap */
        total += v;
        if (v > MAG_LIMIT || total > MAG_LIMIT) overflow = true;
    }
    if (overflow) return KS_QTY_OVERFLOW;
    if (neg) {
        *out_ns = total == MAG_LIMIT ? INT64_MIN : -(int64_t)total;
    } else {
        if (total > (uint64_t)INT64_MAX) return KS_QTY_OVERFLOW;
        *out_ns = (int64_t)total;
    }
    return KS_QTY_OK;
}

