/*
 * template.c - the logic-less template language of the report layouts
 * (template.h): a parser into a flat token list whose sections know where
 * they close, and a renderer walking that list over a jansson context stack.
 *
 * Parsing first and rendering second means a structural error (an unclosed
 * section in a branch that today's data never reaches) fails every run, and
 * `catwalk check` finds it without data.
 */
#include "template.h"
#include "template_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"

#define MAX_PARTIAL_DEPTH 16

typedef enum tok_kind { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL } tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *s;              /* text, or the tag's name (not NUL-terminated) */
    size_t len;
    int line;                   /* of the tag */
    size_t end;                 /* T_SECTION, T_INVERTED: index of its T_CLOSE */
} tok;

struct cw_template {
    char *text;                 /* owned copy the tokens point into */
    char *where;
    tok *toks;
    size_t n, cap;
};

/* ------------------------------------------------------------ parse */

typedef struct parser {
    cw_template *t;
    const char *p;              /* next unread byte */
    int line;                   /* of p */
    char *err;
    size_t errlen;
} parser;

static int fail(char *err, size_t errlen, const char *where, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *where, int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errlen, "%s:%d: ", where, line);
    if (n >= 0 && (size_t)n < errlen) {
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static tok *push_tok(cw_template *t, tok_kind kind, const char *s, size_t len, int line)
{
    t->toks = cw_grow(t->toks, &t->cap, t->n + 1, sizeof *t->toks);
    tok *k = &t->toks[t->n++];
    *k = (tok){ kind, s, len, line, 0 };
    return k;
}

static int count_lines(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

/* A name: letters, digits, '_', '-', '.', '/' (partials live in folders). */
static int name_ok(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", s[i]) ||
            s[i] == '\0')
            return 0;
    return 1;
}

/* A tag alone on its line (blanks around it) leaves no line behind: cut
 * the indent from the text before it and the line end after it.  Returns
 * where the text after the tag resumes. */
static const char *standalone(parser *ps, const char *open, const char *after)
{
    const char *start = open, *q = after;
    while (start > ps->t->text && (start[-1] == ' ' || start[-1] == '\t'))
        start--;
    if (start > ps->t->text && start[-1] != '\n')
        return after;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == '\r' && q[1] == '\n')
        q++;
    if (*q != '\n' && *q != '\0')
        return after;
    if (ps->t->n > 0 && ps->t->toks[ps->t->n - 1].kind == T_TEXT)
        ps->t->toks[ps->t->n - 1].len -= (size_t)(open - start);
    if (*q == '\n') {
        ps->line++;
        q++;
    }
    return q;
}

/* One tag starting at open ("{{"): its token, and where the text resumes. */
static int parse_tag(parser *ps, const char *open, size_t *stack, size_t *depth)
{
    cw_template *t = ps->t;
    const char *body = open + 2, *close;
    int line = ps->line;
    char sigil = *body;
    tok_kind kind = T_VAR;
    const char *closer = "}}";
    switch (sigil) {
    case '{': kind = T_RAW; closer = "}}}"; body++; break;
    case '&': kind = T_RAW; body++; break;
    case '#': kind = T_SECTION; body++; break;
    case '^': kind = T_INVERTED; body++; break;
    case '/': kind = T_CLOSE; body++; break;
    case '>': kind = T_PARTIAL; body++; break;
    case '!': break;
    case '=':
        return fail(ps->err, ps->errlen, t->where, line, "set-delimiter tags are not supported");
    default: break;
    }
    close = strstr(body, closer);
    if (!close)
        return fail(ps->err, ps->errlen, t->where, line, "unclosed tag '%.20s'", open);
    ps->line += count_lines(open, (size_t)(close - open));
    const char *after = close + strlen(closer);
    if (sigil == '!') {
        ps->p = standalone(ps, open, after);
        return 0;
    }
    while (*body == ' ' || *body == '\t')
        body++;
    size_t len = (size_t)(close - body);
    while (len > 0 && (body[len - 1] == ' ' || body[len - 1] == '\t'))
        len--;
    if (!name_ok(body, len))
        return fail(ps->err, ps->errlen, t->where, line, "bad tag name '%.*s'",
                    (int)(close - open + 2 > 40 ? 40 : close - open + 2), open);
    if (kind == T_SECTION || kind == T_INVERTED || kind == T_CLOSE || kind == T_PARTIAL)
        after = standalone(ps, open, after);
    if (kind == T_CLOSE) {
        if (*depth == 0)
            return fail(ps->err, ps->errlen, t->where, line, "'{{/%.*s}}' closes no section",
                        (int)len, body);
        tok *opened = &t->toks[stack[*depth - 1]];
        if (opened->len != len || memcmp(opened->s, body, len) != 0)
            return fail(ps->err, ps->errlen, t->where, line,
                        "'{{/%.*s}}' does not close section '%.*s' (line %d)", (int)len, body,
                        (int)opened->len, opened->s, opened->line);
        opened->end = t->n;
        (*depth)--;
    }
    if (kind == T_SECTION || kind == T_INVERTED) {
        if (*depth == 64)
            return fail(ps->err, ps->errlen, t->where, line, "sections nested deeper than 64");
        stack[(*depth)++] = t->n;
    }
    push_tok(t, kind, body, len, line);
    ps->p = after;
    return 0;
}

