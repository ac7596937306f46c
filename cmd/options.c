/*
 * options.c - option tables, their parser and their help (options.h).
 *
 * A parser of its own rather than getopt_long: getopt keeps its position in
 * globals (optind, a hidden "nextchar"), which a process that runs commands
 * more than once (the unit tests) must reset by hand, and its error messages
 * would not follow the convention of options.h.
 */
#include "options.h"
#include "commands.h"
#include "../core/log.h"
#include "../extract/source.h"

#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 22          /* where the help text of an option starts */

static const cw_option help_option = CW_OPT_FLAG('h', "help", NULL, "this help");

/* -------------------------------------------------------------- help */

static void print_help_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

static void print_option(FILE *out, const cw_option *o)
{
    int n;
    if (o->short_name)
        n = fprintf(out, "  -%c, --%s", o->short_name, o->long_name);
    else
        n = fprintf(out, "      --%s", o->long_name);
    if (o->arg)
        n += fprintf(out, " %s", o->arg);
    if (n >= HELP_COLUMN - 1) {
        fputc('\n', out);
        n = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - n, "");
    print_help_text(out, o->help);
}

void cw_options_usage(const cw_command_help *cmd, const cw_option *opts, FILE *out)
{
    fprintf(out, "usage: catwalk %s %s\n\n", cmd->name, cmd->usage);
    if (cmd->description)
        fprintf(out, "%s\n\n", cmd->description);
    for (const cw_option *o = opts; o->kind != CW_OPT_KIND_END; o++)
        print_option(out, o);
    print_option(out, &help_option);
    if (cmd->footer)
        fprintf(out, "\n%s\n", cmd->footer);
}

int cw_usage_error(const cw_command_help *cmd, const char *option, const char *message,
                   const char *value)
{
    if (value)
        cw_error("%s: %s: %s: '%s'", cmd->name, option, message, value);
    else
        cw_error("%s: %s: %s", cmd->name, option, message);
    fprintf(stderr, "Try 'catwalk %s --help'.\n", cmd->name);
    return CW_EXIT_USAGE;
}

/* -------------------------------------------------------------- parsing */

static int option_error(const cw_command_help *cmd, const char *option, const char *message)
{
    cw_usage_error(cmd, option, message, NULL);
    return CW_OPTIONS_ERROR;
}

