/*
 * mail.c - the weekly report's message, RFC 5322 + MIME (see mail.h).
 *
 * Written by hand because it is small and has to be exact, and no Debian C
 * library builds MIME messages without also wanting to send them its way;
 * the pieces that are easy to get wrong come from libraries: Base64 from
 * libcrypto (core/base64.h), randomness from the kernel (getrandom(2)).
 *
 * Rules kept here:
 *   - every line ends in CRLF, none is longer than 78 characters (a plain
 *     text header is folded at its spaces; only a word longer than a line
 *     runs on, up to the RFC's 998);
 *   - header text is either printable ASCII or RFC 2047 encoded words, so
 *     no value can start a header line of its own;
 *   - boundaries are "=_cw.KIND.TOKEN": '=' followed by '_' never occurs in
 *     Base64, and every part is Base64.
 */
#include "mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../core/base64.h"
#include "../core/mailbox.h"

#define LINE_WIDTH 76           /* Base64 lines (RFC 2045) */
#define FOLD_WIDTH 78           /* RFC 5322 2.1.1: SHOULD */
#define HEADER_MAX 998          /* RFC 5322 2.1.1: MUST */
#define WORD_LINE 76            /* a line holding encoded words (RFC 2047 2) */
#define WORD_FRAME 12           /* "=?UTF-8?B?" and "?=" */
#define TOKEN_MAX 64

