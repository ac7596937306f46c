/*
 * cycle.c - the first cycle of a directed graph by an iterative depth-first
 * walk (see cycle.h).
 */
#include "cycle.h"
#include "util.h"

#include <stdlib.h>

enum { WHITE, GREY, BLACK };   /* unvisited, on the walk's stack, finished */

/* The stack from the node where the back edge lands up to the top. */
static void copy_cycle(const size_t *stack, size_t depth, size_t target, size_t **cycle,
                       size_t *len)
{
    size_t from = depth;
    while (from > 0 && stack[from - 1] != target)
        from--;
    from--;
    *len = depth - from;
    *cycle = cw_xcalloc(*len, sizeof(**cycle));
    for (size_t k = 0; k < *len; k++)
        (*cycle)[k] = stack[from + k];
}

int cw_cycle_find(size_t n, const size_t *const *adj, const size_t *n_adj, size_t **cycle,
                  size_t *len)
{
    unsigned char *colour = n ? cw_xcalloc(n, 1) : NULL;
    size_t *stack = n ? cw_xcalloc(n, sizeof(*stack)) : NULL;
    size_t *next = n ? cw_xcalloc(n, sizeof(*next)) : NULL;   /* next edge to follow */
    int found = 0;
    *cycle = NULL;
    *len = 0;
    for (size_t root = 0; root < n && !found; root++) {
        size_t depth = 0;
        if (colour[root] != WHITE)
            continue;
        stack[depth++] = root;
        colour[root] = GREY;
        while (depth > 0 && !found) {
            size_t v = stack[depth - 1];
            if (next[v] == n_adj[v]) {
                colour[v] = BLACK;
                depth--;
                continue;
            }
            size_t w = adj[v][next[v]++];
            if (w >= n)
                continue;               /* an edge out of the graph: ignored */
            if (colour[w] == GREY) {
                copy_cycle(stack, depth, w, cycle, len);
                found = 1;
            } else if (colour[w] == WHITE) {
                colour[w] = GREY;
                stack[depth++] = w;
            }
        }
    }
    free(colour);
    free(stack);
    free(next);
    return found;
}
