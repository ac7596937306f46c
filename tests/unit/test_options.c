/*
 * test_options.c - the option convention of cmd/options.h: operands mixed
 * with options, bundled flags, `--name=value` and `-cVALUE`, `--`, every
 * usage error, help printed from the table, and the --from/--to window
 * shared by metrics and report.
 *
 * Day numbers used below (days since 1970-01-01, 365 per year plus one per
 * leap year): 2026-01-01 = 20454, 2026-03-01 = 20454 + 31 + 28 = 20513,
 * 2026-03-02 = 20514 (a Monday: 20514 mod 7 = 4 days after a Thursday),
 * 2026-03-16 = 20528, 2026-03-18 = 20530.
 */
#include "support.h"
#include "cmd/commands.h"
#include "cmd/options.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 86400

static const cw_command_help help = {
    "probe", "-c FILE [--from DATE]", "A command for the tests.", "exit status: 0 ok.",
};

typedef struct probe {
    cw_common_options common;
    const char *from;
    int full;
} probe;

static int parse(probe *p, int argc, char **argv)
{
    const cw_option options[] = {
        CW_OPT_COMMON(&p->common),
        CW_OPT_STRING(0, "from", "DATE", &p->from, "first period\nsecond line"),
        CW_OPT_FLAG(0, "full", &p->full, "everything"),
        CW_OPT_END()};
    memset(p, 0, sizeof *p);
    return cw_options_parse(&help, options, argc, argv);
}

static void test_operands_and_options_mix(void **state)
{
    char *argv[] = {"probe", "one", "-qv", "--config=a.ini", "two", "--from", "2026-03-04",
                    "--", "-not-an-option", NULL};
    probe p;
    (void)state;
    assert_int_equal(parse(&p, 9, argv), 3);
    assert_string_equal(argv[1], "one");
    assert_string_equal(argv[2], "two");
    assert_string_equal(argv[3], "-not-an-option");
    assert_int_equal(p.common.quiet, 1);
    assert_int_equal(p.common.verbose, 1);
    assert_string_equal(p.common.config, "a.ini");
    assert_string_equal(p.from, "2026-03-04");
    assert_int_equal(p.full, 0);
}

static void test_short_values_and_the_last_wins(void **state)
{
    char *argv[] = {"probe", "-cfirst.ini", "--full", "-c", "second.ini", "-", NULL};
    probe p;
    (void)state;
    assert_int_equal(parse(&p, 6, argv), 1);
    assert_string_equal(argv[1], "-");         /* stdin, by convention an operand */
    assert_string_equal(p.common.config, "second.ini");
    assert_int_equal(p.full, 1);
}

static void test_usage_errors(void **state)
{
    char *unknown[] = {"probe", "--frobnicate", NULL};
    char *unknown_short[] = {"probe", "-qx", NULL};
    char *missing[] = {"probe", "--from", NULL};
    char *missing_short[] = {"probe", "-c", NULL};
    char *flag_value[] = {"probe", "--full=yes", NULL};
    char *prefix[] = {"probe", "--ful", NULL};      /* no abbreviations: they break when options grow */
    probe p;
    (void)state;
    assert_int_equal(parse(&p, 2, unknown), CW_OPTIONS_ERROR);
    assert_int_equal(parse(&p, 2, unknown_short), CW_OPTIONS_ERROR);
    assert_int_equal(parse(&p, 2, missing), CW_OPTIONS_ERROR);
    assert_int_equal(parse(&p, 2, missing_short), CW_OPTIONS_ERROR);
    assert_int_equal(parse(&p, 2, flag_value), CW_OPTIONS_ERROR);
    assert_int_equal(parse(&p, 2, prefix), CW_OPTIONS_ERROR);
    assert_int_equal(cw_options_exit(CW_OPTIONS_ERROR), CW_EXIT_USAGE);
    assert_int_equal(cw_options_exit(CW_OPTIONS_HELP), CW_EXIT_OK);
    /* -c is required where the command needs a configuration */
    memset(&p, 0, sizeof p);
    assert_int_equal(cw_options_common(&help, &p.common, 1), CW_EXIT_USAGE);
    assert_int_equal(cw_options_common(&help, &p.common, 0), 0);
}

