/*
 * test_sql_portable.c - every shared metric and report SQL file (the .sql
 * files of reports/sql/ and templates/sql/) stays in the portable subset SQLite and PostgreSQL
 * both run (common decisions of issue 7, load/db.h "SQL dialect").
 *
 * A lint, not an engine: comments and string literals are blanked out, then
 * the text is searched for the SQLite-only constructs (strftime and the other
 * date functions, `a IS b` / `a IS NOT b` as null-safe comparison, iif,
 * printf, group_concat, total, json_each, REGEXP, sqlite_master, ...) and for
 * parameters other than ?1, ?2 ... or a ?N tested for NULL without a CAST
 * (PostgreSQL cannot infer its type).  Running every file on both engines is
 * the PostgreSQL suite's job; this one needs nothing but the files.  The lint
 * itself is tested on snippets first, so a lint that finds nothing fails.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "core/util.h"

/* Function-like names (matched as NAME followed by '(') and words that have
 * no place in portable SQL. */
static const char *const banned_calls[] = {
    "STRFTIME", "DATETIME", "DATE", "TIME", "JULIANDAY", "UNIXEPOCH", "IIF", "PRINTF",
    "GROUP_CONCAT", "TOTAL", "JSON_EACH", "JSON_TREE", "JSON_EXTRACT", "IFNULL", "INSTR",
    "LAST_INSERT_ROWID", "CHANGES", "TYPEOF", NULL,
};
static const char *const banned_words[] = {
    "REGEXP", "GLOB", "SQLITE_MASTER", "SQLITE_TEMP_MASTER", "SQLITE_SCHEMA", "PRAGMA",
    "AUTOINCREMENT", "ROWID", "TEMP VIEW", "TEMPORARY VIEW", "INSERT OR", "REPLACE INTO", NULL,
};
/* What may follow IS: anything else is SQLite's null-safe `a IS b`. */
static const char *const is_followers[] = { "NULL", "NOT NULL", "DISTINCT FROM",
                                            "NOT DISTINCT FROM", "TRUE", "FALSE", NULL };

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Upper-case copy with comments and the contents of string literals blanked
 * (quotes kept), so words inside them never count. */
static char *normalise(const char *sql)
{
    size_t n = strlen(sql);
    char *out = cw_xcalloc(n + 1, 1);
    for (size_t i = 0; i < n;) {
        if (sql[i] == '-' && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                out[i++] = ' ';
        } else if (sql[i] == '/' && sql[i + 1] == '*') {
            while (i < n && !(sql[i] == '*' && sql[i + 1] == '/'))
                out[i++] = ' ';
            for (int k = 0; k < 2 && i < n; k++)
                out[i++] = ' ';
        } else if (sql[i] == '\'') {
            out[i++] = '\'';
            while (i < n && sql[i] != '\'') {
                out[i++] = ' ';
                if (sql[i] == '\'' && sql[i + 1] == '\'') {   /* '' inside a literal */
                    out[i++] = ' ';
                    out[i++] = ' ';
                }
            }
            if (i < n)
                out[i++] = '\'';
        } else {
            out[i] = (char)toupper((unsigned char)sql[i]);
            i++;
        }
    }
    return out;
}

