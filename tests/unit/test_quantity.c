/* test_quantity.c — Kubernetes quantities and Go durations (workloads/quantity.c).
 *
 * Expected values are worked out by hand from the rules in
 * k8s.io/apimachinery/pkg/api/resource/quantity.go (round a fraction up) and Go's
 * src/time/format.go, except where kubesim deliberately differs: values beyond int64 are
 * OVERFLOW instead of capped, and negative values round toward +inf ("-0.5" -> 0).
 *
 * Each table is checked in full and every mismatch printed with its input before the test
 * fails, so one run shows all broken cases.
 */
#include "testutil.h"

#include "quantity.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MICRO_SIGN "\xc2\xb5" /* U+00B5, what Go writes and reads */
#define GREEK_MU "\xce\xbc"   /* U+03BC, which Go also reads */

/* ---- quantities: valid syntax ---------------------------------------------------------- */

typedef struct qty_case {
    const char *s;
    ks_qty_err milli_err;
    int64_t milli;
    ks_qty_err value_err;
    int64_t value;
} qty_case;

/* Both scalings succeed. */
#define Q(s, milli, value) {s, KS_QTY_OK, milli, KS_QTY_OK, value}
/* Only the base-unit scaling fits in int64. */
#define Q_VALUE_ONLY(s, value) {s, KS_QTY_OVERFLOW, 0, KS_QTY_OK, value}

static const qty_case valid_quantities[] = {
    Q("0", 0, 0),
    Q("1", 1000, 1),
    Q("100m", 100, 1),
    Q("250m", 250, 1),
    Q("1500m", 1500, 2),
    Q("2000m", 2000, 2),
    Q("0.1m", 1, 1),
    Q("1.5", 1500, 2),
    Q("0.1", 100, 1),
    Q(".5", 500, 1),
    Q("5.", 5000, 5),
    Q("+1", 1000, 1),
    Q("+.5", 500, 1),
    Q("-1", -1000, -1),
    Q("-0.5", -500, 0),
    Q("-1.5", -1500, -1),
    Q("-100m", -100, 0),
    Q("-0", 0, 0),
    Q("0.0", 0, 0),
    Q("007", 7000, 7),
    Q("00000000000000000000000000001", 1000, 1),
    /* decimal SI, including upstream's n and u */
    Q("1n", 1, 1),
    Q("1000000n", 1, 1),
    Q("1500000n", 2, 1),
    Q("123456789n", 124, 1),
    Q("1u", 1, 1),
    Q("1000u", 1, 1),
    Q("1k", 1000000, 1000),
    Q("500M", 500000000000, 500000000),
    Q("1G", 1000000000000, 1000000000),
    Q("1T", 1000000000000000, 1000000000000),
    Q("1P", 1000000000000000000, 1000000000000000),
    Q_VALUE_ONLY("1E", 1000000000000000000),
    Q("1.G", 1000000000000, 1000000000),
    /* binary SI */
    Q("1Ki", 1024000, 1024),
    Q("0.5Ki", 512000, 512),
    Q("0.001Ki", 1024, 2),
    Q("1Mi", 1048576000, 1048576),
    Q("1.5Gi", 1610612736000, 1610612736),
    Q("-1.5Gi", -1610612736000, -1610612736),
    Q("1Ti", 1099511627776000, 1099511627776),
    Q("1Pi", 1125899906842624000, 1125899906842624),
    Q_VALUE_ONLY("1Ei", 1152921504606846976),
    Q_VALUE_ONLY("-8Ei", INT64_MIN),
    /* 1e-18 * 2^60 = 1.152921504606846976 */
    Q("0.000000000000000001Ei", 1153, 2),
    /* (8 - 1e-18) * 2^60 = 2^63 - 1.15...: rounds up to exactly INT64_MAX */
    Q_VALUE_ONLY("7.999999999999999999Ei", INT64_MAX),
    /* a tail far below the unit still rounds up */
    Q("1.0000000000000000000000000000000000000001Ki", 1024001, 1025),
    /* decimal exponents */
    Q("2e3", 2000000, 2000),
    Q("1E3", 1000000, 1000),
    Q("1e+3", 1000000, 1000),
    Q("1.e3", 1000000, 1000),
    Q("1e-3", 1, 1),
    Q("1E-3", 1, 1),
    Q("12e-1", 1200, 2),
    Q("1e003", 1000000, 1000),
    Q_VALUE_ONLY("1e18", 1000000000000000000),
    Q_VALUE_ONLY("9.223372036854775807e18", INT64_MAX),
    Q("1000000000000000000000e-21", 1000, 1),
    Q("123456789012345678901234567890e-20", 1234567890124, 1234567891),
    /* tiny and huge exponents, and many digits */
    Q("1e-1000", 1, 1),
    Q("-1e-1000", 0, 0),
    Q("0e1000", 0, 0),
    Q("0.000000000000000000000000000001", 1, 1),
    Q("-0.000000000000000000000000000001", 0, 0),
    /* the int64 edges */
    Q_VALUE_ONLY("9223372036854775807", INT64_MAX),
    Q_VALUE_ONLY("-9223372036854775808", INT64_MIN),
    Q_VALUE_ONLY("9223372036854775.807k", INT64_MAX),
    Q("9223372036854775807m", INT64_MAX, 9223372036854776),
    Q("-9223372036854775808m", INT64_MIN, -9223372036854775),
};

