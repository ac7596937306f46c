/*
 * options.h - the one option convention of every subcommand, in the manner
 * of git's parse-options.
 *
 * A command describes itself once (cw_command_help) and lists its options
 * in a table (cw_option, ended by CW_OPT_END()); cw_options_parse reads
 * argv against the table and prints --help from the same table, so the help
 * can never list an option the parser does not know, or miss one it does.
 *
 * The convention:
 *   - every command takes -h/--help (help on stdout, exit 0);
 *   - the configuration is always -c/--config FILE, and -q/--quiet (errors
 *     only) and -v/--verbose (debug output) mean the same everywhere: add
 *     CW_OPT_COMMON(&common) to the table and call cw_options_common;
 *   - long options take their value as `--name VALUE` or `--name=VALUE`,
 *     short ones as `-c VALUE` or `-cVALUE`; flags bundle (`-qv`); options
 *     and operands mix in any order; `--` ends the options;
 *   - a usage error prints `catwalk NAME: OPTION: message: 'value'` and a
 *     pointer to --help, and the command exits 2 (CW_EXIT_USAGE);
 *   - a window of time is --from/--to, read by cw_options_window.
 *
 * Nothing here keeps state between calls: the unit tests run a command
 * many times in one process.
 */
#ifndef CW_OPTIONS_H
#define CW_OPTIONS_H

#include <stdint.h>
#include <stdio.h>
#include "../core/config.h"
#include "../core/time.h"

typedef enum cw_opt_kind { CW_OPT_KIND_END, CW_OPT_KIND_FLAG, CW_OPT_KIND_STRING } cw_opt_kind;

typedef struct cw_option {
    cw_opt_kind kind;
    char short_name;            /* 0: long form only */
    const char *long_name;
    const char *arg;            /* the value's name in the help ("FILE"); NULL for a flag */
    const char *help;           /* may hold '\n' for a second line */
    void *value;                /* FLAG: int * (set to 1); STRING: const char ** (the last wins) */
} cw_option;

#define CW_OPT_FLAG(s, l, v, h) {CW_OPT_KIND_FLAG, (s), (l), NULL, (h), (v)}
#define CW_OPT_STRING(s, l, a, v, h) {CW_OPT_KIND_STRING, (s), (l), (a), (h), (v)}
#define CW_OPT_END() {CW_OPT_KIND_END, 0, NULL, NULL, NULL, NULL}

/* -c/--config, -q/--quiet and -v/--verbose: the same in every command. */
typedef struct cw_common_options {
    const char *config;
    int quiet, verbose;
} cw_common_options;

#define CW_OPT_COMMON(c)                                                                        \
    CW_OPT_STRING('c', "config", "FILE", &(c)->config, "the INI configuration"),                \
    CW_OPT_FLAG('q', "quiet", &(c)->quiet, "errors only"),                                     \
    CW_OPT_FLAG('v', "verbose", &(c)->verbose, "debug output")

typedef struct cw_command_help {
    const char *name;           /* "metrics" */
    const char *usage;          /* what follows "usage: catwalk NAME " (may span lines) */
    const char *description;    /* a paragraph before the options */
    const char *footer;         /* after the options (exit status, notes); may be NULL */
} cw_command_help;

/* What cw_options_parse returns besides an operand count. */
enum { CW_OPTIONS_HELP = -1, CW_OPTIONS_ERROR = -2 };

/* Read argv[1..argc-1] against opts.  Operands (arguments that are not
 * options) are moved, in order, to argv[1..n] and n is returned.  After
 * -h/--help the help is on stdout and CW_OPTIONS_HELP is returned; after a
 * usage error (unknown option, missing value, a value given to a flag) the
 * message is printed and CW_OPTIONS_ERROR is returned. */
int cw_options_parse(const cw_command_help *cmd, const cw_option *opts, int argc, char **argv);

/* The exit status for a cw_options_parse result below 0: 0 after help, 2
 * after an error. */
int cw_options_exit(int parse_result);

/* Print the help of a command and its options to out. */
void cw_options_usage(const cw_command_help *cmd, const cw_option *opts, FILE *out);

/* Apply -q/-v (verbose wins) and check that -c was given when the command
 * needs a configuration.  Returns 0, or 2 after the usage error. */
int cw_options_common(const cw_command_help *cmd, const cw_common_options *c, int need_config);

/* The start of a command that takes no operands: cw_options_parse, an
 * operand refused, cw_options_common with a configuration required, then
 * (when cfg is not NULL) the configuration loaded into *cfg.  Returns -1
 * when the command goes on, or the exit status to return (0 after --help,
 * 2 after a usage or configuration error). */
int cw_options_no_operands(const cw_command_help *cmd, const cw_option *opts,
                           const cw_common_options *common, int argc, char **argv,
                           cw_config **cfg);

/* Print a usage error (value may be NULL) and return 2 (CW_EXIT_USAGE). */
int cw_usage_error(const cw_command_help *cmd, const char *option, const char *message,
                   const char *value);

/* A date YYYY-MM-DD (a real day; its 00:00 UTC) or an ISO-8601 instant:
 * 0, or -1 when it is neither. */
int cw_options_when(const char *text, int64_t *out);

/* --as-of TEXT (cw_options_when): the run's reference instant becomes it,
 * for every step that asks for "now" (core/time.h cw_now), however deep:
 * CW_NOW is how cw_now is pinned, in tests and re-runs alike.  0 with the
 * instant in *now, or 2 after the usage error. */
int cw_options_as_of(const cw_command_help *cmd, const char *text, int64_t *now);

/* The window [from, to) of --from/--to, both as given (NULL when absent).
 * A value is a date YYYY-MM-DD (a real day: 2026-02-30 is refused) or an
 * ISO-8601 instant (2026-03-16T09:00:00Z); both are aligned down to the
 * start of their period of grain `by`.  --to defaults to the start of the
 * period holding `now` (the partial period is left out), --from to
 * `periods` periods before --to.  An empty window (from >= to once both are
 * aligned) is an error too.  Returns 0, or 2 after the usage error. */
int cw_options_window(const cw_command_help *cmd, const char *from_text, const char *to_text,
                      cw_period_kind by, int periods, int64_t now, int64_t *from, int64_t *to);

#endif
