/*
 * git.c - the git connector: commits from `git log` exports.
 *
 * Four export forms are read, told apart by the first bytes of the file
 * (formats.md decision 3 and section 4):
 *
 *   - the record-separated export catwalk documents and runs itself: each
 *     record starts with 0x1E, fields H P an ae aI cn ce cI s b are each
 *     followed by 0x1F, then optionally a blank line and numstat lines;
 *   - TSV `%H\t%P\t%an\t%ae\t%aI\t%cn\t%ce\t%cI\t%s` (no body, no numstat);
 *   - the default "medium" `git log --numstat` output (commit/Merge/Author/
 *     Date headers, indented message, numstat);
 *   - the code-maat "git2" form `--%h--%ad--%aN` (short hash, date only).
 *
 * Every form is streamed: a record at a time for the 0x1E export (getdelim
 * on the separator), a line at a time for the others, so memory follows the
 * largest commit, never the file.  A record with a bad sha, bad parents or
 * an unparseable date becomes a reject and reading goes on.  A malformed
 * numstat line is a reject of its own (field "numstat", the commit's record,
 * the line as raw text): the commit itself is sound, so it still loads, with
 * its line counts unknown (-1) since the totals would be short.  A count
 * out of range (above NUMSTAT_MAX lines in one file, or a total beyond a
 * long) is the same, with the field "additions" or "deletions".
 *
 * Ancestry.  Lead time walks the commit graph, so a commit's parents must
 * be all there or the walk is silently wrong (a deployment of a plain
 * `git log --numstat` export deployed 1 commit where `git rev-list` says
 * 199).  The rule: the 0x1E and TSV forms carry every parent in full (%P);
 * the medium form prints parents only for merges (`Merge:`, abbreviated) and
 * code-maat prints none, so their commits load with no_ancestry set, one
 * warning per file names the documented export command, and the
 * correlation step gives the repository no ancestry (no walk, no lead time,
 * a `git_no_ancestry` finding; see transform/correlate.c).
 *
 * Size counts.  In a numstat export a commit without numstat lines changed
 * nothing (git commit --allow-empty): 0 lines, 0 files.  Git prints the
 * same record with and without --numstat for such a commit, so the file is
 * first probed for any numstat line (the probe stops at the first one).
 * Merges print no numstat either; where the form says a commit is a merge
 * its counts stay unknown, code-maat cannot tell and gives 0.
 *
 * Text.  Git stores names and messages in whatever encoding the committer
 * used (i18n.commitEncoding); text that is not UTF-8 is repaired, not
 * refused (core/record.h, cw_text_utf8): refusing the commit would break
 * the ancestry of every commit after it.
 *
 * `produce` runs the documented export command on a local clone with
 * fork/execvp (no shell), writing git's stdout to the landing file.
 */
#include "source.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define RS '\x1e'            /* starts a record in the primary export */
#define US '\x1f'            /* ends each field in the primary export */
#define RAW_MAX 200          /* bytes of a record kept in a reject */
#define US_FIELDS 10         /* H P an ae aI cn ce cI s b */
#define DETECT_LINES 1000    /* leading blank and numstat lines looked past */
/* Lines of one file in a numstat line: git diffs text files up to
 * core.bigFileThreshold (512 MiB by default) and prints larger ones as
 * binary, so a real count stays far below this. */
#define NUMSTAT_MAX 2147483647L

static const char *const git_keys[] = {"repository", "repository_path", "since", NULL};

typedef enum git_format { FMT_EMPTY, FMT_US, FMT_TSV, FMT_MEDIUM, FMT_CODEMAAT, FMT_UNKNOWN } git_format;

/* One parse: the file, the sink and the running commit ordinal. */
typedef struct git_parse {
    const cw_source *src;
    const char *path;
    const char *repository;
    cw_sink *sink;
    long ordinal;
    long line;              /* current line of the line-based forms */
    int probing;            /* first pass: looking for a numstat line, nothing is emitted */
    int numstat_export;     /* the file holds numstat lines */
    int warned;             /* the no-ancestry warning was given */
    cw_text_check text;     /* names and messages that were not UTF-8 */
} git_parse;

/* What a probe returns once it found a numstat line: stops every loop. */
#define PROBE_DONE 1