static int check_one(const char *fn, const char *s, ks_qty_err got_err, int64_t got,
                     ks_qty_err want_err, int64_t want)
{
    if (got_err == want_err && (want_err != KS_QTY_OK || got == want)) return 0;
    print_message("%s(\"%s\"): got %s %" PRId64 ", want %s %" PRId64 "\n", fn, s,
                  ks_qty_strerror(got_err), got, ks_qty_strerror(want_err), want);
    return 1;
}

static void test_valid_quantities(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof valid_quantities / sizeof valid_quantities[0]; i++) {
        const qty_case *c = &valid_quantities[i];
        int64_t m = 0, v = 0;
        const ks_qty_err merr = ks_quantity_milli(c->s, &m);
        const ks_qty_err verr = ks_quantity_value(c->s, &v);
        failures += check_one("ks_quantity_milli", c->s, merr, m, c->milli_err, c->milli);
        failures += check_one("ks_quantity_value", c->s, verr, v, c->value_err, c->value);
    }
    assert_int_equal(failures, 0);
}

/* ---- quantities: rejected ------------------------------------------------------------- */

typedef struct bad_case {
    const char *s;
    ks_qty_err err;
} bad_case;

static const bad_case invalid_quantities[] = {
    {"", KS_QTY_EMPTY},
    {" 1", KS_QTY_SYNTAX},
    {"1 ", KS_QTY_SYNTAX},
    {"1 Ki", KS_QTY_SYNTAX},
    {"1\n", KS_QTY_SYNTAX},
    {"1.2.3", KS_QTY_SYNTAX},
    {"1.5.", KS_QTY_SYNTAX},
    {"abc", KS_QTY_SYNTAX},
    {"1Kii", KS_QTY_SYNTAX},
    {"1ki", KS_QTY_SYNTAX},
    {"1K", KS_QTY_SYNTAX},
    {"1KB", KS_QTY_SYNTAX},
    {"1i", KS_QTY_SYNTAX},
    {"--1", KS_QTY_SYNTAX},
    {"+-1", KS_QTY_SYNTAX},
    {"1e", KS_QTY_SYNTAX},
    {"1e+", KS_QTY_SYNTAX},
    {"1e-", KS_QTY_SYNTAX},
    {"1e3.5", KS_QTY_SYNTAX},
    {"1e3Ki", KS_QTY_SYNTAX},
    {"1Ee3", KS_QTY_SYNTAX},
    {"1e 3", KS_QTY_SYNTAX},
    {".", KS_QTY_SYNTAX},
    {"+", KS_QTY_SYNTAX},
    {"-", KS_QTY_SYNTAX},
    {"1mm", KS_QTY_SYNTAX},
    {"0x10", KS_QTY_SYNTAX},
    {"1,000", KS_QTY_SYNTAX},
    {"1_000", KS_QTY_SYNTAX},
    {"e3", KS_QTY_SYNTAX},
    {"Mi", KS_QTY_SYNTAX},
    {"m", KS_QTY_SYNTAX},
    {"99999999999999999999x", KS_QTY_SYNTAX}, /* syntax is reported before range */
    {"8Ei", KS_QTY_OVERFLOW},
    {"9223372036854775808", KS_QTY_OVERFLOW},
    {"-9223372036854775809", KS_QTY_OVERFLOW},
    {"99999999999999999999", KS_QTY_OVERFLOW},
    {"10000000000000000k", KS_QTY_OVERFLOW},
    {"9.223372036854775808e18", KS_QTY_OVERFLOW},
    {"1e1000", KS_QTY_OVERFLOW},
    {"-1e1000", KS_QTY_OVERFLOW},
    {"1e99999999999999999999999999", KS_QTY_OVERFLOW},
};

