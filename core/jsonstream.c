/*
 * jsonstream.c - the one JSON reader: yajl's events built into jansson
 * values (see jsonstream.h; json.h's cw_json_load_text and
 * cw_json_load_file are here too).
 *
 * Why yajl.  jansson only loads a whole document, so memory followed the
 * largest file (8x its size: a 29 MB Jenkins job cost 239 MB).  Debian's
 * libyajl is a maintained event parser that reads any number of chunks
 * and calls back for each token, so this file reads 64 KiB at a time and
 * builds only what is wanted.  The values are still jansson's: every
 * connector reads records as json_t as before (core/json.h's paths), so
 * not one record rule changed.
 *
 * Why two passes.  A document that is not JSON has always been one reject
 * of the file that loads nothing (a page cut off mid-way, a private file
 * dropped among exports): loading it whole found the error before the
 * first record.  A streaming reader would have handed over every record
 * before the error, so the records of a broken page would load beside its
 * reject.  Holding them back until the end would hold the file again.  So
 * cw_json_doc_open reads the whole file once first and builds nothing but
 * the small skeleton; only when the document is judged JSON does
 * cw_json_doc_each read it again, building one element at a time.  The
 * first pass also gives every top-level scalar before the first record
 * (Jenkins' `fullName` may stand after `allBuilds`).  The second pass
 * costs a second read of the file, which the page cache holds; yajl's
 * lexing is cheap beside building values, and the second pass stops at
 * the end of its array.
 *
 * One acceptance for every document (a landed file, a live page, a
 * DevLake cell), the rules jansson applied, so that no file reads
 * differently now:
 *   - a UTF-8 byte order mark before the text is skipped;
 *   - any value may be the root; nothing but white space may follow it
 *     (yajl lets an unfinished string through there), and white space is
 *     JSON's four characters (yajl also skips vertical tab and form feed);
 *   - strings and member names must be well-formed UTF-8 (core/utf8.h:
 *     yajl's own check lets overlong forms and surrogates through), an
 *     escaped surrogate must be a high one followed by a low one (yajl
 *     would turn a lone one into '?' or a wrong character; escapes_scan
 *     finds them in the raw text), and \u0000 is allowed in a string but
 *     not in a member name;
 *   - at most 2048 nested arrays and objects (jansson's limit);
 *   - duplicate member names: the last wins;
 *   - numbers: core/json.h's cw_json_number, so an integer beyond int64 or
 *     a real beyond double reads as "out of range" at its own place, and
 *     the record that holds it is rejected naming its field.
 * A document that breaks one is refused with the line and column where
 * reading stopped (columns count characters, as jansson's did) and why,
 * never with its bytes: a file that is not JSON may be anything.
 * tests/fuzz/fuzz_json.c holds the reader to jansson's loader on any input;
 * the one difference found is wanted: jansson's lexer dropped a NUL byte
 * after some tokens ("1\0,"), which the reader refuses as any other byte
 * that is not JSON.
 */
#include "jsonstream.h"
#include "json.h"
#include "utf8.h"
#include "util.h"

#include <yajl_parse.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)
#define MAX_DEPTH 2048          /* jansson's JSON_PARSER_MAX_DEPTH */

static const char bom[] = "\xEF\xBB\xBF";

/* ------------------------------------------------------------ escapes */

/*
 * Escaped surrogates, judged on the raw text as it is fed (yajl decodes
 * escapes before the callbacks see them).  Outside a string a backslash is
 * a syntax error yajl reports first, so any backslash starts an escape and
 * no string tracking is needed.  The state survives chunk boundaries.
 */
typedef enum esc_state {
    ESC_NONE,           /* looking for a backslash */
    ESC_BACKSLASH,      /* after '\' */
    ESC_HEX,            /* in \uXXXX */
    ESC_WANT_BACKSLASH, /* after a high surrogate: '\' must follow */
    ESC_WANT_U,         /* ... then 'u' */
    ESC_LOW_HEX,        /* in the \uXXXX after a high surrogate */
} esc_state;

typedef struct escapes {
    esc_state state;
    int digits;
    unsigned code, high;
    int bad;                    /* 1: a lone surrogate; 2: a high one with no low after it */
} escapes;

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One hex digit of a \u escape: 1 when the fourth is in, 0 for more, -1
 * when c is not hex (a syntax error yajl will name). */
