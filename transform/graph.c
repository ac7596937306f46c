/*
 * graph.c - commit graph and deployment ancestry walk (see graph.h).
 *
 * Nodes live in one array; parents are resolved once into a flat edge array
 * so the walk touches no strings.  The walk is iterative with an explicit
 * stack: real histories are tens of thousands of commits deep and would
 * overflow the C stack if walked recursively.
 */
#include "graph.h"
#include "../core/config.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cw_graph {
    cw_gnode *nodes;
    size_t n, cap;
    char **parent_text;     /* per node until cw_graph_finish */
    size_t *first_edge;     /* per node: start in edges */
    int *n_edges;           /* per node: parents found in the graph */
    long *edges;
    size_t n_edge_total;
    long *sorted;           /* node indices by sha, for prefix lookups */
    cw_strmap *by_sha;      /* sha -> node index */
    long *stack;
    cw_strlist missing;     /* parent shas named but not in the graph, each once */
    cw_strmap *missing_seen;
};

cw_graph *cw_graph_new(void)
{
    cw_graph *g = cw_xcalloc(1, sizeof(*g));
    g->by_sha = cw_strmap_new();
    g->missing_seen = cw_strmap_new();
    return g;
}

void cw_graph_free(cw_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->nodes[i].sha);
        free(g->nodes[i].extra_ids);
        if (g->parent_text)
            free(g->parent_text[i]);
    }
    free(g->nodes);
    free(g->parent_text);
    free(g->first_edge);
    free(g->n_edges);
    free(g->edges);
    free(g->sorted);
    free(g->stack);
    cw_strmap_free(g->by_sha);
    cw_strmap_free(g->missing_seen);
    cw_strlist_free(&g->missing);
    free(g);
}