/* Numstat totals of one commit; `seen` is 0 when the record had no numstat
 * section, `bad` 1 when a line of it was malformed (the totals are then unknown). */
typedef struct numstat {
    long additions, deletions, files;
    int seen, bad;
} numstat;

/* ------------------------------------------------------------------ helpers */

static int is_hex_run(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* A full object name: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
static int is_full_sha(const char *s)
{
    size_t n = strlen(s);
    return (n == 40 || n == 64) && is_hex_run(s, n);
}

/* An abbreviated object name as printed by %h or `Merge:` (git never prints fewer than 4). */
static int is_short_sha(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && n <= 64 && is_hex_run(s, n);
}

/* "" or space-separated names each accepted by ok(). */
static int is_sha_list(const char *s, int (*ok)(const char *))
{
    char tok[72];
    while (*s) {
        const char *end = strchr(s, ' ');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n == 0 || n >= sizeof(tok))
            return 0;
        memcpy(tok, s, n);
        tok[n] = '\0';
        if (!ok(tok))
            return 0;
        s += n + (end ? 1 : 0);
        if (end && !*s)
            return 0;               /* trailing space */
    }
    return 1;
}

/* The first RAW_MAX bytes of a record, cut back to a UTF-8 boundary; caller frees. */
static char *raw_excerpt(const char *text, size_t len)
{
    size_t n = len > RAW_MAX ? RAW_MAX : len;
    if (n < len)
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    return cw_strndup(text, n);
}

static void chomp_cr(char *line, size_t *len)
{
    while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
        line[--*len] = '\0';
}

static int reject(git_parse *p, long record, const char *field, const char *raw,
                  size_t raw_len, const char *reason)
{
    cw_origin o = {p->src->name, p->path, record};
    char *excerpt;
    int rc;
    if (p->probing)
        return 0;
    excerpt = raw ? raw_excerpt(raw, raw_len) : NULL;
    rc = cw_sink_reject(p->sink, &o, field, excerpt, "%s", reason);
    free(excerpt);
    return rc ? -1 : 0;
}

/* A numstat count: digits only, at most NUMSTAT_MAX.  0 and *out, -1 when
 * it is not a count, -2 when it is one out of range. */