static void test_invalid_quantities(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof invalid_quantities / sizeof invalid_quantities[0]; i++) {
        const bad_case *c = &invalid_quantities[i];
        /* A sentinel checks that a failed parse leaves *out alone. */
        int64_t m = 42, v = 42;
        const ks_qty_err merr = ks_quantity_milli(c->s, &m);
        const ks_qty_err verr = ks_quantity_value(c->s, &v);
        failures += check_one("ks_quantity_milli", c->s, merr, m, c->err, 0);
        failures += check_one("ks_quantity_value", c->s, verr, v, c->err, 0);
        if (m != 42 || v != 42) {
            print_message("\"%s\": output written on error (%" PRId64 ", %" PRId64 ")\n", c->s, m, v);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Every integer written plain, with "m", and with "k" scales as the suffix says. */
static void test_quantity_integers_scale(void **state)
{
    (void)state;
    static const int64_t samples[] = {0, 1, 7, 999, 1000, 1001, 123456789, 9223372036854,
                                      -1, -999, -123456789};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const int64_t n = samples[i];
        char s[64];
        int64_t got = 0;

        snprintf(s, sizeof s, "%" PRId64, n);
        assert_int_equal(ks_quantity_milli(s, &got), KS_QTY_OK);
        assert_int_equal(got, n * 1000);
        assert_int_equal(ks_quantity_value(s, &got), KS_QTY_OK);
        assert_int_equal(got, n);

        snprintf(s, sizeof s, "%" PRId64 "m", n);
        assert_int_equal(ks_quantity_milli(s, &got), KS_QTY_OK);
        assert_int_equal(got, n);

        snprintf(s, sizeof s, "%" PRId64 "k", n);
        assert_int_equal(ks_quantity_value(s, &got), KS_QTY_OK);
        assert_int_equal(got, n * 1000);
    }
}

static void test_quantity_null_input(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(ks_quantity_value(NULL, &v), KS_QTY_EMPTY);
    assert_int_equal(ks_duration_parse(NULL, &v), KS_QTY_EMPTY);
}

static void test_strerror(void **state)
{
    (void)state;
    const ks_qty_err all[] = {KS_QTY_OK, KS_QTY_EMPTY, KS_QTY_SYNTAX, KS_QTY_OVERFLOW};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(ks_qty_strerror(all[i]));
        assert_true(strlen(ks_qty_strerror(all[i])) > 0);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(ks_qty_strerror(all[i]), ks_qty_strerror(all[j]));
    }
    assert_string_equal(ks_qty_strerror(KS_QTY_SYNTAX), "not a quantity");
    assert_non_null(ks_qty_strerror((ks_qty_err)99));
}

/* ---- durations: parse ------------------------------------------------------------------ */

typedef struct dur_case {
    const char *s;
    ks_qty_err err;
    int64_t ns;
} dur_case;

static const dur_case durations[] = {
    {"0", KS_QTY_OK, 0},
    {"+0", KS_QTY_OK, 0},
    {"-0", KS_QTY_OK, 0},
    {"0s", KS_QTY_OK, 0},
    {"300ms", KS_QTY_OK, 300000000},
    {"1.5h", KS_QTY_OK, 5400000000000},
    {"2h45m", KS_QTY_OK, 9900000000000},
    {"10s", KS_QTY_OK, 10000000000},
    {"1us", KS_QTY_OK, 1000},
    {"1" MICRO_SIGN "s", KS_QTY_OK, 1000},
    {"1" GREEK_MU "s", KS_QTY_OK, 1000},
    {"1.5" MICRO_SIGN "s", KS_QTY_OK, 1500},
    {"1ns", KS_QTY_OK, 1},
    {"-1s", KS_QTY_OK, -1000000000},
    {"+5m", KS_QTY_OK, 300000000000},
    {".5s", KS_QTY_OK, 500000000},
    {"1.s", KS_QTY_OK, 1000000000},
    {"1h2m3.5s", KS_QTY_OK, 3723500000000},
    {"1m30s", KS_QTY_OK, 90000000000},
    {"1h1h", KS_QTY_OK, 7200000000000},
    {"0.1h", KS_QTY_OK, 360000000000},
    /* below a nanosecond: truncated toward zero, sign applied after */
    {"0.5ns", KS_QTY_OK, 0},
    {"1.9ns", KS_QTY_OK, 1},
    {"-1.5ns", KS_QTY_OK, -1},
    {"0.0000000001s", KS_QTY_OK, 0},
    {"0.000000001s", KS_QTY_OK, 1},
    {"1.0000000019s", KS_QTY_OK, 1000000001},
    /* 1/3 h is 1.2e12 ns; any finite 0.333... is below it */
    {"0.3333333333333333333333333h", KS_QTY_OK, 1199999999999},
    /* the int64 edges */
    {"9223372036854775807ns", KS_QTY_OK, INT64_MAX},
    {"-9223372036854775808ns", KS_QTY_OK, INT64_MIN},
    {"2562047h47m16.854775807s", KS_QTY_OK, INT64_MAX},
    {"-2562047h47m16.854775808s", KS_QTY_OK, INT64_MIN},
    /* rejected */
    {"", KS_QTY_EMPTY, 0},
    {"1", KS_QTY_SYNTAX, 0},
    {"00", KS_QTY_SYNTAX, 0},
    {"1.5", KS_QTY_SYNTAX, 0},
    {"s", KS_QTY_SYNTAX, 0},
    {".s", KS_QTY_SYNTAX, 0},
    {"1x", KS_QTY_SYNTAX, 0},
    {"1S", KS_QTY_SYNTAX, 0},
    {"1" MICRO_SIGN, KS_QTY_SYNTAX, 0},
    {"1e3s", KS_QTY_SYNTAX, 0},
    {"1s ", KS_QTY_SYNTAX, 0},
    {" 1s", KS_QTY_SYNTAX, 0},
    {"--1s", KS_QTY_SYNTAX, 0},
    {"-", KS_QTY_SYNTAX, 0},
    {"+", KS_QTY_SYNTAX, 0},
    {"1h-5m", KS_QTY_SYNTAX, 0},
    {"1ms2", KS_QTY_SYNTAX, 0},
    {"1.2.3s", KS_QTY_SYNTAX, 0},
    {"99999999999999999999nsx", KS_QTY_SYNTAX, 0},
    {"9999999999h", KS_QTY_OVERFLOW, 0},
    {"9223372036854775808ns", KS_QTY_OVERFLOW, 0},
    {"99999999999999999999ns", KS_QTY_OVERFLOW, 0},
    {"2562047h47m16.854775808s", KS_QTY_OVERFLOW, 0},
    {"-2562047h47m16.854775809s", KS_QTY_OVERFLOW, 0},
    {"2562047h2562047h", KS_QTY_OVERFLOW, 0},
};