static int esc_digit(escapes *e, unsigned char c)
{
    int v = hex_value(c);
    if (v < 0)
        return -1;
    e->code = e->code << 4 | (unsigned)v;
    return ++e->digits == 4;
}

/* Scan p[0..n): n, or the length up to and including the byte that made
 * an escape bad (e->bad set). */
static size_t escapes_scan(escapes *e, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c;
        int d;
        if (e->state == ESC_NONE) {
            const unsigned char *b = memchr(p + i, '\\', n - i);
            if (!b)
                return n;
            i = (size_t)(b - p) + 1;
            e->state = ESC_BACKSLASH;
            continue;
        }
        c = p[i++];
        switch (e->state) {
        case ESC_BACKSLASH:
            e->state = c == 'u' ? ESC_HEX : ESC_NONE;
            e->digits = 0;
            e->code = 0;
            break;
        case ESC_HEX:
            if ((d = esc_digit(e, c)) < 0)
                e->state = ESC_NONE;
            else if (d && (e->code & 0xFC00) == 0xD800)
                e->high = e->code, e->state = ESC_WANT_BACKSLASH;
            else if (d && (e->code & 0xFC00) == 0xDC00)
                e->bad = 1;
            else if (d)
                e->state = ESC_NONE;
            break;
        case ESC_WANT_BACKSLASH:
            if (c == '\\')
                e->state = ESC_WANT_U;
            else
                e->bad = 1, e->code = e->high;
            break;
        case ESC_WANT_U:
            if (c == 'u')
                e->state = ESC_LOW_HEX, e->digits = 0, e->code = 0;
            else
                e->bad = 1, e->code = e->high;
            break;
        case ESC_LOW_HEX:
            if ((d = esc_digit(e, c)) < 0)
                e->state = ESC_NONE;
            else if (d && (e->code & 0xFC00) != 0xDC00)
                e->bad = 2;
            else if (d)
                e->state = ESC_NONE;
            break;
        default:
            break;
        }
        if (e->bad)
            return i;
    }
    return n;
}

/* ------------------------------------------------------------- reader */

typedef enum read_mode {
    READ_WHOLE,         /* build the whole document */
    READ_SKELETON,      /* judge it all, build all but the streamed arrays */
    READ_STREAM,        /* build each element of one streamed array in turn */
} read_mode;

/* Why the parse was cancelled from a callback. */
typedef enum read_stop {
    STOP_NONE,
    STOP_ERROR,                 /* the document breaks a rule: why says which */
    STOP_FN,                    /* the element callback asked to stop */
    STOP_DONE,                  /* the streamed array is over */
    STOP_READ,                  /* the file could not be read: err says so */
} read_stop;

/* Where a value that starts now goes. */
typedef enum place { SKIP, ATTACH, PLACEHOLDER, ROOT, ROOT_PLACEHOLDER, ELEMENT } place;

/* A container being built; value is borrowed (its parent, the root or the
 * element holds it). */
typedef struct frame {
    json_t *value;
    int depth;                  /* 1 = the root container */
} frame;

typedef struct reader {
    read_mode mode;
    int depth;                  /* containers open */
    frame *frames;
    size_t n_frames, cap_frames;
    cw_buf key;                 /* the member name of the next value of a built object */
    json_t *root;               /* WHOLE, SKELETON */
    /* top-level members: SKELETON counts them, STREAM finds its target */
    const char *const *streamed;
    size_t *seen;               /* occurrences of each streamed key so far */
    int member;                 /* the streamed key of the current top-level member, or -1 */
    /* STREAM */
    int target;                 /* the key streamed (index in streamed), or -1: the root array */
    size_t occurrence;          /* which occurrence of it is the document's: the last */
    int target_depth;           /* depth of the target's elements while it is open, else 0 */
    json_t *element;
    size_t index;
    cw_json_element_fn fn;
    void *ctx;
    /* how it ended */
    read_stop stop;
    const char *why;            /* our own reason, with STOP_ERROR */
    char why_buf[64];           /* a reason that names a character or an escape */
    int at_end;                 /* the error is that the text ended */
    size_t fed;                 /* bytes given to yajl before the current call */
    size_t root_end;            /* offset after the root value once it is complete, else 0 */
    escapes esc;
    yajl_handle yajl;
} reader;

