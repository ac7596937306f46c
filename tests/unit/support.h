/*
 * support.h - shared test helpers: fixture paths and a sink that keeps deep
 * copies of every record, so parser tests can assert on real output.
 */
#ifndef CW_TEST_SUPPORT_H
#define CW_TEST_SUPPORT_H

#include <stddef.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/record.h"

typedef struct cw_capture {
    cw_sink sink;
    cw_work_item *items;       size_t n_items;
    cw_transition *transitions; size_t n_transitions;
    cw_commit *commits;        size_t n_commits;
    cw_build *builds;          size_t n_builds;
    cw_incident *incidents;    size_t n_incidents;
    cw_reject *rejects;        size_t n_rejects;
    cw_pull_request *pulls;    size_t n_pulls;
    cw_deployment_status *statuses; size_t n_statuses;
} cw_capture;

void cw_capture_init(cw_capture *cap);
void cw_capture_free(cw_capture *cap);

/* Lookups by natural key; NULL when absent. */
const cw_work_item *cw_capture_item(const cw_capture *cap, const char *key);
const cw_commit *cw_capture_commit(const cw_capture *cap, const char *sha);
const cw_build *cw_capture_build(const cw_capture *cap, const char *job, long number);
const cw_incident *cw_capture_incident(const cw_capture *cap, const char *id);
const cw_pull_request *cw_capture_pull(const cw_capture *cap, long number);

/* Absolute path of a real fixture: $CW_FIXTURES/<rel> (fails the test when
 * CW_FIXTURES is unset or the file is missing).  Returns a static buffer. */
const char *cw_fixture(const char *rel);
/* Path of a file under tests/data/ of the repository.  Static buffer. */
const char *cw_test_data(const char *rel);
/* Write text to a fresh temporary file; returns its path (static buffer, one at a time). */
const char *cw_temp_file(const char *text, const char *suffix);

/* Parse an ISO timestamp for expectations (fails the test on error). */
int64_t cw_t(const char *iso);

#endif
