/* util.c — small helpers shared by the subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "quantity.h"

bool ks_cli_parse_u64(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+') goto bad;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) goto bad;
    *out = v;
    return true;
bad:
    fprintf(stderr, "kubesim %s: %s: expected a non-negative integer, got \"%s\"\n", cmd, flag, s);
    return false;
}

bool ks_cli_parse_duration(const char *cmd, const char *flag, const char *s, ks_time *out)
{
    int64_t ns;
    ks_qty_err e = ks_duration_parse(s, &ns);
    if (e == KS_QTY_OK && ns >= 0) {
        *out = ns;
        return true;
    }
    fprintf(stderr, "kubesim %s: %s: expected a non-negative duration like 90s or 1h30m, got \"%s\"\n", cmd, flag, s);
    return false;
}

double ks_cli_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