static int numstat_count(const char *s, const char *end, long *out)
{
    long v = 0;
    if (s == end)
        return -1;
    for (; s < end; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        if (v > (NUMSTAT_MAX - (*s - '0')) / 10)
            return -2;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

/*
 * Add one numstat line `added\tdeleted\tpath` to the totals.  Binary files
 * print `-\t-\tpath`: they count as a changed file with no lines.  Returns 0;
 * -1 when the line is not a numstat line; -2 when a count or a total is out
 * of range, with *field naming it (the totals are then left alone).
 */
static int numstat_add(numstat *ns, const char *line, const char **field)
{
    const char *t1 = strchr(line, '\t'), *t2;
    long added = 0, deleted = 0;
    int rc;
    if (!t1 || !(t2 = strchr(t1 + 1, '\t')) || t2[1] == '\0')
        return -1;
    if (strncmp(line, "-\t-\t", 4) != 0) {
        *field = "additions";
        if ((rc = numstat_count(line, t1, &added)) != 0)
            return rc;
        *field = "deletions";
        if ((rc = numstat_count(t1 + 1, t2, &deleted)) != 0)
            return rc;
        *field = added > LONG_MAX - ns->additions ? "additions"
               : deleted > LONG_MAX - ns->deletions ? "deletions" : NULL;
        if (*field)
            return -2;
    }
    ns->additions += added;
    ns->deletions += deleted;
    ns->files++;
    ns->seen = 1;
    return 0;
}

/* A numstat line of commit `record`.  A malformed or out-of-range one is a
 * reject of its own and the commit's counts become unknown.  Returns 0, or
 * -1 when the sink failed. */
static int numstat_line(git_parse *p, numstat *ns, long record, const char *line, size_t len)
{
    const char *field = NULL;
    int rc = numstat_add(ns, line, &field);
    if (rc == 0)
        return 0;
    ns->bad = 1;
    if (rc == -2)
        return reject(p, record, field, line, len,
                      "numstat count out of range (at most 2147483647 lines a file); "
                      "the commit is kept without line counts");
    return reject(p, record, "numstat", line, len,
                  "malformed numstat line; the commit is kept without line counts");
}

/* Line counts of c from its numstat lines (see "Size counts" above). */
static void numstat_fill(git_parse *p, cw_commit *c, const numstat *ns, int is_merge)
{
    int known = !ns->bad && (ns->seen || (p->numstat_export && !is_merge));
    if (ns->seen)
        p->numstat_export = 1;
    c->additions = known ? ns->additions : -1;
    c->deletions = known ? ns->deletions : -1;
    c->files_changed = known ? ns->files : -1;
}

/* Names and messages may be in any encoding (i18n.commitEncoding): as
 * UTF-8, repaired where they are not (core/record.h, cw_text_utf8), so the
 * commit and the ancestry through it load on every engine. */
static int emit_utf8(git_parse *p, cw_commit *c, long record)
{
    struct { const char **text; const char *name; } f[] = {
        {&c->author_name, "author_name"}, {&c->author_email, "author_email"},
        {&c->committer_name, "committer_name"}, {&c->committer_email, "committer_email"},
        {&c->subject, "subject"}, {&c->body, "body"},
    };
    char *owned[sizeof(f) / sizeof(f[0])];
    int rc;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        *f[i].text = cw_text_utf8(&p->text, p->path, record, f[i].name, *f[i].text, &owned[i]);
    rc = p->sink->commit(p->sink->ctx, c) ? -1 : 0;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        free(owned[i]);
    return rc;
}

static int emit(git_parse *p, cw_commit *c, long record)
{
    if (p->probing)
        return p->numstat_export ? PROBE_DONE : 0;
    if (c->no_ancestry && !p->warned) {
        p->warned = 1;
        cw_warn("%s: this git log export has no full parent shas (git log's default or code-maat "
                "format): its commits load, but repository %s gives no ancestry and its deployments "
                "get no lead time; export it with: %s", p->path, p->repository ? p->repository : "",
                CW_GIT_EXPORT_COMMAND);
    }
    c->origin.source = p->src->name;
    c->origin.file = p->path;
    c->origin.record = record;
    c->repository = p->repository;
    return emit_utf8(p, c, record);
}

/* %aI / %cI: strict ISO 8601 with an offset. */
static int parse_iso(const char *s, int64_t *out)
{
    return cw_time_parse_iso8601(s, NULL, out);
}

/* -------------------------------------------- 0x1E / 0x1F primary export */

/* Cut rec at the first US_FIELDS 0x1F separators; returns how many fields were ended. */
static int us_split(char *rec, char *fields[US_FIELDS], char **rest)
{
    char *cur = rec;
    int n;
    for (n = 0; n < US_FIELDS; n++) {
        char *sep = strchr(cur, US);
        if (!sep)
            break;
        *sep = '\0';
        fields[n] = cur;
        cur = sep + 1;
    }
    *rest = cur;
    return n;
}

/* Object names, people and subject of a split record into c: the 0x1F and
 * the tab layouts agree on fields 0 to 8. */
static void commit_names(cw_commit *c, char *const *fields)
{
    c->sha = fields[0];
    c->parents = fields[1];
    c->author_name = cw_str_or_null(fields[2]);
    c->author_email = cw_str_or_null(fields[3]);
    c->committer_name = cw_str_or_null(fields[5]);
    c->committer_email = cw_str_or_null(fields[6]);
    c->subject = fields[8];
}

/* Object names and dates of a split record into c; on error name the field and why. */
static const char *us_check(char *const fields[US_FIELDS], cw_commit *c, char *why, size_t size)
{
    if (!is_full_sha(fields[0]))
        return snprintf(why, size, "not a 40/64-digit hex object name"), "sha";
    if (!is_sha_list(fields[1], is_full_sha))
        return snprintf(why, size, "parents are not space-separated object names"), "parents";
    if (parse_iso(fields[4], &c->authored_at) != 0)
        return snprintf(why, size, "unparseable author date '%.60s'", fields[4]), "authored_at";
    c->committed_at = CW_NO_TIME;
    if (*fields[7] && parse_iso(fields[7], &c->committed_at) != 0)
        return snprintf(why, size, "unparseable committer date '%.60s'", fields[7]), "committed_at";
    return NULL;
}

/* The text after the last 0x1F: tformat's newline, then a blank line and
 * numstat (none for merges).  Returns 0, or -1 when the sink failed. */
static int us_numstat(git_parse *p, long record, char *rest, numstat *ns)
{
    char *line, *save = NULL;
    for (line = strtok_r(rest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        chomp_cr(line, &l);
        if (l > 0 && numstat_line(p, ns, record, line, l) != 0)
            return -1;
    }
    return 0;
}

/* Parse one record (the text between two 0x1E), cutting it in place. */
static int us_record(git_parse *p, char *rec, size_t len)
{
    char *fields[US_FIELDS], *rest;
    char *raw = raw_excerpt(rec, len);     /* taken before the fields are cut */
    long record = ++p->ordinal;
    const char *bad = NULL;
    cw_commit c = {0};
    numstat ns = {0};
    char why[128];
    int n = us_split(rec, fields, &rest), rc;

    if (n < US_FIELDS) {
        snprintf(why, sizeof(why), "expected %d fields ended by 0x1F, found %d", US_FIELDS, n);
        rc = reject(p, record, NULL, raw, strlen(raw), why);
    } else if ((bad = us_check(fields, &c, why, sizeof(why))) != NULL) {
        rc = reject(p, record, bad, raw, strlen(raw), why);
    } else if ((rc = us_numstat(p, record, rest, &ns)) == 0) {
        size_t body_len = strlen(fields[9]);
        chomp_cr(fields[9], &body_len);    /* %b ends with the message's newline */
        commit_names(&c, fields);
        c.body = cw_str_or_null(fields[9]);
        numstat_fill(p, &c, &ns, strchr(c.parents, ' ') != NULL);
        rc = emit(p, &c, record);
    }
    free(raw);
    return rc;
}

static int parse_us(git_parse *p, FILE *f)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getdelim(&buf, &cap, RS, f)) != -1) {
        size_t len = (size_t)n;
        if (len > 0 && buf[len - 1] == RS)
            buf[--len] = '\0';
        /* The file starts with 0x1E, so the first chunk is empty; a stray
         * trailing newline after the last record is not a record either. */
        if (len == 0 || strspn(buf, "\r\n") == len)
            continue;
        rc = us_record(p, buf, len);
    }
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- TSV */

static int tsv_line(git_parse *p, char *line, size_t len, long lineno)
{
    char *fields[9], *cur = line;
    cw_commit c = {0};
    char reason[128];
    int n;
    ++p->ordinal;
    /* Eight tabs split the fields; a tab inside the subject stays in it. */
    for (n = 0; n < 8; n++) {
        char *tab = strchr(cur, '\t');
        if (!tab)
            break;
        *tab = '\0';
        fields[n] = cur;
        cur = tab + 1;
    }
    if (n < 8) {
        snprintf(reason, sizeof(reason), "expected 9 tab-separated fields, found %d", n + 1);
        return reject(p, lineno, NULL, line, len, reason);
    }
    fields[8] = cur;
    if (!is_full_sha(fields[0]))
        return reject(p, lineno, "sha", fields[0], strlen(fields[0]), "not a 40/64-digit hex object name");
    if (!is_sha_list(fields[1], is_full_sha))
        return reject(p, lineno, "parents", fields[1], strlen(fields[1]),
                      "parents are not space-separated object names");
    if (parse_iso(fields[4], &c.authored_at) != 0)
        return reject(p, lineno, "authored_at", fields[4], strlen(fields[4]), "unparseable author date");
    c.committed_at = CW_NO_TIME;
    if (*fields[7] && parse_iso(fields[7], &c.committed_at) != 0)
        return reject(p, lineno, "committed_at", fields[7], strlen(fields[7]), "unparseable committer date");
    commit_names(&c, fields);
    c.additions = c.deletions = c.files_changed = -1;
    return emit(p, &c, lineno);
}

static int parse_tsv(git_parse *p, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
        size_t len = (size_t)n;
        lineno++;
        chomp_cr(line, &len);
        if (len == 0)
            continue;
        rc = tsv_line(p, line, len, lineno);
    }
    free(line);
    return rc;
}

