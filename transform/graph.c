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
    unsigned char *has_first;   /* per node: its first parent is in the graph (edges[first_edge]) */
    int n_repos;            /* 1 + the highest repository number */
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
    free(g->has_first);
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
    return cw_graph_add_in(g, 0, sha, parents, authored_at, commit_id);
}

long cw_graph_add_in(cw_graph *g, int repository, const char *sha, const char *parents,
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
    node->repository = repository < 0 ? 0 : repository;
    node->deployed_by = -1;
    if (node->repository >= g->n_repos)
        g->n_repos = node->repository + 1;
    g->parent_text[g->n] = lower_copy(parents ? parents : "");
    return (long)g->n++;
}

/* Turn node i's parent text into edges to nodes of the graph. */
static void resolve_parents(cw_graph *g, size_t i)
{
    char *save = NULL;
    int position = 0;
    g->first_edge[i] = g->n_edge_total;
    g->n_edges[i] = 0;
    g->has_first[i] = 0;
    for (char *tok = strtok_r(g->parent_text[i], " ", &save); tok;
         tok = strtok_r(NULL, " ", &save), position++) {
        int64_t parent;
        if (!cw_strmap_get(g->by_sha, tok, &parent)) {
            if (cw_strmap_add(g->missing_seen, tok, 0, NULL))
                cw_strlist_add(&g->missing, tok);
            continue;
        }
        if (position == 0)
            g->has_first[i] = 1;
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
    g->has_first = cw_xmalloc(g->n ? g->n : 1);
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
    /* Decisions 13: then the job name, bytewise (NULL as ""), as
     * transform/sql/correlate.sql orders them */
    int by_job = strcmp(x->job ? x->job : "", y->job ? y->job : "");
    if (by_job != 0)
        return by_job < 0 ? -1 : 1;
    if (x->deployment_id != y->deployment_id)
        return x->deployment_id < y->deployment_id ? -1 : 1;
    return 0;
}

void cw_deploy_sort(cw_deploy *d, size_t n)
{
    if (n > 1)
        qsort(d, n, sizeof(*d), compare_deploy);
}

/* Mark node v deployed by deployment di and report it.  The first
 * deployment to reach a commit of a repository is that repository's
 * baseline (base[repository], -1 before). */
static int reach(cw_graph *g, cw_deploy *d, long di, long v, size_t *top, long *base,
                 cw_graph_emit_fn emit, void *ctx)
{
    int repo = g->nodes[v].repository;
    if (base[repo] < 0) {
        base[repo] = di;
        d[di].is_baseline = 1;
    }
    g->nodes[v].baseline = base[repo] == di;
    g->nodes[v].deployed_by = di;
    d[di].commits_deployed += 1 + (long)g->nodes[v].n_extra;
    g->stack[(*top)++] = v;
    return emit ? emit(ctx, &d[di], &g->nodes[v]) : 0;
}

/* Walk from start through all parents not yet deployed.  Nodes are marked
 * when pushed, so each enters the stack once and the stack never exceeds
 * the node count. */
static int walk_from(cw_graph *g, cw_deploy *d, long di, long start, long *base,
                     cw_graph_emit_fn emit, void *ctx)
{
    size_t top = 0;
    if (g->nodes[start].deployed_by >= 0)
        return 0;
    if (reach(g, d, di, start, &top, base, emit, ctx))
        return -1;
    while (top > 0) {
        long v = g->stack[--top];
        for (int e = 0; e < g->n_edges[v]; e++) {
            long p = g->edges[g->first_edge[v] + (size_t)e];
            if (g->nodes[p].deployed_by < 0 && reach(g, d, di, p, &top, base, emit, ctx))
                return -1;
        }
    }
    return 0;
}

int cw_graph_walk(cw_graph *g, cw_deploy *d, size_t n, cw_graph_emit_fn emit, void *ctx)
{
    long *base;
    int rc = 0;

    if (!g->sorted)
        cw_graph_finish(g);
    for (size_t i = 0; i < g->n; i++) {
        g->nodes[i].deployed_by = -1;
        g->nodes[i].baseline = 0;
    }
    base = cw_xmalloc((size_t)(g->n_repos ? g->n_repos : 1) * sizeof(long));
    for (int r = 0; r < g->n_repos; r++)
        base[r] = -1;
    cw_deploy_sort(d, n);
    for (size_t i = 0; i < n; i++) {
        d[i].traceable = 0;
        d[i].is_baseline = 0;
        d[i].commits_deployed = 0;
        for (size_t r = 0; r <= d[i].n_more && rc == 0; r++) {
            long start = cw_graph_find(g, r == 0 ? d[i].revision : d[i].more_revisions[r - 1]);
            if (start < 0)
                continue;
            d[i].traceable = 1;
            rc = walk_from(g, d, (long)i, start, base, emit, ctx);
        }
        if (rc)
            break;
    }
    free(base);
    return rc;
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
    if (node->baseline || node->n_parents >= 2)
        return 0;
    *out = d->finished_at - node->authored_at;
    return 1;
}

/* ---------------------------------------------------------------- what a merge brought in */

/* The state of cw_graph_merge_sides (see graph.h). */
typedef struct merge_walk {
    cw_graph *g;
    long *order;            /* node indices, parents before children */
    long *tin, *tout;       /* entry and exit order in the first-parent tree */
    long *intro;            /* per node: head of its list in links, -1 = none */
    long (*links)[2];       /* (merge, next) */
    size_t n_links, cap_links;
    long *stamp;            /* the merge whose walk last visited the node */
    long *stack;
    size_t *pos;
} merge_walk;

static long first_parent(const cw_graph *g, long v)
{
    return g->has_first[v] ? g->edges[g->first_edge[v]] : -1;
}

/* Parents first: an iterative depth-first post-order over every edge. */
static void topo_order(merge_walk *w)
{
    cw_graph *g = w->g;
    size_t n_out = 0;
    unsigned char *state = cw_xcalloc(g->n ? g->n : 1, 1);   /* 1 open, 2 done */
    for (size_t root = 0; root < g->n; root++) {
        size_t top = 0;
        if (state[root])
            continue;
        w->stack[top] = (long)root;
        w->pos[top++] = 0;
        state[root] = 1;
        while (top > 0) {
            long v = w->stack[top - 1];
            if (w->pos[top - 1] < (size_t)g->n_edges[v]) {
                long p = g->edges[g->first_edge[v] + w->pos[top - 1]++];
                if (!state[p]) {
                    state[p] = 1;
                    w->stack[top] = p;
                    w->pos[top++] = 0;
                }
                continue;
            }
            state[v] = 2;
            w->order[n_out++] = v;
            top--;
        }
    }
    free(state);
}

/* Entry and exit order of a depth-first walk of the first-parent tree
 * (a commit's children there are the commits whose first parent it is). */
static void first_parent_tree(merge_walk *w)
{
    cw_graph *g = w->g;
    size_t n = g->n ? g->n : 1, *start = cw_xcalloc(n + 1, sizeof(size_t)), *fill;
    long *child = cw_xmalloc(n * sizeof(long)), clock = 0;
    for (size_t v = 0; v < g->n; v++)
        if (first_parent(g, (long)v) >= 0)
            start[first_parent(g, (long)v) + 1]++;
    for (size_t v = 0; v < g->n; v++)
        start[v + 1] += start[v];
    fill = cw_xmalloc(n * sizeof(size_t));
    memcpy(fill, start, n * sizeof(size_t));
    for (size_t c = 0; c < g->n; c++)       /* the children, grouped by their first parent */
        if (first_parent(g, (long)c) >= 0)
            child[fill[first_parent(g, (long)c)]++] = (long)c;
    free(fill);
    for (size_t root = 0; root < g->n; root++) {
        size_t top = 0;
        if (first_parent(g, (long)root) >= 0)
            continue;
        w->stack[top] = (long)root;
        w->pos[top++] = start[root];
        w->tin[root] = clock++;
        while (top > 0) {
            long v = w->stack[top - 1];
            if (w->pos[top - 1] < start[v + 1]) {
                long c = child[w->pos[top - 1]++];
                w->tin[c] = clock++;
                w->stack[top] = c;
                w->pos[top++] = start[c];
                continue;
            }
            w->tout[v] = clock++;
            top--;
        }
    }
    free(start);
    free(child);
}

/* Is a on the first-parent chain of b (a == b included)? */
static int on_chain(const merge_walk *w, long a, long b)
{
    return w->tin[a] <= w->tin[b] && w->tout[b] <= w->tout[a];
}

/* Does m1 reach c?  c is on m1's first-parent chain, or a merge of that
 * chain brought it in (see graph.h). */
static int first_parent_reaches(const merge_walk *w, long m1, long c)
{
    if (m1 < 0)
        return 0;
    if (on_chain(w, c, m1))
        return 1;
    for (long l = w->intro[c]; l >= 0; l = w->links[l][1])
        if (on_chain(w, w->links[l][0], m1))
            return 1;
    return 0;
}

static void add_intro(merge_walk *w, long c, long merge)
{
    if (w->n_links == w->cap_links) {
        w->cap_links = w->cap_links ? w->cap_links * 2 : 256;
        w->links = cw_xrealloc(w->links, w->cap_links * sizeof(*w->links));
    }
    w->links[w->n_links][0] = merge;
    w->links[w->n_links][1] = w->intro[c];
    w->intro[c] = (long)w->n_links++;
}

/* What merge m brought in: from its non-first parents, every commit its
 * first parent does not reach. */
static int merge_side(merge_walk *w, long m, cw_graph_merge_fn emit, void *ctx)
{
    cw_graph *g = w->g;
    long m1 = first_parent(g, m);
    size_t top = 0;
    for (int e = g->has_first[m]; e < g->n_edges[m]; e++)
        w->stack[top++] = g->edges[g->first_edge[m] + (size_t)e];
    while (top > 0) {
        long c = w->stack[--top];
        if (w->stamp[c] == m || first_parent_reaches(w, m1, c))
            continue;
        w->stamp[c] = m;
        add_intro(w, c, m);
        /* a first parent outside the graph: kept for the test above only */
        if (m1 >= 0 && emit && emit(ctx, m, c))
            return -1;
        for (int e = 0; e < g->n_edges[c]; e++) {
            long p = g->edges[g->first_edge[c] + (size_t)e];
            if (w->stamp[p] != m)
                w->stack[top++] = p;
        }
    }
    return 0;
}

int cw_graph_merge_sides(cw_graph *g, cw_graph_merge_fn emit, void *ctx)
{
    size_t n = g->n ? g->n : 1;
    merge_walk w = { .g = g };
    int rc = 0;

    if (!g->sorted)
        cw_graph_finish(g);
    w.order = cw_xmalloc(n * sizeof(long));
    w.tin = cw_xmalloc(n * sizeof(long));
    w.tout = cw_xmalloc(n * sizeof(long));
    w.intro = cw_xmalloc(n * sizeof(long));
    w.stamp = cw_xmalloc(n * sizeof(long));
    /* a commit is stacked at most once per parent edge pointing at it */
    w.stack = cw_xmalloc((g->n_edge_total + n) * sizeof(long));
    w.pos = cw_xmalloc(n * sizeof(size_t));
    for (size_t v = 0; v < g->n; v++)
        w.intro[v] = w.stamp[v] = -1;
    topo_order(&w);
    first_parent_tree(&w);
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        long m = w.order[i];
        if (g->nodes[m].n_parents >= 2 && g->n_edges[m] > g->has_first[m])
            rc = merge_side(&w, m, emit, ctx);
    }
    free(w.order);
    free(w.tin);
    free(w.tout);
    free(w.intro);
    free(w.links);
    free(w.stamp);
    free(w.stack);
    free(w.pos);
    return rc;
}
