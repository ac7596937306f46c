/*
 * credentials.c - a live source's secret, from the environment or a private
 * file (see credentials.h).
 *
 * The secret is copied once into memory we own and wiped on free; the file
 * is read through a fixed buffer that is wiped too, so no stray copy is left
 * in freed heap.  Error messages name the variable or the file, never the
 * value.
 */
#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/util.h"

#define MAX_SECRET_FILE 16384

const char *const cw_live_keys[] = {
    "base_url", "token_env", "token_file", "user", "auth", "ca_file", "page_size",
    "overlap", "max_tries", "backoff_initial", "backoff_max", "timeout", NULL,
};

static void cred_error(const cw_source *src, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cred_error(const cw_source *src, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: %s: ", src->config_path ? src->config_path : "config",
            cw_source_line(src, key), key);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* `auth = bearer | basic | pagerduty | opsgenie | header:NAME | none`. */
static int parse_auth(const cw_source *src, const char *text, cw_auth_kind *kind,
                      const char **header_name)
{
    static const struct { const char *name; cw_auth_kind kind; } kinds[] = {
        {"none", CW_AUTH_NONE}, {"bearer", CW_AUTH_BEARER}, {"basic", CW_AUTH_BASIC},
        {"pagerduty", CW_AUTH_PAGERDUTY}, {"opsgenie", CW_AUTH_OPSGENIE},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (cw_streq_ci(text, kinds[i].name)) {
            *kind = kinds[i].kind;
            return 0;
        }
    if (strncasecmp(text, "header:", 7) == 0) {
        const char *name = text + 7;
        /* An HTTP token: no separators, so the line cannot be forged. */
        if (*name == '\0' || strpbrk(name, " \t\r\n:()<>@,;\\\"/[]?={}") != NULL) {
            cred_error(src, "auth", "'%s' is not a valid header name", name);
            return -1;
        }
        *kind = CW_AUTH_HEADER;
        *header_name = name;
        return 0;
    }
    cred_error(src, "auth", "'%s' is not one of bearer, basic, pagerduty, opsgenie, "
               "header:NAME, none",
               text);
    return -1;
}

/* Variable names are conventionally upper case.  Anything else may be a
 * token pasted into token_env by mistake, so it is never echoed. */
static int conventional_env_name(const char *var)
{
    size_t n = strspn(var, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    return n > 0 && n <= 64 && var[n] == '\0' && !(var[0] >= '0' && var[0] <= '9');
}

static int secret_from_env(const cw_source *src, const char *key, const char *var, char **out)
{
    const char *value = getenv(var);
    const char *problem = !value ? "is not set" : !*value ? "is empty" : NULL;
    if (problem && conventional_env_name(var)) {
        cred_error(src, key, "environment variable %s %s", var, problem);
        return -1;
    }
    if (problem) {
        cred_error(src, key, "the environment variable it names %s (%s takes the variable's "
                   "name, e.g. JIRA_TOKEN, never the secret itself)", problem, key);
        return -1;
    }
    *out = cw_strdup(value);
    return 0;
}

/* Read a small private file into a wiped buffer; returns its length or -1. */
static long read_private_file(const cw_source *src, const char *key, const char *path, char *buf,
                              size_t size)
{
    struct stat st;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        cred_error(src, key, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* fstat on the open file: the mode checked is the mode of what we read. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cred_error(src, key, "%s is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        cred_error(src, key, "%s is readable by group or others (chmod 600)", path);
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cred_error(src, key, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == size) {
            cred_error(src, key, "%s is larger than %d bytes: not a token", path,
                       MAX_SECRET_FILE - 1);
            close(fd);
            return -1;
        }
    }
    close(fd);
    return (long)len;
}

static int secret_from_file(const cw_source *src, const char *key, char **out)
{
    char *path = cw_source_path(src, key);
    char *buf = cw_xmalloc(MAX_SECRET_FILE);
    long len = read_private_file(src, key, path, buf, MAX_SECRET_FILE);
    int rc = -1;

    if (len >= 0) {
        /* One trailing newline (echo, editors) is not part of the token. */
        if (len > 0 && buf[len - 1] == '\n')
            len--;
        if (len > 0 && buf[len - 1] == '\r')
            len--;
        if (len == 0)
            cred_error(src, key, "%s is empty", path);
        else if (memchr(buf, '\n', (size_t)len) || memchr(buf, '\r', (size_t)len) ||
                 memchr(buf, '\0', (size_t)len))
            cred_error(src, key, "%s holds more than one line", path);
        else {
            *out = cw_strndup(buf, (size_t)len);
            rc = 0;
        }
    }
    explicit_bzero(buf, MAX_SECRET_FILE);
    free(buf);
    free(path);
    return rc;
}

/* A secret with a line break would forge header lines: refuse it. */
static int secret_is_one_line(const cw_source *src, const char *key, const char *secret)
{
    if (strpbrk(secret, "\r\n") == NULL)
        return 1;
    cred_error(src, key, "the secret holds a line break");
    return 0;
}

static int refuse_inline_secret(const cw_source *src)
{
    static const char *const keys[] = {"token", "password", "secret", "api_token"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (cw_source_get(src, keys[i])) {
            cred_error(src, keys[i], "secrets do not belong in the config file; use "
                       "token_env = VARIABLE or token_file = PATH (mode 600)");
            return -1;
        }
    return 0;
}

int cw_secret_load(const cw_source *src, const char *env_key, const char *file_key,
                   char **secret)
{
    const char *env = cw_source_get(src, env_key);
    const char *file = cw_source_get(src, file_key);
    *secret = NULL;
    if (env && file) {
        cred_error(src, file_key, "give either %s or %s, not both", env_key, file_key);
        return -1;
    }
    if (env)
        return secret_from_env(src, env_key, env, secret);
    if (file)
        return secret_from_file(src, file_key, secret);
    return 0;
}

void cw_secret_free(char *secret)
{
    if (!secret)
        return;
    explicit_bzero(secret, strlen(secret));
    free(secret);
}

static int load_secret(const cw_source *src, char **secret)
{
    return cw_secret_load(src, "token_env", "token_file", secret);
}

int cw_credentials_load(const cw_source *src, cw_auth_kind default_kind, cw_credentials *out)
{
    const char *auth_text = cw_source_get(src, "auth");
    const char *header_name = NULL;
    cw_auth_kind kind = default_kind;

    memset(out, 0, sizeof(*out));
    if (refuse_inline_secret(src) != 0)
        return -1;
    if (auth_text && parse_auth(src, auth_text, &kind, &header_name) != 0)
        return -1;
    if (kind == CW_AUTH_HEADER && !header_name)
        header_name = "PRIVATE-TOKEN";      /* GitLab's, the only connector default */
    if (load_secret(src, &out->secret) != 0)
        return -1;
    if (!out->secret) {                     /* no credentials: anonymous */
        out->auth.kind = CW_AUTH_NONE;
        return 0;
    }
    if (!secret_is_one_line(src, cw_source_get(src, "token_env") ? "token_env" : "token_file",
                            out->secret))
        goto fail;
    if (kind == CW_AUTH_BASIC && cw_str_empty(cw_source_get(src, "user"))) {
        cred_error(src, "user", "basic authentication needs a user (the account name or "
                   "e-mail the token belongs to)");
        goto fail;
    }
    out->user = cw_strdup(cw_source_get(src, "user"));
    out->auth.kind = kind;
    out->auth.user = out->user;
    out->auth.secret = out->secret;
    out->auth.header_name = header_name;
    return 0;
fail:
    cw_credentials_free(out);
    return -1;
}

void cw_credentials_free(cw_credentials *cred)
{
    if (!cred)
        return;
    if (cred->secret) {
        explicit_bzero(cred->secret, strlen(cred->secret));
        free(cred->secret);
    }
    free(cred->user);
    memset(cred, 0, sizeof(*cred));
}
