/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];

static void remove_tmpdir(void)
{
    if (tmpdir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) fprintf(stderr, "testutil: could not remove %s\n", tmpdir);
    }
}

static const char *ensure_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/kubesim-test-XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *ks_test_path(const char *name)
{
    static char slots[64][512];
    static int next;
    char *p = slots[next++ % 64];
    snprintf(p, 512, "%s/%s", ensure_tmpdir(), name);
    return p;
}

const char *ks_test_write_file(const char *name, const char *text)
{
    const char *p = ks_test_path(name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        abort();
    }
    fputs(text, f);
    fclose(f);
    return p;
}

int ks_test_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

const char *ks_test_source_path(const char *rel)
{
    static char slots[8][1024];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, 1024, "%s/%s", KS_SOURCE_DIR, rel);
    return p;
}

char *ks_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}


ks_test_run ks_test_kubesim(const char *const *argv)
{
    ks_test_run r = {0};
    /* Own buffers: the shared ring of ks_test_path slots must not be used up by runs, or a
     * caller's paths would silently change under it. */
    static char outp[512], errp[512];
    snprintf(outp, sizeof outp, "%s/run.stdout", ensure_tmpdir());
    snprintf(errp, sizeof errp, "%s/run.stderr", ensure_tmpdir());
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        abort();
    }
    if (pid == 0) {
        if (!freopen(outp, "w", stdout) || !freopen(errp, "w", stderr)) _exit(127);
        size_t n = 0;
        while (argv[n]) n++;
        char **args = calloc(n + 2, sizeof *args);
        args[0] = (char *)KS_BINARY;
        for (size_t i = 0; i < n; i++) args[i + 1] = (char *)argv[i];
        execv(KS_BINARY, args);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = ks_test_read_file(outp, NULL);
    r.err = ks_test_read_file(errp, NULL);
    if (!r.out) r.out = calloc(1, 1);
    if (!r.err) r.err = calloc(1, 1);
    return r;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int ks_test_kubesim_interrupted(const char *const *argv, const char *out)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        size_t n = 0;
        while (argv[n]) n++;
        char **args = calloc(n + 2, sizeof *args);
        args[0] = (char *)KS_BINARY;
        for (size_t i = 0; i < n; i++) args[i + 1] = (char *)argv[i];
        execv(KS_BINARY, args);
        _exit(127);
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)pid);
    for (int i = 0; i < 6000 && !ks_test_file_exists(tmp); i++) sleep_ms(10);
    if (!ks_test_file_exists(tmp)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("%s never appeared", tmp);
    }
    sleep_ms(200);
    kill(pid, SIGINT);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    assert_false(ks_test_file_exists(tmp));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void ks_test_run_free(ks_test_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
