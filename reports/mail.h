/*
 * mail.h - the weekly report as an email: the message (RFC 5322 + MIME) and
 * its delivery over SMTP (libcurl).
 *
 * cw_mail_build is a pure function of its parts: the same parts give the
 * same bytes, so the unit tests check them, `catwalk mail --dry-run` writes
 * them to an .eml file and a send uploads that very buffer.  Its structure:
 *
 *   multipart/mixed
 *     multipart/related
 *       multipart/alternative
 *         text/plain; charset=utf-8
 *         text/html; charset=utf-8
 *       image/png (Content-ID <ID>, inline)      one per chart, cid:ID in the HTML
 *     application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (attachment)
 *     text/html (attachment: the full report page)
 *
 * Every part is Base64 (core/base64.h: 76 columns, CRLF), text parts after
 * their line ends are made CRLF: no line is ever longer than 76 characters,
 * and the boundaries, which start with "=_", cannot occur in Base64 text.
 */
#ifndef CW_REPORT_MAIL_H
#define CW_REPORT_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"
#include "../core/util.h"

/* One part beside the bodies: an inline image (content_id set) or an
 * attachment (content_id NULL). */
typedef struct cw_mail_part {
    const char *content_type;   /* "image/png", "application/vnd...sheet", "text/html" */
    const char *content_id;     /* inline: the ID of cid:ID in the HTML ([A-Za-z0-9._@-]) */
    const char *filename;       /* printable ASCII without '"' or '\' */
    const void *data;
    size_t len;
} cw_mail_part;

typedef struct cw_mail_message {
    const char *from;           /* a mailbox (core/mailbox.h) */
    const char *const *to;      /* mailboxes */
    size_t n_to;
    const char *subject;        /* UTF-8: encoded (RFC 2047) when not plain ASCII */
    int64_t date;               /* UTC seconds */
    const char *token;          /* [A-Za-z0-9], from cw_mail_token: the Message-ID's
                                 * left part and the boundaries' tail */
    const char *text, *html;    /* the two alternatives, UTF-8 */
    const cw_mail_part *images;
    size_t n_images;
    const cw_mail_part *attachments;
    size_t n_attachments;
} cw_mail_message;

/* The message as sent, appended to out.  0, or -1 with the broken rule in
 * *why (an address, a file name, a content id, the token). */
int cw_mail_build(const cw_mail_message *m, cw_buf *out, const char **why);

/* RFC 5322 date-time in UTC: "Fri, 04 Dec 2026 06:43:23 +0000" (size >= 32). */
void cw_mail_date(int64_t t, char *buf, size_t size);

/* Append a header's text after `used` columns of its line: as is when it is
 * printable ASCII, else as RFC 2047 encoded words ("=?UTF-8?B?...?="), each
 * of at most 75 characters and whole UTF-8 characters, folded by CRLF SP. */
void cw_mail_header_text(cw_buf *out, size_t used, const char *text);

/* 32 random hex digits from getrandom(2) (size >= 33).  0 or -1. */
int cw_mail_token(char *buf, size_t size);

/* ------------------------------------------------------------ delivery */

/* Where and how to send: [mail] url, username, the secret, ca_file, timeout. */
typedef struct cw_mail_server {
    const char *url;            /* smtp://host[:port] (STARTTLS required) or smtps:// */
    const char *username;       /* NULL: no AUTH */
    const char *password;       /* never logged */
    const char *ca_file;        /* NULL: the system's CAs */
    long timeout_s;
} cw_mail_server;

/* The outcome of a send: the last SMTP reply code (CURLINFO_RESPONSE_CODE,
 * 0 when none came), the server's last reply line and libcurl's error. */
typedef struct cw_mail_result {
    long code;
    char reply[512];
    char error[256];
} cw_mail_result;

/* Send msg[0..len) from the address `from` to every address of rcpt over
 * TLS (verified, always).  0, or -1 with res filled. */
int cw_mail_send(const cw_mail_server *server, const char *from, const char *const *rcpt,
                 size_t n_rcpt, const char *msg, size_t len, cw_mail_result *res);

#endif
