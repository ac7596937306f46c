/*
 * test_credentials.c - where a live source's secret comes from
 * (extract/credentials.c): token_env, token_file (mode 600 only), the `auth`
 * override, and the errors a user sees, which never hold the secret.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "extract/credentials.h"

/* Load credentials and return what went to stderr (caller frees). */
static char *load(const char *const *pairs, cw_auth_kind kind, cw_credentials *out, int *rc)
{
    cw_test_source s;
    cw_redirect err;
    /* a [source jira] section on line 1 of test.ini: keys on lines 2, 3, ... */
    cw_test_source_init(&s, 1, "jira", "jira", pairs);
    cw_redirect_begin(&err, 2);
    *rc = cw_credentials_load(&s.src, kind, out);
    return cw_redirect_end(&err);
}

/* Loading must succeed, with nothing on stderr. */
static void loaded(const char *const *pairs, cw_auth_kind kind, cw_credentials *c)
{
    int rc;
    char *err = load(pairs, kind, c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    free(err);
}

/* Loading must fail; returns the error the user sees (caller frees). */
static char *refused(const char *const *pairs, cw_auth_kind kind)
{
    cw_credentials c;
    int rc;
    char *err = load(pairs, kind, &c, &rc);
    assert_int_equal(rc, -1);
    return err;
}

/* Loading must fail with an error holding `holds` and, unless NULL, never
 * `secret`. */
static void expect_refused(const char *const *pairs, cw_auth_kind kind, const char *holds,
                           const char *secret)
{
    char *err = refused(pairs, kind);
    assert_non_null(strstr(err, holds));
    if (secret)
        assert_null(strstr(err, secret));
    free(err);
}

/* Loading must fail with exactly this error. */
static void expect_error(const char *const *pairs, cw_auth_kind kind, const char *want)
{
    char *err = refused(pairs, kind);
    assert_string_equal(err, want);
    free(err);
}

/* A token file with the given text and mode; returns its path (static). */
static const char *token_file(const char *text, mode_t mode)
{
    const char *path = cw_temp_file(text, ".token");
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static void test_token_from_env(void **state)
{
    const char *pairs[] = {"base_url", "https://x.atlassian.net", "token_env", "CW_TEST_TOKEN",
                           NULL};
    cw_credentials c;
    (void)state;
    setenv("CW_TEST_TOKEN", "env-secret-1", 1);
    loaded(pairs, CW_AUTH_BEARER, &c);
    assert_int_equal(c.auth.kind, CW_AUTH_BEARER);
    assert_string_equal(c.auth.secret, "env-secret-1");
    assert_ptr_equal(c.auth.secret, c.secret);
    assert_null(c.auth.user);
    cw_credentials_free(&c);
    assert_null(c.secret);
    unsetenv("CW_TEST_TOKEN");
}

static void test_env_missing_or_empty(void **state)
{
    const char *pairs[] = {"token_env", "CW_TEST_UNSET_TOKEN", NULL};
    (void)state;
    unsetenv("CW_TEST_UNSET_TOKEN");
    expect_error(pairs, CW_AUTH_BEARER, "test.ini:2: token_env: environment variable "
                                        "CW_TEST_UNSET_TOKEN is not set\n");

    setenv("CW_TEST_UNSET_TOKEN", "", 1);
    expect_error(pairs, CW_AUTH_BEARER, "test.ini:2: token_env: environment variable "
                                        "CW_TEST_UNSET_TOKEN is empty\n");
    unsetenv("CW_TEST_UNSET_TOKEN");

    /* A token pasted in place of the variable's name is not echoed. */
    pairs[1] = "ghp_pasted0token0by0mistake";
    expect_refused(pairs, CW_AUTH_BEARER,
                   "test.ini:2: token_env: the environment variable it names is not set",
                   "ghp_pasted");
}

static void test_token_from_file(void **state)
{
    /* One trailing newline is stripped, nothing else. */
    static const struct {
        const char *text;
        mode_t mode;
        cw_auth_kind kind;
        const char *secret;
    } files[] = {
        {"file-secret \n", 0600, CW_AUTH_PAGERDUTY, "file-secret "},
        {"crlf-secret\r\n", 0400, CW_AUTH_BEARER, "crlf-secret"},
        {"no-newline", 0600, CW_AUTH_BEARER, "no-newline"},
    };
    const char *pairs[] = {"token_file", NULL, NULL};
    cw_credentials c;
    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        pairs[1] = token_file(files[i].text, files[i].mode);
        loaded(pairs, files[i].kind, &c);
        assert_int_equal(c.auth.kind, files[i].kind);
        assert_string_equal(c.secret, files[i].secret);
        cw_credentials_free(&c);
        unlink(pairs[1]);
    }
}

static void test_token_file_mode_refused(void **state)
{
    const char *pairs[] = {"base_url", "https://x", "token_file", NULL, NULL};
    char want[512];
    (void)state;
    pairs[3] = token_file("file-secret-2\n", 0644);
    snprintf(want, sizeof(want), "test.ini:3: token_file: %s is readable by group or others "
             "(chmod 600)\n", pairs[3]);
    expect_error(pairs, CW_AUTH_BEARER, want);
    unlink(pairs[3]);

    /* Group-writable only is refused as well: any group/other bit. */
    pairs[3] = token_file("file-secret-2\n", 0620);
    expect_refused(pairs, CW_AUTH_BEARER, "(chmod 600)", "file-secret-2");
    unlink(pairs[3]);
}

static void test_token_file_problems(void **state)
{
    const char *pairs[] = {"token_file", "/nonexistent/catwalk.token", NULL};
    (void)state;
    expect_error(pairs, CW_AUTH_BEARER, "test.ini:2: token_file: cannot open "
                                        "/nonexistent/catwalk.token: No such file or directory\n");

    pairs[1] = token_file("\n", 0600);
    expect_refused(pairs, CW_AUTH_BEARER, "is empty", NULL);
    unlink(pairs[1]);

    /* Two lines: not a token (it would forge a header line). */
    pairs[1] = token_file("line-one\nline-two\n", 0600);
    expect_refused(pairs, CW_AUTH_BEARER, "holds more than one line", "line-one");
    unlink(pairs[1]);
}

static void test_secret_in_config_refused(void **state)
{
    const char *with_token[] = {"base_url", "https://x", "token", "inline-secret", NULL};
    const char *with_password[] = {"user", "ann", "password", "inline-pw", NULL};
    (void)state;
    expect_error(with_token, CW_AUTH_BEARER,
                 "test.ini:3: token: secrets do not belong in the config file; use "
                 "token_env = VARIABLE or token_file = PATH (mode 600)\n");
    expect_refused(with_password, CW_AUTH_BASIC, "test.ini:3: password: secrets do not belong",
                   "inline-pw");
}

/* cw_secret_load with other key names ([mail] password_env/password_file):
 * the same rules, the errors naming those keys. */
static void test_secret_under_other_keys(void **state)
{
    cw_test_source s;
    cw_redirect err;
    char *secret = NULL, *out, want[512];
    const char *by_env[] = {"password_env", "CW_TEST_SMTP_PW", NULL};
    const char *by_file[] = {"password_file", NULL, NULL};
    const char *both[] = {"password_env", "CW_TEST_SMTP_PW", "password_file", "x", NULL};
    (void)state;
    setenv("CW_TEST_SMTP_PW", "smtp-secret-1", 1);
    cw_test_source_init(&s, 1, "mail", "mail", by_env);
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), 0);
    assert_string_equal(secret, "smtp-secret-1");
    cw_secret_free(secret);
    unsetenv("CW_TEST_SMTP_PW");
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), -1);
    out = cw_redirect_end(&err);
    assert_string_equal(out, "test.ini:2: password_env: environment variable CW_TEST_SMTP_PW "
                             "is not set\n");
    free(out);

    by_file[1] = token_file("smtp-secret-2\n", 0640);
    cw_test_source_init(&s, 1, "mail", "mail", by_file);
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), -1);
    out = cw_redirect_end(&err);
    snprintf(want, sizeof(want), "test.ini:2: password_file: %s is readable by group or others "
             "(chmod 600)\n", by_file[1]);
    assert_string_equal(out, want);
    free(out);
    assert_int_equal(chmod(by_file[1], 0600), 0);
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), 0);
    assert_string_equal(secret, "smtp-secret-2");
    cw_secret_free(secret);
    unlink(by_file[1]);

    cw_test_source_init(&s, 1, "mail", "mail", both);
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), -1);
    out = cw_redirect_end(&err);
    assert_string_equal(out, "test.ini:3: password_file: give either password_env or "
                             "password_file, not both\n");
    free(out);

    /* neither key: no secret, no error */
    cw_test_source_init(&s, 1, "mail", "mail", (const char *[]){"url", "smtp://m", NULL});
    assert_int_equal(cw_secret_load(&s.src, "password_env", "password_file", &secret), 0);
    assert_null(secret);
}

