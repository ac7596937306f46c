/*
 * credentials.h - where a live source's secret comes from.
 *
 * A secret is read from an environment variable (`token_env = JIRA_TOKEN`)
 * or a file (`token_file = /etc/catwalk/jira.token`, refused when group or
 * others can read it).  Never from the INI itself: a `token`/`password` key
 * is a configuration error.  The secret lives only in memory, is wiped on
 * free, and is never logged or stored.
 */
#ifndef CW_CREDENTIALS_H
#define CW_CREDENTIALS_H

#include "../core/config.h"
#include "http.h"

typedef struct cw_credentials {
    cw_http_auth auth;          /* points into the fields below */
    char *user;
    char *secret;
} cw_credentials;

/* Build the credentials of a source for the given auth kind (the connector
 * decides the kind; `auth = basic|bearer|...` may override).  A source with no
 * token_env/token_file gets CW_AUTH_NONE.  On error prints
 * "FILE:LINE: key: message" (never the secret) and returns -1. */
int cw_credentials_load(const cw_source *src, cw_auth_kind default_kind, cw_credentials *out);
void cw_credentials_free(cw_credentials *cred);

/* The secret of a section whose key env_key names an environment variable
 * or file_key an owner-only file (token_env/token_file for a source; [mail]
 * password_env/password_file): 0 with *secret (NULL when neither key is
 * there; free with cw_secret_free, which wipes it), or -1 after
 * "FILE:LINE: key: message" (never the secret) on stderr. */
int cw_secret_load(const cw_source *src, const char *env_key, const char *file_key,
                   char **secret);
void cw_secret_free(char *secret);

/* Config keys every live source accepts (for source type key lists):
 * base_url, token_env, token_file, user, auth, ca_file, page_size, overlap,
 * max_tries, backoff_initial, backoff_max, timeout. NULL-terminated. */
extern const char *const cw_live_keys[];

#endif