static int fail(reader *r, const char *why)
{
    r->stop = STOP_ERROR;
    r->why = why;
    return 0;
}

static int built_parent(const reader *r)
{
    return r->n_frames && r->frames[r->n_frames - 1].depth == r->depth;
}

static place placement(const reader *r, int is_array)
{
    if (built_parent(r))
        return r->mode == READ_SKELETON && r->depth == 1 && r->member >= 0 && is_array
                   ? PLACEHOLDER : ATTACH;
    if (r->depth == 0 && r->mode != READ_STREAM)
        return r->mode == READ_SKELETON && is_array ? ROOT_PLACEHOLDER : ROOT;
    if (r->mode == READ_STREAM && r->target_depth > 0 && r->target_depth == r->depth)
        return ELEMENT;
    return SKIP;
}

/* Hand a finished element over and drop it. */
static int deliver(reader *r)
{
    json_t *el = r->element;
    int rc;
    r->element = NULL;
    rc = r->fn(r->ctx, el, r->index++);
    json_decref(el);
    if (rc) {
        r->stop = STOP_FN;
        return 0;
    }
    return 1;
}

/* Put a new value (a new reference) where p says. */
static int add(reader *r, json_t *v, place p)
{
    json_t *parent;
    if (!v)
        return fail(r, "out of memory");
    switch (p) {
    case ATTACH:
    case PLACEHOLDER:
        parent = r->frames[r->n_frames - 1].value;
        if ((json_is_array(parent) ? json_array_append_new(parent, v)
                                   : json_object_setn_new_nocheck(parent, r->key.data, r->key.len,
                                                                  v)) != 0)
            return fail(r, "out of memory");
        return 1;
    case ROOT:
    case ROOT_PLACEHOLDER:
        r->root = v;
        return 1;
    case ELEMENT:
        r->element = v;
        return 1;
    default:
        json_decref(v);
        return 1;
    }
}

/* A value ends: when it is the root, note where (see trailing). */
static void value_end(reader *r)
{
    if (r->depth == 0)
        r->root_end = r->fed + yajl_get_bytes_consumed(r->yajl);
}

/* A scalar: built where wanted, handed over when it is an element. */
static int scalar(reader *r, json_t *v, place p)
{
    if (!add(r, v, p))
        return 0;
    return p == ELEMENT ? deliver(r) : 1;
}

static int on_null(void *ctx)
{
    reader *r = ctx;
    place p = placement(r, 0);
    value_end(r);
    return p == SKIP ? 1 : scalar(r, json_null(), p);
}

static int on_boolean(void *ctx, int value)
{
    reader *r = ctx;
    place p = placement(r, 0);
    value_end(r);
    return p == SKIP ? 1 : scalar(r, json_boolean(value), p);
}

static int on_number(void *ctx, const char *text, size_t len)
{
    reader *r = ctx;
    place p = placement(r, 0);
    value_end(r);
    return p == SKIP ? 1 : scalar(r, cw_json_number(text, len), p);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    reader *r = ctx;
    place p = placement(r, 0);
    if (!cw_utf8_valid((const char *)s, len))
        return fail(r, "invalid UTF-8 in a string");
    value_end(r);
    return p == SKIP ? 1 : scalar(r, json_stringn_nocheck((const char *)s, len), p);
}

/* The index of the streamed key s[0..len), or -1. */
static int streamed_index(const reader *r, const unsigned char *s, size_t len)
{
    for (int i = 0; r->streamed && r->streamed[i]; i++)
        if (strlen(r->streamed[i]) == len && memcmp(r->streamed[i], s, len) == 0)
            return i;
    return -1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    reader *r = ctx;
    if (memchr(s, '\0', len))
        return fail(r, "NUL byte in a member name");
    if (!cw_utf8_valid((const char *)s, len))
        return fail(r, "invalid UTF-8 in a member name");
    if (r->depth == 1 && (r->member = streamed_index(r, s, len)) >= 0)
        r->seen[r->member]++;
    if (built_parent(r)) {
        cw_buf_reset(&r->key);
        cw_buf_append(&r->key, (const char *)s, len);
    }
    return 1;
}

/* A container opens: built (a frame) when wanted, and the stream's target
 * noticed. */
