/* testutil.h — helpers shared by the cmocka suites.
 *
 * cmocka's headers need <stdarg.h>, <stddef.h>, <stdint.h> and <setjmp.h> first; include this
 * header instead of <cmocka.h>. KS_SOURCE_DIR and KS_BINARY are set by tests/CMakeLists.txt.
 */
#ifndef KS_TESTUTIL_H
#define KS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Result of running the kubesim binary. Output buffers are malloc'd; free with ks_test_run_free. */
typedef struct ks_test_run {
    int status; /* exit status, or 128+signal */
    char *out;  /* stdout */
    char *err;  /* stderr */
} ks_test_run;

/* Runs KS_BINARY with ARGV (NULL-terminated, without argv[0]) and captures its output. */
ks_test_run ks_test_kubesim(const char *const *argv);
void ks_test_run_free(ks_test_run *r);
/* Runs KS_BINARY with ARGV (stdout to /dev/null), waits until it has created OUT's temporary file
 * OUT.tmp.<pid> (it is past validation), lets it run 200 ms more, sends SIGINT and returns its
 * exit status (128+signal if killed). Fails the test if the temporary file never appears, and
 * checks that it is gone afterwards (renamed or removed). */
int ks_test_kubesim_interrupted(const char *const *argv, const char *out);

/* Writes TEXT to a fresh file in the test's temporary directory; returns its path (static slot
 * storage: up to 16 live paths). */
const char *ks_test_write_file(const char *name, const char *text);
/* A path in the test's temporary directory (created on first use, removed at exit). The result
 * lives in one of 64 rotating slots: copy it to keep it across many later calls. */
const char *ks_test_path(const char *name);
int ks_test_file_exists(const char *path);
/* Absolute path of a file in the source tree. */
const char *ks_test_source_path(const char *rel);
/* Reads a whole file; malloc'd, NUL-terminated; NULL if unreadable. */
char *ks_test_read_file(const char *path, size_t *len);

#endif