void cw_mail_date(int64_t t, char *buf, size_t size)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* names from our own tables: strftime's %a and %b follow the locale */
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int cw_mail_token(char *buf, size_t size)
{
    unsigned char raw[16];
    size_t got = 0;
    if (size < 2 * sizeof(raw) + 1)
        return -1;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* ------------------------------------------------------------ header text */

/* 1 when text can stand in a header as it is. */
static int plain_ascii(const char *text, size_t used)
{
    size_t n = 0;
    for (const char *p = text; *p; p++, n++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return 0;
    /* "=?" would be read as the start of an encoded word */
    return strstr(text, "=?") == NULL && used + n <= HEADER_MAX - 2;
}

/* How many bytes of s, at most max, end on a UTF-8 character boundary. */
static size_t whole_chars(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n ? n : (len < max ? len : max);
}

/* How many bytes an encoded word may carry after `used` columns: its
 * Base64 is a whole number of 4-character groups of 3 bytes. */
static size_t word_bytes(size_t used)
{
    size_t room = used + WORD_FRAME + 4 < WORD_LINE ? WORD_LINE - used - WORD_FRAME : 4;
    return room / 4 * 3;
}

/* Plain text folded before a space so that lines keep to 78 columns where
 * its words allow (a word longer than a line runs on); unfolding, which
 * removes the CRLF only, gives the text back. */
static void put_folded(cw_buf *out, size_t used, const char *text)
{
    const char *p = text;
    while (used + strlen(p) > FOLD_WIDTH) {
        const char *cut = NULL;
        for (const char *q = p + 1; *q && used + (size_t)(q - p) <= FOLD_WIDTH; q++)
            if (*q == ' ')
                cut = q;
        if (!cut)
            cut = strchr(p + 1, ' ');
        if (!cut)
            break;
        cw_buf_append(out, p, (size_t)(cut - p));
        cw_buf_puts(out, "\r\n");
        used = 0;
        p = cut;                /* the next line starts with the space */
    }
    cw_buf_puts(out, p);
}

void cw_mail_header_text(cw_buf *out, size_t used, const char *text)
{
    size_t len = strlen(text), off = 0;
    if (plain_ascii(text, used)) {
        put_folded(out, used, text);
        return;
    }
    while (off < len) {
        /* the first word shares its line with the header's name; the
         * others follow the folding space */
        size_t n = whole_chars(text + off, len - off, word_bytes(off ? 1 : used));
        char *b64 = cw_base64(text + off, n, NULL);
        cw_buf_printf(out, "%s=?UTF-8?B?%s?=", off ? "\r\n " : "", b64);
        free(b64);
        off += n;
    }
}

/* ------------------------------------------------------------ addresses */

/* "Name <a@x>" or "a@x", the name quoted or encoded as it needs, after
 * `used` columns of its line. */
static void put_mailbox(cw_buf *out, const cw_mailbox *mb, size_t used)
{
    if (!mb->name[0]) {
        cw_buf_puts(out, mb->addr);
        return;
    }
    if (plain_ascii(mb->name, 0) && strpbrk(mb->name, "()[]:;@.") != NULL)
        cw_buf_printf(out, "\"%s\"", mb->name);     /* mailbox.h: no '"' or '\' in a name */
    else
        cw_mail_header_text(out, used, mb->name);
    cw_buf_printf(out, " <%s>", mb->addr);
}

/* ------------------------------------------------------------ checks */

static int token_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    return n > 0 && n <= TOKEN_MAX &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == n;
}

static int part_ok(const cw_mail_part *p, int is_inline, const char **why)
{
    const char *f = p->filename;
    if (!p->content_type || strpbrk(p->content_type, " \t\r\n;\"") != NULL) {
        *why = "a part's content type must be one type/subtype";
        return 0;
    }
    if (!f || !*f) {
        *why = "a part needs a file name";
        return 0;
    }
    for (; *f; f++)
        if ((unsigned char)*f < 0x20 || (unsigned char)*f > 0x7e || *f == '"' || *f == '\\') {
            *why = "a file name must be printable ASCII without '\"' or '\\'";
            return 0;
        }
    if (is_inline && (!p->content_id || !*p->content_id ||
                      strspn(p->content_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789._@-") != strlen(p->content_id))) {
        *why = "a content id must be letters, digits and . _ @ -";
        return 0;
    }
    return 1;
}

static int parts_ok(const cw_mail_message *m, const char **why)
{
    for (size_t i = 0; i < m->n_images; i++)
        if (!part_ok(&m->images[i], 1, why))
            return 0;
    for (size_t i = 0; i < m->n_attachments; i++)
        if (!part_ok(&m->attachments[i], 0, why))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ headers */

static int put_headers(cw_buf *out, const cw_mail_message *m, const char **why)
{
    cw_mailbox from, to;
    char date[40];
    if (cw_mailbox_parse(m->from ? m->from : "", &from, why) != 0)
        return -1;
    if (m->n_to == 0) {
        *why = "no recipient";
        return -1;
    }
    cw_mail_date(m->date, date, sizeof(date));
    cw_buf_printf(out, "Date: %s\r\nFrom: ", date);
    put_mailbox(out, &from, strlen("From: "));
    cw_buf_puts(out, "\r\nTo: ");
    for (size_t i = 0; i < m->n_to; i++) {
        if (cw_mailbox_parse(m->to[i], &to, why) != 0)
            return -1;
        if (i)
            cw_buf_puts(out, ",\r\n ");
        put_mailbox(out, &to, i ? 1 : strlen("To: "));
    }
    cw_buf_puts(out, "\r\nSubject: ");
    cw_mail_header_text(out, strlen("Subject: "), m->subject ? m->subject : "");
    cw_buf_printf(out, "\r\nMessage-ID: <%s@%s>\r\n"
                       "MIME-Version: 1.0\r\n"
                       /* RFC 3834: no vacation replies to a report */
                       "Auto-Submitted: auto-generated\r\n",
                  m->token, cw_mailbox_domain(from.addr));
    return 0;
}

/* ------------------------------------------------------------ body */

/* Base64 of data, its lines CRLF-ended; an empty part still ends its
 * line, since the CRLF before a boundary belongs to the boundary. */
static void put_base64(cw_buf *out, const void *data, size_t len)
{
    size_t n;
    char *b64 = cw_base64_lines(data, len, LINE_WIDTH, &n);
    cw_buf_append(out, b64, n);
    if (n == 0)
        cw_buf_puts(out, "\r\n");
    free(b64);
}

/* A text part: its line ends made CRLF (the canonical form of text,
 * RFC 2045 6.4) before encoding. */
static void put_text_part(cw_buf *out, const char *boundary, const char *subtype, const char *text)
{
    cw_buf canon = {0};
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            cw_buf_append(&canon, "\r", 1);
        cw_buf_append(&canon, p, 1);
    }
    cw_buf_printf(out, "--%s\r\nContent-Type: text/%s; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n", boundary, subtype);
    put_base64(out, canon.data ? canon.data : "", canon.len);
    cw_buf_free(&canon);
}

static void put_part(cw_buf *out, const char *boundary, const cw_mail_part *p)
{
    /* parameters on lines of their own, and the type too when it is long:
     * the workbook's alone is 65 columns */
    size_t head = strlen("Content-Type: ") + strlen(p->content_type) + 1;
    cw_buf_printf(out, "--%s\r\nContent-Type:%s%s;\r\n name=\"%s\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n", boundary,
                  head > 78 ? "\r\n " : " ", p->content_type, p->filename);
    if (p->content_id)
        cw_buf_printf(out, "Content-ID: <%s>\r\n", p->content_id);
    cw_buf_printf(out, "Content-Disposition: %s;\r\n filename=\"%s\"\r\n",
                  p->content_id ? "inline" : "attachment", p->filename);
    cw_buf_puts(out, "\r\n");
    put_base64(out, p->data, p->len);
}

int cw_mail_build(const cw_mail_message *m, cw_buf *out, const char **why)
{
    const char *dummy;
    char mixed[96], related[96], alt[96];
    if (!why)
        why = &dummy;
    if (!token_ok(m->token)) {
        *why = "the token must be 1 to 64 letters and digits";
        return -1;
    }
    if (!parts_ok(m, why) || put_headers(out, m, why) != 0)
        return -1;
    snprintf(mixed, sizeof(mixed), "=_cw.mixed.%s", m->token);
    snprintf(related, sizeof(related), "=_cw.related.%s", m->token);
    snprintf(alt, sizeof(alt), "=_cw.alt.%s", m->token);
    cw_buf_printf(out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
                       "This is a MIME message: the weekly report is in its HTML part.\r\n\r\n"
                       "--%s\r\nContent-Type: multipart/related; type=\"multipart/alternative\";\r\n"
                       " boundary=\"%s\"\r\n\r\n"
                       "--%s\r\nContent-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                  mixed, mixed, related, related, alt);
    put_text_part(out, alt, "plain", m->text);
    put_text_part(out, alt, "html", m->html);
    cw_buf_printf(out, "--%s--\r\n", alt);
    for (size_t i = 0; i < m->n_images; i++)
        put_part(out, related, &m->images[i]);
    cw_buf_printf(out, "--%s--\r\n", related);
    for (size_t i = 0; i < m->n_attachments; i++)
        put_part(out, mixed, &m->attachments[i]);
    cw_buf_printf(out, "--%s--\r\n", mixed);
    return 0;
}