static int open_container(reader *r, int is_array)
{
    place p = placement(r, is_array);
    if (r->depth >= MAX_DEPTH)
        return fail(r, "maximum parsing depth reached");
    if (r->mode == READ_STREAM && is_array && r->target_depth == 0 &&
        ((r->target < 0 && r->depth == 0) ||
         (r->target >= 0 && r->depth == 1 && r->member == r->target &&
          r->seen[r->target] == r->occurrence)))
        r->target_depth = r->depth + 1;
    if (p != SKIP) {
        json_t *v = is_array ? json_array() : json_object();
        if (!add(r, v, p))
            return 0;
        if (p != PLACEHOLDER && p != ROOT_PLACEHOLDER) {
            r->frames = cw_grow(r->frames, &r->cap_frames, r->n_frames + 1, sizeof(*r->frames));
            r->frames[r->n_frames++] = (frame){v, r->depth + 1};
        }
    }
    r->depth++;
    return 1;
}

static int close_container(reader *r)
{
    if (r->n_frames && r->frames[r->n_frames - 1].depth == r->depth) {
        r->n_frames--;
        if (r->n_frames == 0 && r->element && !deliver(r))
            return 0;
    }
    r->depth--;
    value_end(r);
    if (r->target_depth && r->depth == r->target_depth - 1) {
        /* the streamed array is over: the rest was judged by the first pass */
        r->stop = STOP_DONE;
        return 0;
    }
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, 0);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, 1);
}

static int on_end(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    on_null, on_boolean, NULL, NULL, on_number, on_string,
    on_start_map, on_key, on_end, on_start_array, on_end,
};

/* ------------------------------------------------------------ sources */

/* The text to read: a file (read in chunks) or a buffer. */
typedef struct source {
    const char *path;
    const unsigned char *text;
    size_t len;
} source;

/* A position in the text after the BOM: columns count characters (bytes
 * that start a UTF-8 sequence), as jansson's did. */
typedef struct where {
    long line, column;
} where;

static void advance(where *w, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            w->line++, w->column = 0;
        else if (p[i] < 0x80 || (p[i] >= 0xC2 && p[i] <= 0xF4))
            w->column++;
    }
}

/* The line and column of the byte where reading stopped: the last of the
 * `at` bytes read (counted as one column, even a newline or a byte that
 * continues a character), or, when the text ended too soon (at_end), the
 * place after its last byte.  Only an error needs it, so a file is read
 * again up to there. */
static where locate(const source *in, size_t skip, size_t at, int at_end)
{
    where w = {1, 0};
    int last = !at_end && at > 0;
    at -= last;
    if (!in->path) {
        advance(&w, in->text + skip, at);
    } else {
        FILE *f = fopen(in->path, "rb");
        unsigned char *buf = cw_xmalloc(CHUNK);     /* not the stack: parsers run on threads */
        size_t n;
        if (f && fseek(f, (long)skip, SEEK_SET) == 0)
            while (at > 0 && (n = fread(buf, 1, at < CHUNK ? at : CHUNK, f)) > 0) {
                advance(&w, buf, n);
                at -= n;
            }
        if (f)
            fclose(f);
        free(buf);
    }
    w.column += last;
    return w;
}

static void escape_reason(const escapes *e, char *buf, size_t size)
{
    if (e->bad == 2)
        snprintf(buf, size, "invalid Unicode escape '\\u%04X\\u%04X'", e->high, e->code);
    else
        snprintf(buf, size, "invalid Unicode escape '\\u%04X'", e->code);
}

/* Explain a failed read in err: "line L, column C: why". */
static void explain(reader *r, const source *in, size_t skip, size_t at, char *err,
                    size_t errlen)
{
    char why[160];
    unsigned char *msg = NULL;
    where w;
    if (!err || errlen == 0)
        return;
    if (r->stop == STOP_ERROR) {
        snprintf(why, sizeof(why), "%s", r->why);
    } else {
        /* not verbose: the verbose message quotes the text */
        msg = yajl_get_error(r->yajl, 0, NULL, 0);
        snprintf(why, sizeof(why), "%s", msg ? (const char *)msg : "syntax error");
        why[strcspn(why, "\n")] = '\0';
        if (msg)
            yajl_free_error(r->yajl, msg);
        /* yajl stops after the token it refused, except for two errors
         * where it steps back before it: a token after a member value
         * ("try to restore error offset" in its parser) and a '/' (comments
         * are off).  Name that token's first byte there too. */
        if ((strstr(why, "after key and value") || strstr(why, "comment")) && !r->at_end)
            at++;
    }
    w = locate(in, skip, at, r->at_end);
    snprintf(err, errlen, "line %ld, column %ld: %s", w.line, w.column, why);
}