cw_template *cw_template_parse(const char *text, const char *where, char *err, size_t errlen)
{
    cw_template *t = cw_xcalloc(1, sizeof *t);
    size_t stack[64], depth = 0;
    t->text = cw_strdup(text);
    t->where = cw_strdup(where);
    parser ps = { t, t->text, 1, err, errlen };
    const char *open;
    while ((open = strstr(ps.p, "{{")) != NULL) {
        if (open > ps.p)
            push_tok(t, T_TEXT, ps.p, (size_t)(open - ps.p), ps.line);
        ps.line += count_lines(ps.p, (size_t)(open - ps.p));
        if (parse_tag(&ps, open, stack, &depth) != 0) {
            cw_template_free(t);
            return NULL;
        }
    }
    if (*ps.p)
        push_tok(t, T_TEXT, ps.p, strlen(ps.p), ps.line);
    if (depth > 0) {
        tok *opened = &t->toks[stack[depth - 1]];
        fail(err, errlen, t->where, opened->line, "unclosed section '%.*s'", (int)opened->len,
             opened->s);
        cw_template_free(t);
        return NULL;
    }
    return t;
}

void cw_template_free(cw_template *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->where);
    free(t->toks);
    free(t);
}

/* ------------------------------------------------------------ render */

typedef struct partial {
    char *name;
    cw_template *t;
} partial;

typedef struct render_state {
    const char *dir;
    int escape;
    json_t **stack;             /* context stack, innermost last */
    size_t depth, cap;
    int partial_depth;
    partial *partials;          /* parsed once per render */
    size_t n_partials, cap_partials;
    cw_buf *out;
    char *err;
    size_t errlen;
} render_state;

/* Where name's first step is found, innermost context first; the rest of
 * the path is then looked up inside it only. */
static json_t *lookup(const render_state *st, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return st->depth ? st->stack[st->depth - 1] : NULL;
    size_t first = strcspn(name, ".");
    if (first > len)
        first = len;
    char key[256];
    json_t *v = NULL;
    if (first >= sizeof key)
        return NULL;
    memcpy(key, name, first);
    key[first] = '\0';
    for (size_t i = st->depth; i-- > 0 && !v;)
        if (json_is_object(st->stack[i]))
            v = json_object_get(st->stack[i], key);
    for (size_t at = first; v && at < len;) {
        size_t step = strcspn(name + at + 1, ".");
        if (at + 1 + step > len)
            step = len - at - 1;
        if (step >= sizeof key || !json_is_object(v))
            return NULL;
        memcpy(key, name + at + 1, step);
        key[step] = '\0';
        v = json_object_get(v, key);
        at += 1 + step;
    }
    return v;
}

static int truthy(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT: return 1;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0;
    case JSON_TRUE: return 1;
    default: return 0;
    }
}