/* ------------------------------------- medium and code-maat (line based) */

/*
 * The commit being assembled from header, message and numstat lines.  Text
 * is copied into buffers because getline reuses its line.
 */
typedef struct pending {
    int active;
    long record;            /* commit ordinal */
    cw_buf raw;             /* first RAW_MAX bytes of the record */
    cw_buf sha, parents, name, email, date, subject, body;
    int in_message;         /* the subject line has been read */
    numstat ns;
    int bad;                /* a structural problem was found, reported at flush */
    const char *bad_field;  /* its field, NULL for the whole record */
    char bad_reason[128];
} pending;

static void pending_reset(pending *c)
{
    cw_buf *bufs[] = {&c->raw, &c->sha, &c->parents, &c->name, &c->email, &c->date,
                      &c->subject, &c->body};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        cw_buf_reset(bufs[i]);
        cw_buf_append(bufs[i], "", 0);     /* data is never NULL once reset */
    }
    c->active = 0;
    c->in_message = 0;
    memset(&c->ns, 0, sizeof(c->ns));
    c->bad = 0;
    c->bad_field = NULL;
    c->bad_reason[0] = '\0';
}

static void pending_free(pending *c)
{
    cw_buf *bufs[] = {&c->raw, &c->sha, &c->parents, &c->name, &c->email, &c->date,
                      &c->subject, &c->body};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        cw_buf_free(bufs[i]);
}