static void test_auth_override(void **state)
{
    /* `auth` overrides the connector's default (bearer here) */
    static const struct {
        const char *pairs[7];
        cw_auth_kind kind;
        const char *user, *header_name;     /* NULL: not checked */
    } cases[] = {
        {{"token_env", "CW_TEST_TOKEN", "user", "ann@example.com", "auth", "basic", NULL},
         CW_AUTH_BASIC, "ann@example.com", NULL},
        {{"token_env", "CW_TEST_TOKEN", "auth", "header:X-Api-Key", NULL},
         CW_AUTH_HEADER, NULL, "X-Api-Key"},
        {{"token_env", "CW_TEST_TOKEN", "auth", "PagerDuty", NULL}, CW_AUTH_PAGERDUTY, NULL, NULL},
    };
    const char *bad[] = {"token_env", "CW_TEST_TOKEN", "auth", "digest", NULL};
    const char *bad_header[] = {"token_env", "CW_TEST_TOKEN", "auth", "header:X Key", NULL};
    cw_credentials c;
    (void)state;
    setenv("CW_TEST_TOKEN", "tok", 1);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        loaded(cases[i].pairs, CW_AUTH_BEARER, &c);
        assert_int_equal(c.auth.kind, cases[i].kind);
        assert_string_equal(c.auth.secret, "tok");
        if (cases[i].user)
            assert_string_equal(c.auth.user, cases[i].user);
        if (cases[i].header_name)
            assert_string_equal(c.auth.header_name, cases[i].header_name);
        cw_credentials_free(&c);
    }

    expect_error(bad, CW_AUTH_BEARER, "test.ini:3: auth: 'digest' is not one of bearer, basic, "
                                      "pagerduty, opsgenie, header:NAME, none\n");
    expect_refused(bad_header, CW_AUTH_BEARER, "'X Key' is not a valid header name", NULL);
    unsetenv("CW_TEST_TOKEN");
}

