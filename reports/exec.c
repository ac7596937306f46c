/*
 * exec.c - the executive layer of the report model (exec.h): adders, the
 * gather sequence and cleanup.
 *
 * Each part reads the warehouse, never another part of the model: the
 * exceptions digest ranks releases at risk from derived_forecast (written by
 * the derivation), not from r->exec.forecasts.  So the parts can be gathered
 * in any order; they are gathered in the order the page shows them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "report.h"

void cw_report_add_exception(cw_report *r, const cw_report_exception *e)
{
    cw_report_exec *x = &r->exec;
    x->exceptions = cw_grow(x->exceptions, &x->cap_exceptions, x->n_exceptions + 1,
                            sizeof *x->exceptions);
    cw_report_exception *c = &x->exceptions[x->n_exceptions++];
    *c = *e;
    c->kind = cw_report_intern(r, e->kind);
    c->scope = cw_report_intern(r, e->scope);
    c->scope_name = cw_report_intern(r, e->scope_name);
    c->subject = cw_report_intern(r, e->subject);
    c->owner_team = cw_report_intern(r, e->owner_team);
    c->owner = cw_report_intern(r, e->owner);
    c->reason = cw_report_intern(r, e->reason);
    c->url = cw_report_intern(r, e->url);
}

void cw_report_add_forecast(cw_report *r, const cw_report_forecast *f)
{
    cw_report_exec *x = &r->exec;
    x->forecasts = cw_grow(x->forecasts, &x->cap_forecasts, x->n_forecasts + 1,
                           sizeof *x->forecasts);
    cw_report_forecast *c = &x->forecasts[x->n_forecasts++];
    *c = *f;
    c->release = cw_report_intern(r, f->release);
    c->application = cw_report_intern(r, f->application);
    c->team = cw_report_intern(r, f->team);
    c->critical_dependency = cw_report_intern(r, f->critical_dependency);
    c->reason = cw_report_intern(r, f->reason);
}

void cw_report_add_source_state(cw_report *r, const cw_report_source_state *s)
{
    cw_report_trust *t = &r->exec.trust;
    t->sources = cw_grow(t->sources, &t->cap_sources, t->n_sources + 1, sizeof *t->sources);
    cw_report_source_state *c = &t->sources[t->n_sources++];
    *c = *s;
    c->source = cw_report_intern(r, s->source);
    c->type = cw_report_intern(r, s->type);
    c->last_status = cw_report_intern(r, s->last_status);
    c->error = cw_report_intern(r, s->error);
}

void cw_report_add_trust_finding(cw_report *r, const char *line)
{
    cw_report_trust *t = &r->exec.trust;
    t->findings = cw_grow(t->findings, &t->cap_findings, t->n_findings + 1, sizeof *t->findings);
    t->findings[t->n_findings++] = cw_report_intern(r, line);
}

void cw_report_add_legend(cw_report *r, const char *line)
{
    cw_report_headline *h = &r->exec.headline;
    h->legend = cw_grow(h->legend, &h->cap_legend, h->n_legend + 1, sizeof *h->legend);
    h->legend[h->n_legend++] = cw_report_intern(r, line);
}

void cw_report_add_input(cw_report *r, const cw_report_input *in)
{
    cw_report_manifest *m = &r->exec.manifest;
    m->inputs = cw_grow(m->inputs, &m->cap_inputs, m->n_inputs + 1, sizeof *m->inputs);
    cw_report_input *c = &m->inputs[m->n_inputs++];
    *c = *in;
    c->source = cw_report_intern(r, in->source);
    c->sha256 = cw_report_intern(r, in->sha256);
}

int cw_report_gather_exec(cw_db *db, const cw_config *cfg, cw_report *r)
{
    r->exec.cfg = cfg;
    r->exec.forecast_hit_rate = NAN;
    if (cw_report_gather_headline(db, r) != 0 || cw_report_gather_trust(db, r) != 0 ||
        cw_report_gather_exceptions(db, r) != 0 || cw_report_gather_forecasts(db, r) != 0 ||
        cw_report_gather_manifest(db, r) != 0 || cw_report_gather_charts(db, r) != 0)
        return -1;
    return 0;
}

void cw_report_exec_free(cw_report *r)
{
    cw_report_exec *x = &r->exec;
    free(x->headline.legend);
    free(x->trust.sources);
    free(x->trust.findings);
    free(x->exceptions);
    free(x->forecasts);
    free(x->manifest.inputs);
    cw_report_charts_free(r);
    memset(x, 0, sizeof *x);
}

void cw_report_images_free(cw_report_image *images, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(images[i].png);
    free(images);
}
