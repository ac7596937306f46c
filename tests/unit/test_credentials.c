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
    int rc;
    char *err;
    (void)state;
    setenv("CW_TEST_TOKEN", "env-secret-1", 1);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_int_equal(c.auth.kind, CW_AUTH_BEARER);
    assert_string_equal(c.auth.secret, "env-secret-1");
    assert_ptr_equal(c.auth.secret, c.secret);
    assert_null(c.auth.user);
    cw_credentials_free(&c);
    assert_null(c.secret);
    free(err);
    unsetenv("CW_TEST_TOKEN");
}

static void test_env_missing_or_empty(void **state)
{
    const char *pairs[] = {"token_env", "CW_TEST_UNSET_TOKEN", NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;
    unsetenv("CW_TEST_UNSET_TOKEN");
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "test.ini:2: token_env: environment variable CW_TEST_UNSET_TOKEN "
                             "is not set\n");
    free(err);

    setenv("CW_TEST_UNSET_TOKEN", "", 1);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "test.ini:2: token_env: environment variable CW_TEST_UNSET_TOKEN "
                             "is empty\n");
    free(err);
    unsetenv("CW_TEST_UNSET_TOKEN");

    /* A token pasted in place of the variable's name is not echoed. */
    pairs[1] = "ghp_pasted0token0by0mistake";
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "test.ini:2: token_env: the environment variable it names "
                                "is not set"));
    assert_null(strstr(err, "ghp_pasted"));
    free(err);
}

static void test_token_from_file(void **state)
{
    const char *pairs[] = {"token_file", NULL, NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;

    /* One trailing newline is stripped, nothing else. */
    pairs[1] = token_file("file-secret \n", 0600);
    err = load(pairs, CW_AUTH_PAGERDUTY, &c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_int_equal(c.auth.kind, CW_AUTH_PAGERDUTY);
    assert_string_equal(c.secret, "file-secret ");
    cw_credentials_free(&c);
    free(err);
    unlink(pairs[1]);

    pairs[1] = token_file("crlf-secret\r\n", 0400);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(c.secret, "crlf-secret");
    cw_credentials_free(&c);
    free(err);
    unlink(pairs[1]);

    pairs[1] = token_file("no-newline", 0600);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(c.secret, "no-newline");
    cw_credentials_free(&c);
    free(err);
    unlink(pairs[1]);
}

static void test_token_file_mode_refused(void **state)
{
    const char *pairs[] = {"base_url", "https://x", "token_file", NULL, NULL};
    cw_credentials c;
    char want[512];
    int rc;
    char *err;
    (void)state;
    pairs[3] = token_file("file-secret-2\n", 0644);
    snprintf(want, sizeof(want), "test.ini:3: token_file: %s is readable by group or others "
             "(chmod 600)\n", pairs[3]);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, want);
    free(err);
    unlink(pairs[3]);

    /* Group-writable only is refused as well: any group/other bit. */
    pairs[3] = token_file("file-secret-2\n", 0620);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "(chmod 600)"));
    assert_null(strstr(err, "file-secret-2"));
    free(err);
    unlink(pairs[3]);
}

static void test_token_file_problems(void **state)
{
    const char *pairs[] = {"token_file", "/nonexistent/catwalk.token", NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "test.ini:2: token_file: cannot open /nonexistent/catwalk.token: "
                             "No such file or directory\n");
    free(err);

    pairs[1] = token_file("\n", 0600);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "is empty"));
    free(err);
    unlink(pairs[1]);

    /* Two lines: not a token (it would forge a header line). */
    pairs[1] = token_file("line-one\nline-two\n", 0600);
    err = load(pairs, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "holds more than one line"));
    assert_null(strstr(err, "line-one"));
    free(err);
    unlink(pairs[1]);
}

static void test_secret_in_config_refused(void **state)
{
    const char *with_token[] = {"base_url", "https://x", "token", "inline-secret", NULL};
    const char *with_password[] = {"user", "ann", "password", "inline-pw", NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;
    err = load(with_token, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "test.ini:3: token: secrets do not belong in the config file; use "
                             "token_env = VARIABLE or token_file = PATH (mode 600)\n");
    free(err);
    err = load(with_password, CW_AUTH_BASIC, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "test.ini:3: password: secrets do not belong"));
    assert_null(strstr(err, "inline-pw"));
    free(err);
}

static void test_auth_override(void **state)
{
    const char *basic[] = {"token_env", "CW_TEST_TOKEN", "user", "ann@example.com",
                           "auth", "basic", NULL};
    const char *header[] = {"token_env", "CW_TEST_TOKEN", "auth", "header:X-Api-Key", NULL};
    const char *pd[] = {"token_env", "CW_TEST_TOKEN", "auth", "PagerDuty", NULL};
    const char *bad[] = {"token_env", "CW_TEST_TOKEN", "auth", "digest", NULL};
    const char *bad_header[] = {"token_env", "CW_TEST_TOKEN", "auth", "header:X Key", NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;
    setenv("CW_TEST_TOKEN", "tok", 1);

    err = load(basic, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.auth.kind, CW_AUTH_BASIC);
    assert_string_equal(c.auth.user, "ann@example.com");
    assert_string_equal(c.auth.secret, "tok");
    cw_credentials_free(&c);
    free(err);

    err = load(header, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.auth.kind, CW_AUTH_HEADER);
    assert_string_equal(c.auth.header_name, "X-Api-Key");
    cw_credentials_free(&c);
    free(err);

    err = load(pd, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.auth.kind, CW_AUTH_PAGERDUTY);
    cw_credentials_free(&c);
    free(err);

    err = load(bad, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "test.ini:3: auth: 'digest' is not one of bearer, basic, pagerduty, "
                             "header:NAME, none\n");
    free(err);

    err = load(bad_header, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "'X Key' is not a valid header name"));
    free(err);
    unsetenv("CW_TEST_TOKEN");
}

static void test_defaults_and_conflicts(void **state)
{
    const char *none[] = {"base_url", "https://x", NULL};
    const char *basic_no_user[] = {"token_env", "CW_TEST_TOKEN", NULL};
    const char *gitlab[] = {"token_env", "CW_TEST_TOKEN", NULL};
    const char *both[] = {"token_env", "CW_TEST_TOKEN", "token_file", "/tmp/x", NULL};
    cw_credentials c;
    int rc;
    char *err;
    (void)state;
    setenv("CW_TEST_TOKEN", "tok", 1);

    /* No token at all: anonymous, whatever the connector's default. */
    err = load(none, CW_AUTH_BASIC, &c, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.auth.kind, CW_AUTH_NONE);
    assert_null(c.auth.secret);
    cw_credentials_free(&c);
    free(err);

    err = load(basic_no_user, CW_AUTH_BASIC, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "test.ini:1: user: basic authentication needs a user"));
    free(err);

    /* A connector whose default is a header (GitLab) gets PRIVATE-TOKEN. */
    err = load(gitlab, CW_AUTH_HEADER, &c, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(c.auth.header_name, "PRIVATE-TOKEN");
    cw_credentials_free(&c);
    free(err);

    err = load(both, CW_AUTH_BEARER, &c, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "either token_env or token_file"));
    free(err);
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
        cmocka_unit_test(test_auth_override),
        cmocka_unit_test(test_defaults_and_conflicts),
        cmocka_unit_test(test_live_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