static void pending_raw(pending *c, const char *line, size_t len)
{
    if (c->raw.len >= RAW_MAX + 4)
        return;
    cw_buf_append(&c->raw, line, len);
    cw_buf_append(&c->raw, "\n", 1);
}

static void pending_bad(pending *c, const char *field, const char *reason, const char *text)
{
    if (c->bad)
        return;
    c->bad = 1;
    c->bad_field = field;
    snprintf(c->bad_reason, sizeof(c->bad_reason), "%s '%.60s'", reason, text);
}

/*
 * `Date:   Sat Aug 22 10:20:21 2026 -0400` (git's default date format).
 * --date=iso-strict output is accepted too.  The pieces are reassembled as
 * ISO 8601 so the shared parser checks every range.
 */
static int parse_default_date(const char *s, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char wday[8], mon[8], off[8], iso[48];
    int day, hh, mm, ss, year, end = -1;
    const char *m;
    /* Field widths keep every number inside an int; %n proves the whole
     * text was read, so "20266" cannot pass as 2026 and "6". */
    if (sscanf(s, "%7s %7s %2d %2d:%2d:%2d %4d %7s %n", wday, mon, &day, &hh, &mm, &ss, &year,
               off, &end) != 8 || end < 0 || s[end] != '\0')
        return parse_iso(s, out);
    m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if (!m || (m - months) % 3 != 0)
        return -1;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d%s", year, (int)((m - months) / 3) + 1,
             day, hh, mm, ss, off);
    return parse_iso(iso, out);
}

/*
 * Emit the pending commit of a medium or code-maat export.  Medium output
 * prints parents only for merges (`Merge:`, abbreviated); for other commits
 * the parent is simply not in the export, so parents is "" and the commit
 * graph of such an export is incomplete: use the 0x1E export for lead time.
 * Code-maat prints no parents at all and only the author's date, which we
 * read as 00:00 UTC.
 */
static int pending_flush(git_parse *p, pending *c, git_format fmt)
{
    cw_commit out = {0};
    int ok_sha;
    if (!c->active)
        return 0;
    ok_sha = fmt == FMT_CODEMAAT ? is_short_sha(c->sha.data) : is_full_sha(c->sha.data);
    if (!ok_sha)
        pending_bad(c, "sha", "not a hex object name", c->sha.data);
    if (!is_sha_list(c->parents.data, is_short_sha))
        pending_bad(c, "parents", "bad Merge: line", c->parents.data);
    if (!c->bad) {
        int bad = fmt == FMT_CODEMAAT ? cw_time_parse_iso8601(c->date.data, NULL, &out.authored_at)
                                      : parse_default_date(c->date.data, &out.authored_at);
        if (bad)
            pending_bad(c, "authored_at", "unparseable date", c->date.data);
    }
    if (c->bad) {
        int rc = reject(p, c->record, c->bad_field, c->raw.data, c->raw.len, c->bad_reason);
        pending_reset(c);
        return rc;
    }
    while (c->body.len > 0 && c->body.data[c->body.len - 1] == '\n')
        c->body.data[--c->body.len] = '\0';
    out.sha = c->sha.data;
    out.parents = c->parents.data;
    out.author_name = cw_str_or_null(c->name.data);
    out.author_email = cw_str_or_null(c->email.data);
    out.committed_at = CW_NO_TIME;
    out.subject = fmt == FMT_CODEMAAT ? NULL : c->subject.data;
    out.body = cw_str_or_null(c->body.data);
    out.no_ancestry = 1;
    numstat_fill(p, &out, &c->ns, c->parents.len > 0);
    {
        int rc = emit(p, &out, c->record);
        pending_reset(c);
        return rc;
    }
}