void cw_template_escape(cw_buf *b, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        const char *ent = NULL;
        switch (s[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        cw_buf_append(b, s + from, i - from);
        cw_buf_puts(b, ent);
        from = i + 1;
    }
    cw_buf_append(b, s + from, len - from);
}

static void put_value(render_state *st, const json_t *v, int escape)
{
    char num[64];
    const char *s = num;
    size_t len;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        s = json_string_value(v);
        len = json_string_length(v);
        break;
    case JSON_INTEGER:
        len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        len = (size_t)snprintf(num, sizeof num, "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        s = "true";
        len = 4;
        break;
    default:
        return;
    }
    if (escape)
        cw_template_escape(st->out, s, len);
    else
        cw_buf_append(st->out, s, len);
}

static void push_context(render_state *st, json_t *v)
{
    st->stack = cw_grow(st->stack, &st->cap, st->depth + 1, sizeof *st->stack);
    st->stack[st->depth++] = v;
}

static int render_range(render_state *st, const cw_template *t, size_t from, size_t to);

/* The parsed partial `name`, read from the folder once per render. */
static const cw_template *find_partial(render_state *st, const cw_template *t, const tok *k)
{
    char *name = cw_strndup(k->s, k->len), *where = NULL, err[512];
    for (size_t i = 0; i < st->n_partials; i++)
        if (strcmp(st->partials[i].name, name) == 0) {
            free(name);
            return st->partials[i].t;
        }
    char *text = cw_template_read(st->dir, name, NULL, &where);
    cw_template *p = NULL;
    if (!text)
        fail(st->err, st->errlen, t->where, k->line, "unknown partial '%s'", name);
    else if (!(p = cw_template_parse(text, where, err, sizeof err)))
        snprintf(st->err, st->errlen, "%s", err);
    free(text);
    free(where);
    if (!p) {
        free(name);
        return NULL;
    }
    st->partials = cw_grow(st->partials, &st->cap_partials, st->n_partials + 1,
                           sizeof *st->partials);
    st->partials[st->n_partials++] = (partial){ name, p };
    return p;
}

static int render_partial(render_state *st, const cw_template *t, const tok *k)
{
    if (st->partial_depth >= MAX_PARTIAL_DEPTH)
        return fail(st->err, st->errlen, t->where, k->line, "partials nested deeper than %d "
                    "at '%.*s'", MAX_PARTIAL_DEPTH, (int)k->len, k->s);
    const cw_template *p = find_partial(st, t, k);
    if (!p)
        return -1;
    st->partial_depth++;
    int rc = render_range(st, p, 0, p->n);
    st->partial_depth--;
    return rc;
}

static int render_section(render_state *st, const cw_template *t, size_t i)
{
    const tok *k = &t->toks[i];
    json_t *v = lookup(st, k->s, k->len);
    int rc = 0;
    if (k->kind == T_INVERTED)
        return truthy(v) ? 0 : render_range(st, t, i + 1, k->end);
    if (!truthy(v))
        return 0;
    if (json_is_array(v)) {
        for (size_t e = 0; e < json_array_size(v) && rc == 0; e++) {
            push_context(st, json_array_get(v, e));
            rc = render_range(st, t, i + 1, k->end);
            st->depth--;
        }
        return rc;
    }
    if (json_is_object(v))
        push_context(st, v);
    rc = render_range(st, t, i + 1, k->end);
    if (json_is_object(v))
        st->depth--;
    return rc;
}

static int render_range(render_state *st, const cw_template *t, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const tok *k = &t->toks[i];
        switch (k->kind) {
        case T_TEXT: cw_buf_append(st->out, k->s, k->len); break;
        case T_VAR: put_value(st, lookup(st, k->s, k->len), st->escape); break;
        case T_RAW: put_value(st, lookup(st, k->s, k->len), 0); break;
        case T_SECTION:
        case T_INVERTED:
            if (render_section(st, t, i) != 0)
                return -1;
            i = k->end;
            break;
        case T_PARTIAL:
            if (render_partial(st, t, k) != 0)
                return -1;
            break;
        case T_CLOSE: break;
        }
    }
    return 0;
}

int cw_template_render(const cw_template *t, json_t *context, const char *dir, int escape,
                       cw_buf *out, char *err, size_t errlen)
{
    render_state st = { .dir = dir, .escape = escape, .out = out, .err = err, .errlen = errlen };
    push_context(&st, context);
    int rc = render_range(&st, t, 0, t->n);
    for (size_t i = 0; i < st.n_partials; i++) {
        free(st.partials[i].name);
        cw_template_free(st.partials[i].t);
    }
    free(st.partials);
    free(st.stack);
    return rc;
}

/* ------------------------------------------------------------ files */

/* The name shown in messages: DIR/name, or templates/name when built in. */
static char *shown_name(const char *dir, const char *name)
{
    return dir && *dir ? cw_asprintf("%s/%s", dir, name) : cw_asprintf("templates/%s", name);
}

static cw_template *load(const char *dir, const char *name)
{
    char *text = cw_template_read(dir, name, NULL, NULL), *where = shown_name(dir, name), err[512];
    cw_template *t = text ? cw_template_parse(text, where, err, sizeof err) : NULL;
    if (text && !t)
        cw_error("%s", err);
    free(text);
    free(where);
    return t;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int cw_template_render_file(const char *dir, const char *name, json_t *context, cw_buf *out)
{
    char err[512];
    cw_template *t = load(dir, name);
    if (!t)
        return -1;
    int rc = cw_template_render(t, context, dir, !ends_with(name, ".txt"), out, err, sizeof err);
    if (rc != 0)
        cw_error("%s", err);
    cw_template_free(t);
    return rc;
}

static int check_tree(const char *dir, const cw_template *t, int depth)
{
    char err[512];
    if (depth > MAX_PARTIAL_DEPTH) {
        cw_error("%s: partials nested deeper than %d", t->where, MAX_PARTIAL_DEPTH);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->toks[i].kind != T_PARTIAL)
            continue;
        char *name = cw_strndup(t->toks[i].s, t->toks[i].len);
        char *text = cw_template_read(dir, name, NULL, NULL);
        int rc = -1;
        if (!text) {
            fail(err, sizeof err, t->where, t->toks[i].line, "unknown partial '%s'", name);
            cw_error("%s", err);
        } else {
            cw_template *p = load(dir, name);
            rc = p ? check_tree(dir, p, depth + 1) : -1;
            cw_template_free(p);
        }
        free(text);
        free(name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int cw_template_check(const char *dir, const char *name)
{
    cw_template *t = load(dir, name);
    int rc = t ? check_tree(dir, t, 0) : -1;
    cw_template_free(t);
    return rc;
}