static const char *skip_blanks(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

/* The word (which may hold single spaces, matching any run of blanks) at p,
 * on word boundaries.  Returns the end of the match or NULL. */
static const char *word_at(const char *text, const char *p, const char *word)
{
    if (p > text && ident_char(p[-1]))
        return NULL;
    for (; *word; word++) {
        if (*word == ' ') {
            if (!isspace((unsigned char)*p))
                return NULL;
            p = skip_blanks(p);
        } else if (*p++ != *word) {
            return NULL;
        }
    }
    return ident_char(*p) ? NULL : p;
}

/* The first problem in sql, into why; 0 when it is portable. */
static int lint(const char *sql, char *why, size_t size)
{
    char *text = normalise(sql);
    int bad = 0;
    for (const char *p = text; *p && !bad; p++) {
        const char *end;
        for (size_t i = 0; banned_calls[i] && !bad; i++)
            if ((end = word_at(text, p, banned_calls[i])) && *skip_blanks(end) == '(')
                bad = snprintf(why, size, "%s() is SQLite-only", banned_calls[i]);
        for (size_t i = 0; banned_words[i] && !bad; i++)
            if (word_at(text, p, banned_words[i]))
                bad = snprintf(why, size, "%s is SQLite-only", banned_words[i]);
        if (!bad && (end = word_at(text, p, "IS"))) {
            int ok = 0;
            for (size_t i = 0; is_followers[i] && !ok; i++)
                ok = word_at(text, skip_blanks(end), is_followers[i]) != NULL;
            if (!ok)
                bad = snprintf(why, size, "IS / IS NOT as a comparison: use IS [NOT] DISTINCT FROM");
        }
        if (!bad && (*p == ':' || *p == '@' || *p == '$') && isalpha((unsigned char)p[1]) &&
            (p == text || (!ident_char(p[-1]) && p[-1] != ':')))
            bad = snprintf(why, size, "named parameter %.12s: use ?1, ?2 ...", p);
        if (!bad && *p == '?') {
            const char *q = p + 1;
            while (isdigit((unsigned char)*q))
                q++;
            if (q == p + 1)
                bad = snprintf(why, size, "bare ?: number parameters ?1, ?2 ...");
            else if (word_at(text, skip_blanks(q), "IS"))
                bad = snprintf(why, size, "%.*s IS ...: write CAST(%.*s AS type)",
                               (int)(q - p), p, (int)(q - p), p);
        }
    }
    free(text);
    return bad ? -1 : 0;
}

static void assert_flags(const char *sql, const char *expected)
{
    char why[160] = "";
    if (lint(sql, why, sizeof why) == 0)
        fail_msg("lint passed: %s", sql);
    if (!strstr(why, expected))
        fail_msg("lint said '%s' for %s, expected '%s'", why, sql, expected);
}

static void assert_passes(const char *sql)
{
    char why[160] = "";
    if (lint(sql, why, sizeof why) != 0)
        fail_msg("lint refused '%s': %s", sql, why);
}

static void test_the_lint_itself(void **state)
{
    (void)state;
    assert_flags("SELECT strftime('%W', t, 'unixepoch') FROM x", "STRFTIME");
    assert_flags("SELECT date(k * 86400, 'unixepoch')", "DATE");
    assert_flags("SELECT 1 FROM x WHERE a IS b", "IS [NOT] DISTINCT");
    assert_flags("SELECT 1 FROM x WHERE a IS NOT b", "IS [NOT] DISTINCT");
    assert_flags("SELECT iif(a, 1, 0) FROM x", "IIF");
    assert_flags("SELECT printf('%d', a) FROM x", "PRINTF");
    assert_flags("SELECT group_concat(a) FROM x", "GROUP_CONCAT");
    assert_flags("SELECT total(a) FROM x", "TOTAL");
    assert_flags("SELECT value FROM json_each(x)", "JSON_EACH");
    assert_flags("SELECT 1 FROM x WHERE a REGEXP 'b'", "REGEXP");
    assert_flags("SELECT name FROM sqlite_temp_master", "SQLITE_TEMP_MASTER");
    assert_flags("SELECT last_insert_rowid()", "LAST_INSERT_ROWID");
    assert_flags("INSERT OR IGNORE INTO x VALUES (1)", "INSERT OR");
    assert_flags("CREATE TEMP VIEW v AS SELECT 1", "TEMP VIEW");
    assert_flags("SELECT 1 WHERE :scope = 'team'", "named parameter");
    assert_flags("SELECT 1 WHERE a = ?", "bare ?");
    assert_flags("SELECT 1 FROM x WHERE ?1 IS NULL OR a = ?1", "CAST(?1");
    /* portable: the words inside strings and comments do not count */
    assert_passes("-- strftime would be wrong here\nSELECT 'a IS b, iif(x)' FROM x");
    assert_passes("SELECT 1 FROM x WHERE a IS NULL AND b IS NOT NULL "
                  "AND c IS DISTINCT FROM d AND e IS NOT DISTINCT FROM f");
    assert_passes("SELECT 1 FROM x WHERE CAST(?1 AS BIGINT) IS NULL OR a >= ?2");
    assert_passes("SELECT total_s, date_key, updated FROM x");
    assert_passes("SELECT a::text FROM x");
}

static void test_reports_sql_is_portable(void **state)
{
    glob_t g;
    int bad = 0;
    (void)state;
    assert_int_equal(glob("reports/sql/*.sql", 0, NULL, &g), 0);
    /* and the report definition's queries (templates/weekly.report) */
    assert_int_equal(glob("templates/sql/*.sql", GLOB_APPEND, NULL, &g), 0);
    assert_true(g.gl_pathc >= 15);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *sql = cw_read_file(g.gl_pathv[i], NULL);
        char why[160];
        assert_non_null(sql);
        if (lint(sql, why, sizeof why) != 0) {
            fprintf(stderr, "%s: %s\n", g.gl_pathv[i], why);
            bad++;
        }
        free(sql);
    }
    globfree(&g);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_lint_itself),
        cmocka_unit_test(test_reports_sql_is_portable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
