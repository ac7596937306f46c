/*
 * mail.c - `catwalk mail weekly -c FILE [--dry-run] [--out DIR]
 *          [--from DATE --to DATE | --as-of DATE]`: send the weekly report.
 *
 * One run gathers the report once (as `catwalk report` does), renders the
 * workbook and the full HTML page into the reports folder, then writes one
 * message per recipient list of [mail]:
 *
 *   to = ...              the organisation's report
 *   team.TEAM = ...       TEAM's slice (r.exec.team_slice): the executive
 *                         layer is gathered again for that team
 *
 * Each message is the email-safe body (reports/email.c) with its charts as
 * inline PNG parts (reports/chart_png.c) and the workbook and page attached,
 * read back from the files just written, so what is attached is what is on
 * disk.  Every message is kept as DIR/catwalk-weekly-DATE[-TEAM].eml, and
 * those bytes are the bytes sent: --dry-run stops after writing them.  A
 * failed send leaves every file in place and exits 1 with the server's reply.
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/mailbox.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/credentials.h"
#include "../extract/source.h"
#include "../reports/mail.h"
#include "../reports/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 120
#define BODY_WARN_BYTES (100 * 1024)
#define DEFAULT_SUBJECT "Catwalk weekly report, week of {week}"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

typedef struct mail_options {
    cw_common_options common;
    int dry_run;
    const char *out_dir;        /* NULL = the config's reports folder */
    const char *from, *to, *as_of;
} mail_options;

static const cw_command_help mail_help = {
    "mail",
    "weekly -c FILE [--dry-run] [--out DIR]\n"
    "                           [--from DATE --to DATE | --as-of DATE]",
    "Render the weekly report (as `catwalk report weekly`) and send it by email\n"
    "through the [mail] SMTP server: one message to `to` with the organisation's\n"
    "report, and one to each `team.TEAM` list with that team's slice.  The body\n"
    "is email-safe HTML with a plain-text alternative and the charts as inline\n"
    "PNG images; the workbook and the full HTML report are attached.  Every\n"
    "message is also written as DIR/catwalk-weekly-<to-date>[-<team>].eml, and\n"
    "those are the bytes sent; their paths are printed.",
    "--as-of DATE re-sends the report as it was on DATE: the 12 weeks before\n"
    "DATE's week, with DATE as the reference instant (forecasts, ages).\n"
    "Dates are YYYY-MM-DD (or an ISO-8601 instant), rounded down to their Monday.\n\n"
    "exit status: 0 every message sent (or written, with --dry-run); 1 the report\n"
    "could not be built or a message was not accepted: the SMTP reply is printed\n"
    "and the rendered files and .eml files are kept; 2 usage or configuration\n"
    "error (no [mail] section, a missing password).",
};

/* One message: a recipient list and the team whose slice it gets. */
typedef struct mail_list {
    const char *team;           /* NULL: the organisation */
    const char *to;             /* the configured list */
    char *slug;                 /* the team in the .eml's name, unique; NULL: none */
} mail_list;

/* ------------------------------------------------------------ options */

