/*
 * commands.h - the subcommand table, in the manner of git's builtins.
 *
 * Each subcommand is one file cmd/NAME.c defining cmd_NAME(argc, argv),
 * where argv[0] is the subcommand name.  A command file parses its options
 * (the one convention of cmd/options.h: -h/--help, -c/--config, -q, -v,
 * --from/--to) and prints; the work is below it (`run` and `extract`:
 * pipeline/pipeline.h).  Every command returns one of the exit codes
 * below, so scripts can trust them.
 */
#ifndef CW_COMMANDS_H
#define CW_COMMANDS_H

/* Exit codes (documented in README "Exit status"). */
enum {
    CW_EXIT_OK = 0,          /* everything loaded / rendered */
    CW_EXIT_FAILURE = 1,     /* the command failed; the warehouse is unchanged */
    CW_EXIT_USAGE = 2,       /* bad command line or configuration */
    CW_EXIT_PARTIAL = 3      /* done, but some records were rejected or a source failed */
};

typedef struct cw_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cw_command;

struct cw_command_help;
struct cw_pipeline_options;
struct cw_pipeline_result;

/* `run` and `extract` (cmd/run.c), which differ only in the pipeline's mode
 * (o) and what they print: -c/-q/-v, --full, --dry-run (its help says what
 * a dry run leaves alone), --no-report in CW_PIPELINE_LOAD mode; then the
 * configuration and the pipeline; then, when it did not fail and was no
 * dry run, `done` prints the result (may be NULL).  Returns the exit code. */
int cw_pipeline_command(const struct cw_command_help *help, struct cw_pipeline_options *o,
                        const char *dry_run, void (*done)(const struct cw_pipeline_result *r),
                        int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_flow(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_mail(int argc, char **argv);
int cmd_exceptions(int argc, char **argv);

#endif