static char *lower_copy(const char *s)
{
    char *out = cw_strdup(s);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static int count_words(const char *s)
{
    int n = 0;
    while (s && *s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        n++;
        while (*s && *s != ' ')
            s++;
    }
    return n;
}

static void add_extra_id(cw_gnode *node, int64_t commit_id)
{
    node->extra_ids = cw_xrealloc(node->extra_ids, (node->n_extra + 1) * sizeof(int64_t));
    node->extra_ids[node->n_extra++] = commit_id;
}

long cw_graph_add(cw_graph *g, const char *sha, const char *parents,
                  int64_t authored_at, int64_t commit_id)
{
    char *key;
    int64_t existing;
    cw_gnode *node;

    if (cw_str_empty(sha))
        return -1;
    key = lower_copy(sha);
    if (!cw_strmap_add(g->by_sha, key, (int64_t)g->n, &existing)) {
        free(key);
        add_extra_id(&g->nodes[existing], commit_id);
        return (long)existing;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 256;
        g->nodes = cw_xrealloc(g->nodes, g->cap * sizeof(cw_gnode));
        g->parent_text = cw_xrealloc(g->parent_text, g->cap * sizeof(char *));
    }
    node = &g->nodes[g->n];
    memset(node, 0, sizeof(*node));
    node->sha = key;
    node->commit_id = commit_id;
    node->authored_at = authored_at;
    node->n_parents = count_words(parents);
    node->deployed_by = -1;
    g->parent_text[g->n] = lower_copy(parents ? parents : "");
    return (long)g->n++;
}

/* Turn node i's parent text into edges to nodes of the graph. */
static void resolve_parents(cw_graph *g, size_t i)
{
    char *save = NULL;
    g->first_edge[i] = g->n_edge_total;
    g->n_edges[i] = 0;
    for (char *tok = strtok_r(g->parent_text[i], " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        int64_t parent;
        if (!cw_strmap_get(g->by_sha, tok, &parent)) {
            if (cw_strmap_add(g->missing_seen, tok, 0, NULL))
                cw_strlist_add(&g->missing, tok);
            continue;
        }
        g->edges[g->n_edge_total++] = (long)parent;
        g->n_edges[i]++;
    }
    free(g->parent_text[i]);
    g->parent_text[i] = NULL;
}

/* qsort_r comparator: sorted holds node indices, compared by their sha. */
static int compare_sha(const void *a, const void *b, void *nodes)
{
    const cw_gnode *n = nodes;
    return strcmp(n[*(const long *)a].sha, n[*(const long *)b].sha);
}

void cw_graph_finish(cw_graph *g)
{
    size_t total = 0;
    for (size_t i = 0; i < g->n; i++)
        total += (size_t)g->nodes[i].n_parents;
    g->edges = cw_xmalloc((total ? total : 1) * sizeof(long));
    g->first_edge = cw_xmalloc((g->n ? g->n : 1) * sizeof(size_t));
    g->n_edges = cw_xmalloc((g->n ? g->n : 1) * sizeof(int));
    for (size_t i = 0; i < g->n; i++)
        resolve_parents(g, i);
    free(g->parent_text);
    g->parent_text = NULL;

    g->sorted = cw_xmalloc((g->n ? g->n : 1) * sizeof(long));
    for (size_t i = 0; i < g->n; i++)
        g->sorted[i] = (long)i;
    qsort_r(g->sorted, g->n, sizeof(long), compare_sha, g->nodes);
    g->stack = cw_xmalloc((g->n ? g->n : 1) * sizeof(long));
}

size_t cw_graph_missing_count(const cw_graph *g)
{
    return g->missing.n;
}

const char *cw_graph_missing(const cw_graph *g, size_t i)
{
    return i < g->missing.n ? g->missing.items[i] : NULL;
}

size_t cw_graph_count(const cw_graph *g)
{
    return g->n;
}

const cw_gnode *cw_graph_node(const cw_graph *g, long index)
{
    return (index >= 0 && (size_t)index < g->n) ? &g->nodes[index] : NULL;
}

static int is_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* Binary search: the first sorted position whose sha is >= prefix. */
static size_t lower_bound(const cw_graph *g, const char *prefix)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(g->nodes[g->sorted[mid]].sha, prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static long find_prefix(const cw_graph *g, const char *prefix)
{
    size_t len = strlen(prefix);
    size_t pos = lower_bound(g, prefix);
    if (pos >= g->n || strncmp(g->nodes[g->sorted[pos]].sha, prefix, len) != 0)
        return -1;
    if (pos + 1 < g->n && strncmp(g->nodes[g->sorted[pos + 1]].sha, prefix, len) == 0)
        return -1;  /* ambiguous */
    return g->sorted[pos];
}

long cw_graph_find(const cw_graph *g, const char *revision)
{
    int64_t index;
    long found = -1;
    char *rev;

    if (cw_str_empty(revision) || !g->sorted)
        return -1;
    rev = lower_copy(revision);
    if (cw_strmap_get(g->by_sha, rev, &index))
        found = (long)index;
    else if (strlen(rev) >= CW_SHA_MIN_PREFIX && is_hex(rev))
        found = find_prefix(g, rev);
    free(rev);
    return found;
}

static int compare_deploy(const void *a, const void *b)
{
    const cw_deploy *x = a, *y = b;
    if (x->finished_at != y->finished_at)
        return x->finished_at < y->finished_at ? -1 : 1;
    if (x->run_number != y->run_number)
        return x->run_number < y->run_number ? -1 : 1;
    if (x->deployment_id != y->deployment_id)
        return x->deployment_id < y->deployment_id ? -1 : 1;
    return 0;
}

void cw_deploy_sort(cw_deploy *d, size_t n)
{
    if (n > 1)
        qsort(d, n, sizeof(*d), compare_deploy);
}

/* Mark node v deployed by deployment di and report it. */
static int reach(cw_graph *g, cw_deploy *d, long di, long v, size_t *top,
                 cw_graph_emit_fn emit, void *ctx)
{
    g->nodes[v].deployed_by = di;
    d[di].commits_deployed += 1 + (long)g->nodes[v].n_extra;
    g->stack[(*top)++] = v;
    return emit ? emit(ctx, &d[di], &g->nodes[v]) : 0;
}

/* Walk from start through all parents not yet deployed.  Nodes are marked
 * when pushed, so each enters the stack once and the stack never exceeds
 * the node count. */
static int walk_from(cw_graph *g, cw_deploy *d, long di, long start,
                     cw_graph_emit_fn emit, void *ctx)
{
    size_t top = 0;
    if (g->nodes[start].deployed_by >= 0)
        return 0;
    if (reach(g, d, di, start, &top, emit, ctx))
        return -1;
    while (top > 0) {
        long v = g->stack[--top];
        for (int e = 0; e < g->n_edges[v]; e++) {
            long p = g->edges[g->first_edge[v] + (size_t)e];
            if (g->nodes[p].deployed_by < 0 && reach(g, d, di, p, &top, emit, ctx))
                return -1;
        }
    }
    return 0;
}

int cw_graph_walk(cw_graph *g, cw_deploy *d, size_t n, cw_graph_emit_fn emit, void *ctx)
{
    int have_baseline = 0;

    if (!g->sorted)
        cw_graph_finish(g);
    for (size_t i = 0; i < g->n; i++)
        g->nodes[i].deployed_by = -1;
    cw_deploy_sort(d, n);
    for (size_t i = 0; i < n; i++) {
        d[i].traceable = 0;
        d[i].is_baseline = 0;
        d[i].commits_deployed = 0;
        for (size_t r = 0; r <= d[i].n_more; r++) {
            long start = cw_graph_find(g, r == 0 ? d[i].revision : d[i].more_revisions[r - 1]);
            if (start < 0)
                continue;
            d[i].traceable = 1;
            if (!have_baseline)
                d[i].is_baseline = have_baseline = 1;
            if (walk_from(g, d, (long)i, start, emit, ctx))
                return -1;
        }
    }
    return 0;
}

/* The last path component of a remote URL or repository name, without a
 * trailing '/' or ".git": its start in *name, its length returned. */
static size_t last_component(const char *s, const char **name)
{
    size_t end = strlen(s), start;
    while (end > 0 && s[end - 1] == '/')
        end--;
    if (end >= 4 && strncasecmp(s + end - 4, ".git", 4) == 0)
        end -= 4;
    start = end;
    while (start > 0 && s[start - 1] != '/' && s[start - 1] != ':')
        start--;
    *name = s + start;
    return end - start;
}

int cw_remote_names_repository(const char *remote, const char *repository)
{
    const char *a, *b;
    size_t na, nb;
    if (cw_str_empty(remote) || cw_str_empty(repository))
        return 0;
    na = last_component(remote, &a);
    nb = last_component(repository, &b);
    return na > 0 && na == nb && strncasecmp(a, b, na) == 0;
}

int cw_graph_lead_time(const cw_deploy *d, const cw_gnode *node, int64_t *out)
{
    if (d->is_baseline || node->n_parents >= 2)
        return 0;
    *out = d->finished_at - node->authored_at;
    return 1;
}
