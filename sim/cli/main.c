/* main.c — kubesim's entry point: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: kubesim <command> [options]\n"
    "\n"
    "A discrete-event performance simulator for large Kubernetes clusters.\n"
    "\n"
    "commands:\n"
    "  run CONFIG...        run an experiment and write its HDF5 trace\n"
    "  compare CONFIG...    run it under several scheduler profiles and seeds, side by side\n"
    "  validate CONFIG...   check configs without running\n"
    "  explain CONFIG...    why a pod goes to a node, or stays Pending\n"
    "  bench engine|e2e|scheduler\n"
    "                       measure the simulator's own speed\n"
    "\n"
    "options:\n"
    "  -h, --help           show this help (also: kubesim <command> --help)\n"
    "  -V, --version        print the version\n"
    "\n"
    "exit status: 0 ok, 1 run failure, 2 bad input, 130 interrupted\n"
    "docs: README.md, docs/ARCHITECTURE.md, docs/TRACE_FORMAT.md, docs/PERFORMANCE.md\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return KS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return KS_EXIT_OK;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("kubesim %s\n", KS_VERSION);
        return KS_EXIT_OK;
    }
    if (!strcmp(cmd, "run")) return ks_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate")) return ks_cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return ks_cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "explain")) return ks_cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return ks_cmd_compare(argc - 1, argv + 1);
    fprintf(stderr, "kubesim: unknown command \"%s\"\n\n%s", cmd, usage);
    return KS_EXIT_USAGE;
}