static void test_defaults_and_conflicts(void **state)
{
    const char *none[] = {"base_url", "https://x", NULL};
    const char *basic_no_user[] = {"token_env", "CW_TEST_TOKEN", NULL};
    const char *gitlab[] = {"token_env", "CW_TEST_TOKEN", NULL};
    const char *both[] = {"token_env", "CW_TEST_TOKEN", "token_file", "/tmp/x", NULL};
    cw_credentials c;
    (void)state;
    setenv("CW_TEST_TOKEN", "tok", 1);

    /* No token at all: anonymous, whatever the connector's default. */
    loaded(none, CW_AUTH_BASIC, &c);
    assert_int_equal(c.auth.kind, CW_AUTH_NONE);
    assert_null(c.auth.secret);
    cw_credentials_free(&c);

    expect_refused(basic_no_user, CW_AUTH_BASIC,
                   "test.ini:1: user: basic authentication needs a user", NULL);

    /* A connector whose default is a header (GitLab) gets PRIVATE-TOKEN. */
    loaded(gitlab, CW_AUTH_HEADER, &c);
    assert_string_equal(c.auth.header_name, "PRIVATE-TOKEN");
    cw_credentials_free(&c);

    expect_refused(both, CW_AUTH_BEARER, "either token_env or token_file", NULL);
    unsetenv("CW_TEST_TOKEN");
}

static void test_live_keys(void **state)
{
    static const char *const want[] = {
        "base_url", "token_env", "token_file", "user", "auth", "ca_file", "page_size",
        "overlap", "max_tries", "backoff_initial", "backoff_max", "timeout",
    };
    size_t n = 0;
    (void)state;
    while (cw_live_keys[n])
        n++;
    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cw_live_keys[i], want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_from_env),
        cmocka_unit_test(test_env_missing_or_empty),
        cmocka_unit_test(test_token_from_file),
        cmocka_unit_test(test_token_file_mode_refused),
        cmocka_unit_test(test_token_file_problems),
        cmocka_unit_test(test_secret_in_config_refused),
        cmocka_unit_test(test_secret_under_other_keys),
        cmocka_unit_test(test_auth_override),
        cmocka_unit_test(test_defaults_and_conflicts),
        cmocka_unit_test(test_live_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