/* -1 to go on, else the exit status. */
static int parse_mail(int argc, char **argv, mail_options *o, int64_t *from, int64_t *to)
{
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_FLAG('n', "dry-run", &o->dry_run, "write the .eml files, send nothing"),
        CW_OPT_STRING('o', "out", "DIR", &o->out_dir,
                      "output folder (default: the config's reports folder)"),
        CW_OPT_STRING(0, "from", "DATE", &o->from, "first week (default: 12 weeks before --to)"),
        CW_OPT_STRING(0, "to", "DATE", &o->to,
                      "end of the window, exclusive (default: this week's Monday)"),
        CW_OPT_STRING(0, "as-of", "DATE", &o->as_of, "the report as it was on DATE"),
        CW_OPT_END()};
    int64_t now;
    int n = cw_options_parse(&mail_help, options, argc, argv);
    if (n < 0)
        return cw_options_exit(n);
    if (n != 1 || strcmp(argv[1], "weekly") != 0)
        return cw_usage_error(&mail_help, n ? argv[1] : "weekly",
                              n ? "expected the report name 'weekly'"
                                : "the report name is required",
                              NULL);
    if (cw_options_common(&mail_help, &o->common, 1) != 0)
        return CW_EXIT_USAGE;
    if (o->as_of && (o->from || o->to))
        return cw_usage_error(&mail_help, "--as-of", "give --as-of or --from/--to, not both",
                              NULL);
    /* every "now" of the run (cw_now) is then the as-of instant */
    if (o->as_of && cw_options_as_of(&mail_help, o->as_of, &now) != 0)
        return CW_EXIT_USAGE;
    if (cw_options_window(&mail_help, o->from, o->to, CW_PERIOD_WEEK, 12, cw_now(), from, to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

/* ------------------------------------------------------------ one message */

/* "billing-payments": the team in a file name. */
static char *team_slug(const char *team)
{
    char *s = cw_xmalloc(strlen(team) + 1);
    size_t n = 0;
    for (const char *p = team; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            s[n++] = c;
        else if (n && s[n - 1] != '-')
            s[n++] = '-';
    }
    while (n && s[n - 1] == '-')
        n--;
    s[n] = '\0';
    if (n == 0) {
        free(s);
        s = cw_strdup("team");
    }
    return s;
}

static int slug_taken(const mail_list *lists, size_t n, const char *slug)
{
    for (size_t i = 0; i < n; i++)
        if (lists[i].slug && strcmp(lists[i].slug, slug) == 0)
            return 1;
    return 0;
}

/* `to` first, then every team.TEAM, in the order of the file; two teams
 * whose names make one slug ("R&D", "R+D") get "-2", "-3", ... */
static size_t mail_lists(const cw_source *m, mail_list *lists)
{
    size_t n = 0;
    const char *to = cw_source_get(m, "to");
    if (to)
        lists[n++] = (mail_list){NULL, to, NULL};
    for (size_t i = 0; i < m->n_keys; i++) {
        if (strncmp(m->keys[i].key, "team.", 5) != 0)
            continue;
        const char *team = m->keys[i].key + 5;
        char *base = team_slug(team), *slug = cw_strdup(base);
        for (int k = 2; slug_taken(lists, n, slug); k++) {
            free(slug);
            slug = cw_asprintf("%s-%d", base, k);
        }
        free(base);
        lists[n++] = (mail_list){team, m->keys[i].value, slug};
    }
    return n;
}

static char *subject_of(const cw_source *m, const cw_report *r, const char *team)
{
    const char *pattern = cw_source_get(m, "subject"), *at;
    char week[11];
    cw_buf b = {0};
    cw_report_week_of(r, week);
    for (const char *p = pattern ? pattern : DEFAULT_SUBJECT; *p; p = at + 6) {
        at = strstr(p, "{week}");
        if (!at) {
            cw_buf_puts(&b, p);
            break;
        }
        cw_buf_append(&b, p, (size_t)(at - p));
        cw_buf_puts(&b, week);
    }
    if (team)
        cw_buf_printf(&b, " - %s", team);
    return b.data ? b.data : cw_strdup("");
}

/* The addresses of a list (mailboxes with their names) and their bare forms. */
typedef struct recipients {
    cw_strlist boxes;
    char **addrs;
} recipients;

static void recipients_load(const char *list, recipients *rc)
{
    cw_strlist_split(list, &rc->boxes);
    rc->addrs = cw_xcalloc(rc->boxes.n + 1, sizeof(char *));
    for (size_t i = 0; i < rc->boxes.n; i++) {
        cw_mailbox mb;
        cw_mailbox_parse(rc->boxes.items[i], &mb, NULL);    /* checked by the config */
        rc->addrs[i] = cw_strdup(mb.addr);
    }
}

static void recipients_free(recipients *rc)
{
    for (size_t i = 0; i < rc->boxes.n; i++)
        free(rc->addrs[i]);
    free(rc->addrs);
    cw_strlist_free(&rc->boxes);
}

typedef struct attachments {
    char *xlsx_path, *html_path;
    char *xlsx, *html;          /* the files' bytes */
    size_t xlsx_len, html_len;
} attachments;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int write_fill(void *ctx, const char *tmp)
{
    const cw_buf *b = ctx;
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(b->data, 1, b->len, f) == b->len;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Build the message of one list from the model as it is now; 0 or -1. */
static int build_message(const cw_config *cfg, const cw_report *r, const mail_list *list,
                         const attachments *att, const recipients *rcpt, cw_buf *msg)
{
    cw_report_image *images = NULL;
    size_t n_images = 0;
    char *html = NULL, *text = NULL, *subject = NULL, token[40], **names = NULL;
    cw_mail_part *parts = NULL;
    const char *why = NULL;
    int rc = -1;
    if (cw_report_images(r, &images, &n_images) != 0 ||
        cw_report_email_body(r, images, n_images, &html, &text) != 0)
        goto done;
    /* Gmail shows "[Message clipped]" past about 102 KB of HTML */
    if (strlen(html) > BODY_WARN_BYTES)
        cw_warn("mail: the body to %s is %zu KB of HTML: Gmail clips it above about 100 KB",
                list->to, strlen(html) / 1024);
    if (cw_mail_token(token, sizeof(token)) != 0) {
        cw_error("mail: getrandom failed");
        goto done;
    }
    parts = cw_xcalloc(n_images + 1, sizeof(*parts));
    names = cw_xcalloc(n_images + 1, sizeof(*names));
    for (size_t i = 0; i < n_images; i++) {
        names[i] = cw_asprintf("%s.png", images[i].id);
        parts[i] = (cw_mail_part){"image/png", images[i].id, names[i], images[i].png,
                                  images[i].len};
    }
    subject = subject_of(cfg->mail, r, list->team);
    cw_mail_part files[2] = {
        {XLSX_TYPE, NULL, base_name(att->xlsx_path), att->xlsx, att->xlsx_len},
        {"text/html", NULL, base_name(att->html_path), att->html, att->html_len},
    };
    cw_mail_message m = {cw_source_get(cfg->mail, "from"),
                         (const char *const *)rcpt->boxes.items, rcpt->boxes.n, subject,
                         cw_now(), token, text, html, parts, n_images, files, 2};
    rc = cw_mail_build(&m, msg, &why);
    if (rc != 0)
        cw_error("mail: the message to %s cannot be built: %s", list->to, why);
done:
    for (size_t i = 0; names && i < n_images; i++)
        free(names[i]);
    free(names);
    free(parts);
    free(subject);
    free(html);
    free(text);
    cw_report_images_free(images, n_images);
    return rc;
}

/* The .eml of a list: DIR/catwalk-weekly-DATE[-TEAM].eml; caller frees. */
static char *eml_path(const char *out_dir, const cw_report *r, const mail_list *list)
{
    char *stem = cw_report_path(out_dir, r, "eml"), *path;
    if (!list->slug)
        return stem;
    stem[strlen(stem) - 4] = '\0';
    path = cw_asprintf("%s-%s.eml", stem, list->slug);
    free(stem);
    return path;
}

static int send_message(const cw_config *cfg, const cw_mail_server *server, const char *path,
                        const recipients *rcpt, const cw_buf *msg)
{
    cw_mailbox from;
    cw_mail_result res;
    cw_mailbox_parse(cw_source_get(cfg->mail, "from"), &from, NULL);
    if (cw_mail_send(server, from.addr, (const char *const *)rcpt->addrs, rcpt->boxes.n,
                     msg->data, msg->len, &res) == 0) {
        cw_info("mail: sent %s to %zu recipient%s", path, rcpt->boxes.n,
                rcpt->boxes.n == 1 ? "" : "s");
        return 0;
    }
    /* the server's words only when it refused: after a TLS or connection
     * failure its last line is a greeting */
    int refused = res.reply[0] == '4' || res.reply[0] == '5';
    cw_error("mail: %s was not sent to %s: %s%s%s; the message and the report files are kept",
             path, server->url, res.error, refused ? "; the server replied: " : "",
             refused ? res.reply : "");
    return -1;
}

/* One list: the team's slice gathered when it has a team, its message
 * written, then sent.  0, or -1 (said). */
static int mail_one(cw_db *db, const cw_config *cfg, cw_report *r, const mail_list *list,
                    const attachments *att, const cw_mail_server *server, const char *out_dir,
                    const mail_options *o)
{
    recipients rcpt = {{0}, NULL};
    cw_buf msg = {0};
    char *path = NULL;
    int rc;
    /* cw_report_exec_free clears the whole layer, the slice with it */
    cw_report_exec_free(r);
    r->exec.team_slice = list->team;
    rc = cw_report_gather_exec(db, cfg, r);
    recipients_load(list->to, &rcpt);
    if (rc == 0)
        rc = build_message(cfg, r, list, att, &rcpt, &msg);
    if (rc == 0) {
        path = eml_path(out_dir, r, list);
        rc = cw_write_atomic(path, write_fill, &msg);
        if (rc != 0)
            cw_error("mail: cannot write %s: %s", path, strerror(errno));
        else if (cw_log_get_level() >= CW_LOG_INFO)     /* -q: a quiet success prints nothing */
            printf("%s\n", path);
    }
    if (rc == 0 && !o->dry_run)
        rc = send_message(cfg, server, path, &rcpt, &msg);
    free(path);
    cw_buf_free(&msg);
    recipients_free(&rcpt);
    return rc;
}

/* ------------------------------------------------------------ the run */

static int read_attachments(const char *out_dir, const cw_report *r, attachments *att)
{
    att->xlsx_path = cw_report_path(out_dir, r, "xlsx");
    att->html_path = cw_report_path(out_dir, r, "html");
    att->xlsx = cw_read_file(att->xlsx_path, &att->xlsx_len);
    att->html = att->xlsx ? cw_read_file(att->html_path, &att->html_len) : NULL;
    if (att->html)
        return 0;
    cw_error("mail: cannot read back %s: %s", att->xlsx ? att->html_path : att->xlsx_path,
             strerror(errno));
    return -1;
}

static void attachments_free(attachments *att)
{
    free(att->xlsx_path);
    free(att->html_path);
    free(att->xlsx);
    free(att->html);
}

/* The report gathered and rendered once, then every list's message. */
static int mail_all(const cw_config *cfg, const mail_options *o, const cw_mail_server *server,
                    int64_t from, int64_t to)
{
    const char *out_dir = o->out_dir ? o->out_dir : cfg->reports;
    mail_list *lists = cw_xcalloc(cfg->mail->n_keys + 1, sizeof(*lists));
    size_t n_lists = mail_lists(cfg->mail, lists), failed = 0;
    attachments att = {0};
    cw_db *db = NULL;
    cw_report r;
    int rc;
    cw_report_init(&r, from, to);       /* freed below whatever fails */
    if (cw_metrics_open_reader(cfg, &db) != 0)
        rc = -1;
    else
        rc = cw_report_gather_templates(db, cfg, from, to, &r);
    if (rc == 0)
        rc = cw_report_gather_exec(db, cfg, &r);
    if (rc == 0)
        rc = cw_report_render(&r, out_dir, CW_REPORT_ALL);
    if (rc == 0)
        rc = read_attachments(out_dir, &r, &att);
    for (size_t i = 0; rc == 0 && i < n_lists; i++)
        failed += mail_one(db, cfg, &r, &lists[i], &att, server, out_dir, o) != 0;
    attachments_free(&att);
    cw_report_free(&r);
    cw_db_close(db);
    for (size_t i = 0; i < n_lists; i++)
        free(lists[i].slug);
    free(lists);
    return rc == 0 && failed == 0 ? CW_EXIT_OK : CW_EXIT_FAILURE;
}

int cmd_mail(int argc, char **argv)
{
    mail_options o = {0};
    cw_config *cfg = NULL;
    cw_mail_server server = {0};
    char *password = NULL, *ca_file = NULL;
    const char *timeout;
    int64_t from, to;
    int status = parse_mail(argc, argv, &o, &from, &to);
    if (status >= 0)
        return status;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    if (!cfg->mail) {
        cw_error("%s: no [mail] section: nothing says where to send the report", cfg->path);
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    /* a dry run needs no secret: it can be tried where the password is not */
    if (!o.dry_run && cw_secret_load(cfg->mail, "password_env", "password_file", &password) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    ca_file = cw_source_path(cfg->mail, "ca_file");
    timeout = cw_source_get(cfg->mail, "timeout");
    server = (cw_mail_server){cw_source_get(cfg->mail, "url"),
                              cw_source_get(cfg->mail, "username"), password, ca_file,
                              timeout ? atol(timeout) : DEFAULT_TIMEOUT_S};
    status = mail_all(cfg, &o, &server, from, to);
    cw_secret_free(password);
    free(ca_file);
    cw_config_free(cfg);
    return status;
}
