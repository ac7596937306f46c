/*
 * mail_send.c - deliver a built message over SMTP with libcurl (mail.h).
 *
 * TLS is never optional: smtp:// must upgrade with STARTTLS
 * (CURLUSESSL_ALL: a server that does not offer it is an error, not a
 * plain-text fallback) and smtps:// is TLS from the first byte; the
 * certificate and host name are always verified, against ca_file when the
 * server's CA is private.  The password goes to libcurl only.
 *
 * libcurl reports the last reply code (CURLINFO_RESPONSE_CODE) but not its
 * text, which is what an operator needs ("550 5.1.1 no such user").  The
 * debug callback sees the protocol: we keep the last line the SERVER sent
 * (CURLINFO_HEADER_IN) and nothing the client sent, so the AUTH exchange,
 * which carries the password, is never copied anywhere.
 */
#include "mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_S 30

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
    upload *u = ctx;
    size_t n = size * nitems;
    if (n > u->len - u->off)
        n = u->len - u->off;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

/* The server's lines, without their CRLF: the first refusal (4xx, 5xx) is
 * kept, since the QUIT that follows it is answered too; else the last line. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *ctx)
{
    cw_mail_result *res = ctx;
    (void)easy;
    if (type != CURLINFO_HEADER_IN || size == 0)
        return 0;
    if (res->reply[0] == '4' || res->reply[0] == '5')
        return 0;
    while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
        size--;
    if (size >= sizeof(res->reply))
        size = sizeof(res->reply) - 1;
    memcpy(res->reply, data, size);
    res->reply[size] = '\0';
    return 0;
}

static struct curl_slist *recipients(const char *const *rcpt, size_t n)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < n; i++) {
        char *a = cw_asprintf("<%s>", rcpt[i]);
        struct curl_slist *more = curl_slist_append(list, a);
        free(a);
        if (!more) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = more;
    }
    return list;
}

static void set_options(CURL *easy, const cw_mail_server *s, const char *from_angle,
                        struct curl_slist *rcpt, upload *u, cw_mail_result *res)
{
    curl_easy_setopt(easy, CURLOPT_URL, s->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (s->ca_file)
        curl_easy_setopt(easy, CURLOPT_CAINFO, s->ca_file);
    if (s->username) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, s->timeout_s);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from_angle);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, u);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, res->error);
    /* VERBOSE only feeds on_debug: nothing is printed */
    curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(easy, CURLOPT_DEBUGDATA, res);
}

int cw_mail_send(const cw_mail_server *server, const char *from, const char *const *rcpt,
                 size_t n_rcpt, const char *msg, size_t len, cw_mail_result *res)
{
    upload u = {msg, len, 0};
    struct curl_slist *list;
    char *from_angle;
    CURL *easy;
    CURLcode rc;
    memset(res, 0, sizeof(*res));
    easy = curl_easy_init();
    list = recipients(rcpt, n_rcpt);
    if (!easy || !list) {
        snprintf(res->error, sizeof(res->error), "out of memory");
        curl_slist_free_all(list);
        curl_easy_cleanup(easy);
        return -1;
    }
    from_angle = cw_asprintf("<%s>", from);
    set_options(easy, server, from_angle, list, &u, res);
    rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res->code);
    if (rc != CURLE_OK && !res->error[0])
        snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(rc));
    curl_easy_cleanup(easy);
    curl_slist_free_all(list);
    free(from_angle);
    return rc == CURLE_OK ? 0 : -1;
}