static void pending_start(git_parse *p, pending *c, const char *line, size_t len)
{
    c->active = 1;
    c->record = ++p->ordinal;
    pending_raw(c, line, len);
}

/* `Author: Name <email>` */
static void medium_author(pending *c, const char *v)
{
    const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (!lt || !gt) {
        cw_buf_puts(&c->name, v);
        return;
    }
    cw_buf_append(&c->name, v, (size_t)(lt - v));
    while (c->name.len > 0 && c->name.data[c->name.len - 1] == ' ')
        c->name.data[--c->name.len] = '\0';
    cw_buf_append(&c->email, lt + 1, (size_t)(gt - lt - 1));
}

/* A line before the first commit header (only blank and numstat lines get
 * past detect(): a file whose first header was cut off): nothing to attach
 * it to, so a reject at its line number, and the commits after it load. */
static int orphan_line(git_parse *p, const char *line, size_t len)
{
    char reason[64];
    snprintf(reason, sizeof(reason), "numstat line %ld comes before any commit header", p->line);
    return reject(p, p->line, "numstat", line, len, reason);
}

/* One line of the default medium format. */
static int medium_line(git_parse *p, pending *c, char *line, size_t len)
{
    if (strncmp(line, "commit ", 7) == 0) {
        char *sp;
        int rc = pending_flush(p, c, FMT_MEDIUM);
        if (rc)
            return rc;
        pending_start(p, c, line, len);
        sp = strchr(line + 7, ' ');      /* --decorate adds " (HEAD -> main)" */
        cw_buf_append(&c->sha, line + 7, sp ? (size_t)(sp - line - 7) : len - 7);
        return 0;
    }
    if (!c->active)
        return len > 0 ? orphan_line(p, line, len) : 0;
    pending_raw(c, line, len);
    if (strncmp(line, "    ", 4) == 0) {       /* the indented message */
        const char *text = line + 4;
        if (!c->in_message)
            cw_buf_puts(&c->subject, text);
        else if (*text || c->body.len)       /* skip the blank line after the subject */
            cw_buf_printf(&c->body, "%s\n", text);
        c->in_message = 1;
    } else if (strncmp(line, "Merge:", 6) == 0) {
        char *v = cw_trim(line + 6);
        cw_buf_puts(&c->parents, v);
    } else if (strncmp(line, "Author:", 7) == 0) {
        medium_author(c, cw_trim(line + 7));
    } else if (strncmp(line, "Date:", 5) == 0 || strncmp(line, "AuthorDate:", 11) == 0) {
        cw_buf_puts(&c->date, cw_trim(strchr(line, ':') + 1));
    } else if (len > 0 && !c->in_message && strchr(line, ':') && !strchr(line, '\t')) {
        /* other header lines (--pretty=fuller's Commit:, CommitDate:) */
    } else if (len > 0) {
        return numstat_line(p, &c->ns, c->record, line, len);
    }
    return 0;
}

/* One line of the code-maat `--%h--%ad--%aN` format. */
static int codemaat_line(git_parse *p, pending *c, char *line, size_t len)
{
    if (strncmp(line, "--", 2) == 0) {
        char *hash = line + 2, *date, *name;
        int rc = pending_flush(p, c, FMT_CODEMAAT);
        if (rc)
            return rc;
        pending_start(p, c, line, len);
        date = strstr(hash, "--");
        name = date ? strstr(date + 2, "--") : NULL;
        if (!date || !name) {
            pending_bad(c, NULL, "expected --hash--date--author", line);
            return 0;
        }
        cw_buf_append(&c->sha, hash, (size_t)(date - hash));
        cw_buf_append(&c->date, date + 2, (size_t)(name - date - 2));
        cw_buf_puts(&c->name, name + 2);
        return 0;
    }
    if (len == 0)
        return 0;
    if (!c->active)
        return orphan_line(p, line, len);
    pending_raw(c, line, len);
    return numstat_line(p, &c->ns, c->record, line, len);
}