static void test_help_comes_from_the_table(void **state)
{
    char *long_help[] = {"probe", "-c", "x.ini", "--help", "--frobnicate", NULL};
    char *short_help[] = {"probe", "-qh", NULL};
    const char *head = "usage: catwalk probe -c FILE [--from DATE]\n\nA command for the tests.\n\n";
    cw_redirect out;
    char *text, *again;
    probe p;
    (void)state;
    cw_redirect_begin(&out, STDOUT_FILENO);
    assert_int_equal(parse(&p, 5, long_help), CW_OPTIONS_HELP);   /* stops at --help */
    text = cw_redirect_end(&out);
    assert_true(strncmp(text, head, strlen(head)) == 0);
    /* the help column is 22: "  -c, --config FILE" is 19 wide */
    assert_non_null(strstr(text, "\n  -c, --config FILE   the INI configuration\n"));
    assert_non_null(strstr(text, "\n  -q, --quiet         errors only\n"));
    assert_non_null(strstr(text, "\n  -v, --verbose       debug output\n"));
    assert_non_null(strstr(text, "\n      --from DATE     first period\n"
                                 "                      second line\n"));
    assert_non_null(strstr(text, "\n      --full          everything\n"));
    assert_non_null(strstr(text, "\n  -h, --help          this help\n\nexit status: 0 ok.\n"));
    cw_redirect_begin(&out, STDOUT_FILENO);
    assert_int_equal(parse(&p, 2, short_help), CW_OPTIONS_HELP);
    again = cw_redirect_end(&out);
    assert_string_equal(again, text);
    free(text);
    free(again);
}

static void test_window(void **state)
{
    int64_t from = 0, to = 0, now = 20530 * (int64_t)DAY + 12 * 3600;    /* 2026-03-18 12:00 */
    (void)state;
    /* a Wednesday and a Monday-morning instant align down to their Mondays */
    assert_int_equal(cw_options_window(&help, "2026-03-04", "2026-03-16T09:00:00Z", CW_PERIOD_WEEK,
                                       12, now, &from, &to), 0);
    assert_int_equal(from, 20514 * (int64_t)DAY);
    assert_int_equal(to, 20528 * (int64_t)DAY);
    /* defaults: to = the current period's start, from = 12 weeks earlier */
    assert_int_equal(cw_options_window(&help, NULL, NULL, CW_PERIOD_WEEK, 12, now, &from, &to), 0);
    assert_int_equal(to, 20528 * (int64_t)DAY);
    assert_int_equal(from, (20528 - 84) * (int64_t)DAY);
    /* months: March 2026 holds now; two months back is 2026-01-01 */
    assert_int_equal(cw_options_window(&help, NULL, NULL, CW_PERIOD_MONTH, 2, now, &from, &to), 0);
    assert_int_equal(to, 20513 * (int64_t)DAY);
    assert_int_equal(from, 20454 * (int64_t)DAY);
    /* days: --to 2026-03-16 exclusive, --from the day before */
    assert_int_equal(cw_options_window(&help, "2026-03-15", "2026-03-16", CW_PERIOD_DAY, 12, now,
                                       &from, &to), 0);
    assert_int_equal(from, 20527 * (int64_t)DAY);
    assert_int_equal(to, 20528 * (int64_t)DAY);
}

static void test_window_errors(void **state)
{
    int64_t from, to, now = 20530 * (int64_t)DAY;
    (void)state;
    assert_int_equal(cw_options_window(&help, "2026-02-30", NULL, CW_PERIOD_WEEK, 12, now, &from,
                                       &to), CW_EXIT_USAGE);
    assert_int_equal(cw_options_window(&help, NULL, "16/03/2026", CW_PERIOD_WEEK, 12, now, &from,
                                       &to), CW_EXIT_USAGE);
    assert_int_equal(cw_options_window(&help, "2026-3-4", NULL, CW_PERIOD_WEEK, 12, now, &from,
                                       &to), CW_EXIT_USAGE);
    /* both align to Monday 2026-03-09: an empty window */
    assert_int_equal(cw_options_window(&help, "2026-03-10", "2026-03-15", CW_PERIOD_WEEK, 12, now,
                                       &from, &to), CW_EXIT_USAGE);
    assert_int_equal(cw_options_window(&help, "2026-03-16", "2026-03-02", CW_PERIOD_WEEK, 12, now,
                                       &from, &to), CW_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operands_and_options_mix),
        cmocka_unit_test(test_short_values_and_the_last_wins),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help_comes_from_the_table),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_window_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