/* The offset of the first vertical tab or form feed in p[0..n), or n.
 * yajl skips them as white space, JSON does not allow them there, and
 * inside a string they are control characters: either way the document is
 * refused, as jansson did. */
static size_t first_control(const unsigned char *p, size_t n)
{
    const unsigned char *vt = memchr(p, '\v', n), *ff = memchr(p, '\f', n);
    if (vt && (!ff || vt < ff))
        return (size_t)(vt - p);
    return ff ? (size_t)(ff - p) : n;
}

/* The offset of the first byte of p[from..n) that is not JSON white
 * space, or n. */
static size_t first_non_space(const unsigned char *p, size_t from, size_t n)
{
    while (from < n && (p[from] == ' ' || p[from] == '\n' || p[from] == '\r' || p[from] == '\t'))
        from++;
    return from;
}

/* Feed p[0..n) to yajl, cut short after a byte the raw text is refused
 * for (a bad escape, a control character: yajl sees them first, and an
 * error it finds before is the one reported), or after text that follows
 * the root value: yajl misses an unfinished string there ("null\"").
 * r->fed counts the bytes fed so far; on failure *at is how many had been
 * read. */
static yajl_status feed(reader *r, const unsigned char *p, size_t n, size_t *at)
{
    while (n > 0) {
        size_t ctl = first_control(p, n), extra = n;
        size_t part = escapes_scan(&r->esc, p, ctl < n ? ctl + 1 : n);
        yajl_status st = yajl_parse(r->yajl, p, part);
        size_t read = st == yajl_status_ok ? part : yajl_get_bytes_consumed(r->yajl);
        if (r->root_end)
            extra = first_non_space(p, r->root_end > r->fed ? r->root_end - r->fed : 0, read);
        if (extra < read) {
            fail(r, "trailing garbage");
            *at = r->fed + extra + 1;
            return yajl_status_error;
        }
        if (st != yajl_status_ok) {
            *at = r->fed + read;
            return st;
        }
        r->fed += part;
        if (r->esc.bad || part == ctl + 1) {
            if (r->esc.bad)
                escape_reason(&r->esc, r->why_buf, sizeof(r->why_buf));
            else
                snprintf(r->why_buf, sizeof(r->why_buf), "control character 0x%x", p[ctl]);
            fail(r, r->why_buf);
            *at = r->fed;
            return yajl_status_error;
        }
        p += part;
        n -= part;
    }
    return yajl_status_ok;
}

/* Read the whole source through r.  Returns 0 when read (or the stream's
 * array is over), 1 when the element callback stopped, -1 on error (err). */
static int run(reader *r, const source *in, char *err, size_t errlen)
{
    FILE *f = NULL;
    unsigned char *buf = NULL;
    size_t at = 0, skip = 0;
    yajl_status st = yajl_status_ok;
    int first = 1;
    if (in->path && !(f = fopen(in->path, "rb"))) {
        if (err)
            snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return -1;
    }
    if (!(r->yajl = yajl_alloc(&callbacks, NULL, r)))
        abort();                /* out of memory, as cw_xmalloc does */
    if (f)
        buf = cw_xmalloc(CHUNK);
    for (;;) {
        const unsigned char *p = f ? buf : in->text;
        size_t n = f ? fread(buf, 1, CHUNK, f) : (first ? in->len : 0);
        if (n == 0)
            break;
        if (first && n >= 3 && memcmp(p, bom, 3) == 0) {
            p += 3;
            n -= 3;
            skip = 3;
        }
        first = 0;
        if (n > 0 && (st = feed(r, p, n, &at)) != yajl_status_ok)
            break;
    }
    if (f && ferror(f)) {
        if (err)
            snprintf(err, errlen, "cannot read: %s", strerror(errno ? errno : EIO));
        st = yajl_status_error;
        r->stop = STOP_READ;
    } else if (st == yajl_status_ok && (st = yajl_complete_parse(r->yajl)) != yajl_status_ok) {
        at = r->fed;
        r->at_end = 1;
    }
    if (f)
        fclose(f);
    free(buf);
    if (st == yajl_status_ok || (st == yajl_status_client_canceled && r->stop == STOP_DONE)) {
        yajl_free(r->yajl);
        return 0;
    }
    if (st == yajl_status_client_canceled && r->stop == STOP_FN) {
        yajl_free(r->yajl);
        return 1;
    }
    if (r->stop != STOP_READ)
        explain(r, in, skip, at, err, errlen);
    yajl_free(r->yajl);
    return -1;
}