static int parse_lines(git_parse *p, FILE *f, git_format fmt)
{
    pending c = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    pending_reset(&c);
    while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
        size_t len = (size_t)n;
        p->line++;
        chomp_cr(line, &len);
        rc = fmt == FMT_MEDIUM ? medium_line(p, &c, line, len) : codemaat_line(p, &c, line, len);
    }
    if (rc == 0)
        rc = pending_flush(p, &c, fmt);
    free(line);
    pending_free(&c);
    return rc;
}

/* ------------------------------------------------------------- detection */

/* The form a line announces, or FMT_EMPTY for a line that says nothing
 * (blank, or a numstat line with its commit header cut off). */
static git_format classify(const char *line, size_t len)
{
    numstat scratch = {0};
    const char *field;
    size_t tabs = 0;
    if (len == 0)
        return FMT_EMPTY;
    if (line[0] == RS)
        return FMT_US;
    if (strncmp(line, "commit ", 7) == 0)
        return FMT_MEDIUM;
    if (strncmp(line, "--", 2) == 0)
        return FMT_CODEMAAT;
    for (const char *t = line; (t = strchr(t, '\t')) != NULL; t++)
        tabs++;
    if (tabs >= 8)
        return FMT_TSV;         /* a bad sha is then a reject of its own line */
    if (numstat_add(&scratch, line, &field) != -1)
        return FMT_EMPTY;
    return FMT_UNKNOWN;
}

/* Read the first lines that say which form this is, then rewind to just
 * after a BOM.  A file of only blank and numstat lines is FMT_UNKNOWN. */
static git_format detect(FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long skip = 0, lines = 0;
    git_format fmt = FMT_EMPTY;
    int nonblank = 0;
    while (fmt == FMT_EMPTY && lines < DETECT_LINES && (n = getline(&line, &cap, f)) != -1) {
        char *s = line;
        size_t len = (size_t)n;
        if (lines++ == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            skip = 3;                              /* a BOM from a Windows editor */
            s += 3;
            len -= 3;
        }
        chomp_cr(s, &len);
        nonblank |= len > 0;
        fmt = classify(s, len);
    }
    free(line);
    clearerr(f);
    fseek(f, skip, SEEK_SET);
    return fmt == FMT_EMPTY && nonblank ? FMT_UNKNOWN : fmt;
}

/* One pass of the parser of fmt over f, from where detect() left it. */
static int parse_pass(git_parse *p, FILE *f, git_format fmt)
{
    p->ordinal = 0;
    p->line = 0;
    switch (fmt) {
    case FMT_US:       return parse_us(p, f);
    case FMT_TSV:      return parse_tsv(p, f);
    case FMT_MEDIUM:
    case FMT_CODEMAAT: return parse_lines(p, f, fmt);
    default:           return 0;
    }
}

/* The probe of "Size counts": run the parser without emitting until the
 * first numstat line, then rewind.  TSV never has numstat. */
static void probe_numstat(git_parse *p, FILE *f, git_format fmt)
{
    if (fmt == FMT_TSV)
        return;
    p->probing = 1;
    parse_pass(p, f, fmt);
    p->probing = 0;
    clearerr(f);
    detect(f);
}