static void test_duration_parse(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        const dur_case *c = &durations[i];
        int64_t ns = 42;
        const ks_qty_err err = ks_duration_parse(c->s, &ns);
        failures += check_one("ks_duration_parse", c->s, err, ns, c->err, c->ns);
        if (c->err != KS_QTY_OK && ns != 42) {
            print_message("\"%s\": output written on error (%" PRId64 ")\n", c->s, ns);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- durations: format ----------------------------------------------------------------- */

typedef struct fmt_case {
    int64_t ns;
    const char *text;
} fmt_case;

static const fmt_case formats[] = {
    {0, "0s"},
    {1, "1ns"},
    {-1, "-1ns"},
    {999, "999ns"},
    {1000, "1" MICRO_SIGN "s"},
    {1001, "1.001" MICRO_SIGN "s"},
    {1500, "1.5" MICRO_SIGN "s"},
    {1000000, "1ms"},
    {250000000, "250ms"},
    {999999999, "999.999999ms"},
    {1000000000, "1s"},
    {1000000001, "1.000000001s"},
    {1500000000, "1.5s"},
    {-1500000000, "-1.5s"},
    {60000000000, "1m0s"},
    {3600000000000, "1h0m0s"},
    {3723500000000, "1h2m3.5s"},
    {90061000000000, "25h1m1s"},
    {INT64_MAX, "2562047h47m16.854775807s"},
    {INT64_MIN, "-2562047h47m16.854775808s"},
};

static void test_duration_format(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        const fmt_case *c = &formats[i];
        char buf[32];
        const char *got = ks_duration_format(c->ns, buf, sizeof buf);
        if (got != buf || strcmp(buf, c->text) != 0) {
            print_message("ks_duration_format(%" PRId64 "): got \"%s\", want \"%s\"\n", c->ns, buf,
                          c->text);
            failures++;
        }
        /* Go's String() output is ParseDuration input: the round trip must be exact. */
        int64_t back = 0;
        const ks_qty_err err = ks_duration_parse(c->text, &back);
        if (err != KS_QTY_OK || back != c->ns) {
            print_message("ks_duration_parse(\"%s\"): got %s %" PRId64 ", want %" PRId64 "\n",
                          c->text, ks_qty_strerror(err), back, c->ns);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_duration_format_small_buffer(void **state)
{
    (void)state;
    char buf[4] = "xxx";
    assert_ptr_equal(ks_duration_format(3723500000000, buf, sizeof buf), buf);
    assert_string_equal(buf, "1h2");
    char one = 'x';
    ks_duration_format(1, &one, 1);
    assert_int_equal(one, '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_quantities),
        cmocka_unit_test(test_invalid_quantities),
        cmocka_unit_test(test_quantity_integers_scale),
        cmocka_unit_test(test_quantity_null_input),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_duration_parse),
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_duration_format_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