static const cw_option *find_long(const cw_option *opts, const char *name, size_t len)
{
    for (const cw_option *o = opts; o->kind != CW_OPT_KIND_END; o++)
        if (strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const cw_option *find_short(const cw_option *opts, char c)
{
    for (const cw_option *o = opts; o->kind != CW_OPT_KIND_END; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static void store(const cw_option *o, const char *value)
{
    if (o->kind == CW_OPT_KIND_FLAG)
        *(int *)o->value = 1;
    else
        *(const char **)o->value = value;
}

/* `--name`, `--name=value` or `--name value`.  Returns 1 when the next
 * argument was consumed as the value, 0 when not, or an error. */
static int parse_long(const cw_command_help *cmd, const cw_option *opts, const char *arg,
                      const char *next)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cw_option *o;
    if (len == 4 && strncmp(name, "help", 4) == 0 && !eq)
        return CW_OPTIONS_HELP;
    if (!(o = find_long(opts, name, len)))
        return option_error(cmd, arg, "unknown option");
    if (o->kind == CW_OPT_KIND_FLAG) {
        if (eq)
            return option_error(cmd, arg, "takes no value");
        store(o, NULL);
        return 0;
    }
    if (eq) {
        store(o, eq + 1);
        return 0;
    }
    if (!next)
        return option_error(cmd, arg, "needs a value");
    store(o, next);
    return 1;
}

/* `-q`, `-qv` (bundled flags), `-cFILE` or `-c FILE`.  Same returns. */
static int parse_short(const cw_command_help *cmd, const cw_option *opts, const char *arg,
                       const char *next)
{
    for (const char *p = arg + 1; *p; p++) {
        const cw_option *o = find_short(opts, *p);
        char name[3] = {'-', *p, 0};
        if (*p == 'h' && !o)
            return CW_OPTIONS_HELP;
        if (!o)
            return option_error(cmd, name, "unknown option");
        if (o->kind == CW_OPT_KIND_FLAG) {
            store(o, NULL);
            continue;
        }
        if (p[1]) {
            store(o, p + 1);
            return 0;
        }
        if (!next)
            return option_error(cmd, name, "needs a value");
        store(o, next);
        return 1;
    }
    return 0;
}

int cw_options_parse(const cw_command_help *cmd, const cw_option *opts, int argc, char **argv)
{
    int n = 0, only_operands = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            argv[1 + n++] = argv[i];    /* operands move down; i >= 1 + n */
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_operands = 1;
            continue;
        }
        rc = arg[1] == '-' ? parse_long(cmd, opts, arg, next) : parse_short(cmd, opts, arg, next);
        if (rc == CW_OPTIONS_HELP)
            cw_options_usage(cmd, opts, stdout);
        if (rc < 0)
            return rc;
        i += rc;
    }
    return n;
}

int cw_options_exit(int parse_result)
{
    return parse_result == CW_OPTIONS_HELP ? CW_EXIT_OK : CW_EXIT_USAGE;
}

int cw_options_common(const cw_command_help *cmd, const cw_common_options *c, int need_config)
{
    if (c->verbose)
        cw_log_set_level(CW_LOG_DEBUG);
    else if (c->quiet)
        cw_log_set_level(CW_LOG_ERROR);
    if (need_config && !c->config)
        return cw_usage_error(cmd, "-c", "the configuration file is required", NULL);
    return 0;
}

int cw_options_no_operands(const cw_command_help *cmd, const cw_option *opts,
                           const cw_common_options *common, int argc, char **argv,
                           cw_config **cfg)
{
    int n = cw_options_parse(cmd, opts, argc, argv);
    if (n < 0)
        return cw_options_exit(n);
    if (n > 0)
        return cw_usage_error(cmd, argv[1], "unexpected argument", NULL);
    if (cw_options_common(cmd, common, 1) != 0 ||
        (cfg && cw_config_load(common->config, cw_source_check, cfg) != 0))
        return CW_EXIT_USAGE;
    return -1;
}

/* -------------------------------------------------------------- windows */

/* A date YYYY-MM-DD (a real day: it must format back to itself) or an
 * ISO-8601 instant. */
int cw_options_when(const char *text, int64_t *out)
{
    char back[11];
    if (cw_time_parse_iso8601(text, NULL, out) != 0)
        return -1;
    if (strlen(text) > 10)
        return 0;
    cw_time_format_date(*out, back, sizeof back);
    return strcmp(back, text) == 0 ? 0 : -1;
}

int cw_options_as_of(const cw_command_help *cmd, const char *text, int64_t *now)
{
    char iso[40];
    if (cw_options_when(text, now) != 0)
        return cw_usage_error(cmd, "--as-of", "expected a date YYYY-MM-DD or an ISO-8601 instant",
                              text);
    cw_time_format_iso(*now, iso, sizeof iso);
    setenv("CW_NOW", iso, 1);
    return 0;
}

int cw_options_window(const cw_command_help *cmd, const char *from_text, const char *to_text,
                      cw_period_kind by, int periods, int64_t now, int64_t *from, int64_t *to)
{
    int64_t t;
    if (to_text && cw_options_when(to_text, &t) != 0)
        return cw_usage_error(cmd, "--to", "expected a date YYYY-MM-DD", to_text);
    *to = cw_period_start(to_text ? t : now, by);
    if (from_text && cw_options_when(from_text, &t) != 0)
        return cw_usage_error(cmd, "--from", "expected a date YYYY-MM-DD", from_text);
    if (from_text) {
        *from = cw_period_start(t, by);
    } else {
        *from = *to;
        for (int i = 0; i < periods; i++)
            *from = cw_period_start(*from - 1, by);
    }
    if (*from >= *to)
        return cw_usage_error(cmd, "--from",
                              "must be before --to (after aligning both to period starts)",
                              from_text ? from_text : "default");
    return 0;
}