static void reader_free(reader *r)
{
    free(r->frames);
    cw_buf_free(&r->key);
    json_decref(r->element);
}

/* Build the whole document of in, or NULL with err. */
static json_t *read_whole(const source *in, char *err, size_t errlen)
{
    reader r = {.mode = READ_WHOLE, .member = -1};
    int rc = run(&r, in, err, errlen);
    reader_free(&r);
    if (rc != 0) {
        json_decref(r.root);
        return NULL;
    }
    return r.root;
}

json_t *cw_json_load_text(const char *text, size_t len, char *err, size_t errlen)
{
    source in = {NULL, (const unsigned char *)text, len};
    return read_whole(&in, err, errlen);
}

json_t *cw_json_load_file(const char *path, char *err, size_t errlen)
{
    source in = {path, NULL, 0};
    return read_whole(&in, err, errlen);
}

/* ---------------------------------------------------------- documents */

struct cw_json_doc {
    char *path;
    const char *const *streamed;
    size_t *seen;               /* occurrences of each streamed key: the last is the document's */
    json_t *root;               /* the skeleton */
};

static size_t count_keys(const char *const *keys)
{
    size_t n = 0;
    while (keys && keys[n])
        n++;
    return n;
}

cw_json_doc *cw_json_doc_open(const char *path, const char *const *streamed, char *err,
                              size_t errlen)
{
    source in = {path, NULL, 0};
    reader r = {.mode = READ_SKELETON, .member = -1, .streamed = streamed};
    cw_json_doc *doc;
    r.seen = cw_xcalloc(count_keys(streamed) + 1, sizeof(size_t));
    if (run(&r, &in, err, errlen) != 0) {
        reader_free(&r);
        json_decref(r.root);
        free(r.seen);
        return NULL;
    }
    reader_free(&r);
    doc = cw_xcalloc(1, sizeof(*doc));
    doc->path = cw_strdup(path);
    doc->streamed = streamed;
    doc->seen = r.seen;
    doc->root = r.root;
    return doc;
}

json_t *cw_json_doc_root(const cw_json_doc *doc)
{
    return doc->root;
}

/* The elements of an array the skeleton holds whole. */
static int each_in_memory(json_t *array, cw_json_element_fn fn, void *ctx)
{
    json_t *el;
    size_t i;
    json_array_foreach(array, i, el)
        if (fn(ctx, el, i) != 0)
            return 1;
    return 0;
}

int cw_json_doc_each(cw_json_doc *doc, const char *key, cw_json_element_fn fn, void *ctx,
                     char *err, size_t errlen)
{
    source in = {doc->path, NULL, 0};
    reader r = {.mode = READ_STREAM, .member = -1, .streamed = doc->streamed, .target = -1,
                .fn = fn, .ctx = ctx};
    json_t *array = key ? json_object_get(doc->root, key) : doc->root;
    int rc;
    if (!json_is_array(array))
        return 0;
    if (key) {
        for (r.target = 0; doc->streamed && doc->streamed[r.target] &&
                           strcmp(doc->streamed[r.target], key) != 0; r.target++)
            ;
        if (!doc->streamed || !doc->streamed[r.target])
            return each_in_memory(array, fn, ctx);
        r.occurrence = doc->seen[r.target];
    }
    r.seen = cw_xcalloc(count_keys(doc->streamed) + 1, sizeof(size_t));
    rc = run(&r, &in, err, errlen);
    reader_free(&r);
    free(r.seen);
    return rc;
}

void cw_json_doc_close(cw_json_doc *doc)
{
    if (!doc)
        return;
    json_decref(doc->root);
    free(doc->seen);
    free(doc->path);
    free(doc);
}
