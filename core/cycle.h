/*
 * cycle.h - find a cycle in a small directed graph (release dependencies:
 * the configuration's depends_on, checked when it loads, and the same
 * edges plus Jira blocks links in the forecast step, transform/forecast.h).
 *
 * Nodes are 0 .. n-1; node i's edges go to adj[i][0 .. n_adj[i]-1].  The
 * search is a depth-first walk from node 0, 1, ... in turn, following each
 * node's edges in their given order, so the cycle reported is the same for
 * the same graph: the first back edge met closes it.  A self edge (i -> i)
 * is a cycle of one node.  No recursion (a long chain cannot overflow the
 * stack).
 */
#ifndef CW_CYCLE_H
#define CW_CYCLE_H

#include <stddef.h>

/* 0 when the graph has no cycle.  Else 1, and *cycle (malloc'd, the caller
 * frees) holds the nodes of one cycle in edge order, *len of them: cycle[0]
 * -> cycle[1] -> ... -> cycle[len-1] -> cycle[0]. */
int cw_cycle_find(size_t n, const size_t *const *adj, const size_t *n_adj, size_t **cycle,
                  size_t *len);

#endif
