/*
 * catwalk.c - the command-line entry point: a table of subcommands, in the
 * manner of git's builtins.  Each subcommand lives in cmd/NAME.c.
 */
#include "cmd/commands.h"
#include "core/log.h"
#include "core/version.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CATWALK_VERSION CW_VERSION

static const cw_command commands[] = {
    {"run", cmd_run, "land, load and correlate every source, then write the weekly report"},
    {"extract", cmd_extract, "land raw data (live pages or files) without loading it"},
    {"metrics", cmd_metrics, "print DORA and flow metrics per application and period"},
    {"flow", cmd_flow, "print where work waits: time in status, gates, items in flight"},
    {"exceptions", cmd_exceptions, "print the exceptions digest: the things holding us up"},
    {"forecast", cmd_forecast, "print when each open release will go out (P50/P85/P95, at risk)"},
    {"report", cmd_report, "render the weekly executive report (xlsx + HTML)"},
    {"mail", cmd_mail, "send the weekly report by email (SMTP), or write it as .eml"},
    {"demo", cmd_demo, "write a synthetic enterprise dataset and its catwalk.ini"},
    {"rebuild", cmd_rebuild, "make the warehouse again from the landing zone alone"},
    {"check", cmd_check, "validate a configuration file and exit"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: catwalk [--version] [--help] COMMAND [ARGS]\n\n"
                 "catwalk: value stream management from the tools teams already use.\n\n"
                 "commands:\n");
    for (const cw_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'catwalk help COMMAND' (or 'catwalk COMMAND --help') describes a command.\n"
                 "exit status: 0 ok, 1 failure (warehouse unchanged), 2 usage or configuration\n"
                 "error, 3 done with rejected records or a failed source.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        usage(stdout);
        return CW_EXIT_OK;
    }
    /* `catwalk help CMD` is `catwalk CMD --help`, as git does */
    char *help_argv[] = {argv[0], argv[1], "--help", NULL};
    if (strcmp(argv[1], "help") == 0) {
        help_argv[1] = argv[2];
        argv = help_argv;
        argc = 3;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("catwalk %s\n", CATWALK_VERSION);
        return CW_EXIT_OK;
    }
    /* Everything catwalk creates (landing zone, warehouse, reports, live
     * pages) holds exported private data: owner-only, whatever the caller's
     * umask.  Share a report by copying it on purpose. */
    umask(077);
    /* Process-wide library set-up, once, before any thread starts. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    json_object_seed(0);
    for (const cw_command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0) {
            int rc = c->run(argc - 1, argv + 1);
            curl_global_cleanup();
            return rc;
        }
    curl_global_cleanup();
    cw_error("'%s' is not a command; see 'catwalk --help'", argv[1]);
    return CW_EXIT_USAGE;
}
