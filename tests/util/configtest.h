/* configtest.h — loading configs in the tests that link the config loader (test_trace*.c): load
 * a file with its messages captured, find a pod document, read an extended request. Static
 * functions: include once per test program, after testutil.h. */
#ifndef KS_CONFIGTEST_H
#define KS_CONFIGTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

typedef struct loaded {
    int rc;
    char *err; /* what the loader printed; free() it */
} loaded;

static inline loaded load(ks_config *cfg, const char *path)
{
    loaded l = {0};
    size_t len = 0;
    FILE *err = open_memstream(&l.err, &len);
    assert_non_null(err);
    const char *paths[] = {path};
    l.rc = ks_config_load(cfg, paths, 1, err);
    fclose(err);
    if (l.rc) print_message("%s", l.err);
    return l;
}

static inline const ks_pod_doc *find_pod(const ks_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->npods; i++)
        if (!strcmp(cfg->pods[i].name, name)) return &cfg->pods[i];
    fail_msg("no pod %s", name);
    return NULL;
}

static inline int64_t ext_req(const ks_pod_spec *s, const char *name)
{
    for (uint8_t i = 0; i < s->next_req; i++)
        if (!strcmp(s->ext_req[i].name, name)) return s->ext_req[i].value;
    return 0;
}

/* The config's first N actions are the trace's pod deletes: NAMES[i] in namespace NS at AT[i]. */
static inline void assert_pod_deletes(const ks_config *cfg, const char *const *names, const ks_time *at, size_t n,
                                      const char *ns)
{
    assert_int_equal(cfg->nactions, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cfg->actions[i].kind, KS_ACTION_DELETE);
        assert_int_equal(cfg->actions[i].object_kind, 0);
        assert_string_equal(cfg->actions[i].deployment, names[i]);
        assert_string_equal(cfg->actions[i].namespace, ns);
        assert_int_equal(cfg->actions[i].at, at[i]);
    }
}

#endif
