/* quantity.h — Kubernetes resource.Quantity and Go duration parsing into exact integers.
 *
 * Grammar of a quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 *   <quantity>        ::= <signedNumber><suffix>
 *   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
 *   <signedNumber>    ::= <number> | <sign><number>
 *   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <signedInteger>   ::= <digits> | <sign><digits>
 *   <sign>            ::= "+" | "-"
 * No whitespace anywhere. "E" alone is the exa suffix; "E" followed by a signed number is an
 * exponent ("1E3" = 1000). "n" and "u" are in upstream's suffix table (suffix.go) though not in
 * its grammar comment; the exponent is read with strconv.ParseInt there, hence an integer.
 *
 * Values are converted exactly (decimal arithmetic in 128-bit integers, never doubles), then
 * scaled: ks_quantity_milli gives milli-units (cpu), ks_quantity_value gives base units (bytes,
 * pods, GPUs). A fraction below the unit is rounded up, as upstream's MilliValue()/Value() do
 * ("0.1m" cpu -> 1 milli, "1.5" bytes -> 2). Upstream silently caps values beyond 2^63-1;
 * kubesim rejects them as overflow instead, since such a value is always a typo.
 * On any error the output is left unchanged.
 */
#ifndef KS_QUANTITY_H
#define KS_QUANTITY_H

#include <stdint.h>

typedef enum ks_qty_err {
    KS_QTY_OK = 0,
    KS_QTY_EMPTY,    /* "" */
    KS_QTY_SYNTAX,   /* not the grammar above */
    KS_QTY_OVERFLOW  /* the scaled value does not fit in int64 */
} ks_qty_err;

/* Parses S and stores round_up(value * 1000) in *OUT_MILLI. Negative values are returned as
 * negative (rounded toward +inf); range checks are the caller's. */
ks_qty_err ks_quantity_milli(const char *s, int64_t *out_milli);
/* Parses S and stores round_up(value) in *OUT. */
ks_qty_err ks_quantity_value(const char *s, int64_t *out);
/* A short English description of ERR, e.g. "not a quantity". */
const char *ks_qty_strerror(ks_qty_err err);

/* Go time.ParseDuration syntax ("300ms", "1.5h", "2h45m", "10s", "1us", "1µs", "0"): a possibly
 * signed sequence of decimal numbers with optional fraction and a unit suffix each
 * (ns, us, µs, μs, ms, s, m, h). Only "0" may omit the unit. Stores nanoseconds in *OUT_NS.
 * Fractions below a nanosecond are truncated, as Go does. */
ks_qty_err ks_duration_parse(const char *s, int64_t *out_ns);

/* ks_duration_format, the inverse, is in the engine (sim/engine/ks_time.h): models print
 * durations in event messages. */
#include "ks_time.h"

#endif