static int git_parse_file(const cw_source *src, const char *path, cw_sink *sink)
{
    git_parse p = {src, path, cw_source_get(src, "repository"), sink, 0, 0, 0, 0, 0, {0}};
    cw_origin whole = {src->name, path, 0};
    git_format fmt;
    int rc;
    FILE *f = fopen(path, "rb");
    if (!f) {
        cw_sink_reject(sink, &whole, NULL, NULL, "cannot open: %s", strerror(errno));
        return -1;
    }
    fmt = detect(f);
    if (fmt == FMT_UNKNOWN) {
        cw_sink_reject(sink, &whole, NULL, NULL,
                       "not a git log export (expected 0x1E records, TSV, `commit <sha>` or `--hash--date--author`)");
        rc = -1;
    } else {
        probe_numstat(&p, f, fmt);
        rc = parse_pass(&p, f, fmt);
    }
    if (rc == 0 && ferror(f)) {
        cw_sink_reject(sink, &whole, NULL, NULL, "read error: %s", strerror(errno));
        rc = -1;
    }
    if (rc == 0 && cw_text_report(sink, &whole, &p.text) != 0)
        rc = -1;
    fclose(f);
    return rc;
}

/* -------------------------------------------------------------- validate */

static int git_validate(const cw_source *src)
{
    int rc = 0;
    if (cw_str_empty(cw_source_get(src, "repository"))) {
        fprintf(stderr, "%s:%d: repository: required (the repository name applications refer to)\n",
                src->config_path, cw_source_line(src, "repository"));
        rc = -1;
    }
    if (cw_str_empty(cw_source_get(src, "path")) && cw_str_empty(cw_source_get(src, "repository_path"))) {
        fprintf(stderr, "%s:%d: path: set path (a git log export) or repository_path (a local clone)\n",
                src->config_path, src->line);
        rc = -1;
    }
    return rc;
}

/* --------------------------------------------------------------- produce */

/* Child side: stdout to the landing file, then exec git.  Never returns. */
static void exec_git(int out_fd, char *const argv[])
{
    if (dup2(out_fd, STDOUT_FILENO) < 0)
        _exit(126);
    close(out_fd);
    execvp(argv[0], argv);
    fprintf(stderr, "catwalk: cannot run git: %s\n", strerror(errno));
    _exit(127);
}

static int wait_git(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static int git_produce(const cw_source *src, const char *out_path)
{
    const char *since = cw_source_get(src, "since");
    char *repo = cw_source_path(src, "repository_path");
    char *since_arg = NULL;
    char *argv[16];
    int argc = 0, fd, status = 0, rc = -1;
    pid_t pid;

    if (!repo) {
        fprintf(stderr, "%s:%d: repository_path: required to run git log\n", src->config_path, src->line);
        return -1;
    }
    argv[argc++] = "git";
    argv[argc++] = "-C";
    argv[argc++] = repo;
    argv[argc++] = "-c";
    argv[argc++] = "core.quotepath=false";
    /* a user's log.showSignature would interleave gpg output with records */
    argv[argc++] = "-c";
    argv[argc++] = "log.showSignature=false";
    argv[argc++] = "log";
    argv[argc++] = "--all";
    argv[argc++] = "--date-order";
    argv[argc++] = CW_GIT_PRETTY;
    argv[argc++] = "--numstat";
    argv[argc++] = "--no-renames";
    if (!cw_str_empty(since))
        argv[argc++] = since_arg = cw_asprintf("--since=%s", since);
    argv[argc] = NULL;

    fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        cw_error("%s: %s", out_path, strerror(errno));
        goto out;
    }
    fflush(NULL);       /* so buffered output is not written twice by the child */
    pid = fork();
    if (pid < 0) {
        cw_error("fork: %s", strerror(errno));
        close(fd);
        goto out;
    }
    if (pid == 0)
        exec_git(fd, argv);
    close(fd);
    if (wait_git(pid, &status) != 0) {
        cw_error("waiting for git: %s", strerror(errno));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        rc = 0;
    } else if (WIFEXITED(status)) {
        cw_error("%s:%d: repository_path: git log in %s failed with exit status %d",
                 src->config_path, cw_source_line(src, "repository_path"), repo, WEXITSTATUS(status));
    } else {
        cw_error("%s:%d: repository_path: git log in %s was killed by signal %d",
                 src->config_path, cw_source_line(src, "repository_path"), repo,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
out:
    free(since_arg);
    free(repo);
    return rc;
}

const cw_source_type cw_source_git = {
    .name = "git",
    .keys = git_keys,
    .validate = git_validate,
    .produce = git_produce,
    .parse = git_parse_file,
    .fetch = NULL,          /* git is read from exports or a local clone */
    .auth_kind = CW_AUTH_NONE,
};
