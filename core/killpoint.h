/*
 * killpoint.h - a test hook that kills the process at a chosen point.
 *
 * Crash safety is a claim about every instant of a batch, so the kill test
 * (tests/e2e/test_kill.py) needs to stop catwalk at exact, repeatable places:
 * after the Nth record, in the middle of correlation, just before COMMIT, in
 * the middle of writing a report.  The code marks those places with one call
 * each; the environment chooses which one fires:
 *
 *   CW_KILL_AT=PHASE[:N]  raise SIGKILL the Nth time (default the first) the
 *                         run reaches point PHASE: land, parse, load, resolve,
 *                         correlate, views, commit, committed, report
 *   CW_KILL_AT=records:N  raise SIGKILL when the warehouse sink receives its
 *                         Nth record (every record counts, rejects included)
 *   CW_KILL_AFTER_MS=N    do not kill at the point itself: start a timer there
 *                         and kill N ms later, wherever the work has got to
 *                         (a kill inside a library call, e.g. a report being
 *                         written)
 *   CW_KILL_DELAY_MS=N    sleep a random 0..N ms at every named point, so
 *                         that races between steps are exercised
 *   CW_KILL_SEED=N        seed of those delays (default: from the pid)
 *
 * The environment is read once.  With none of these set a point costs one
 * load and one branch, and nothing else changes.
 */
#ifndef CW_KILLPOINT_H
#define CW_KILLPOINT_H

/* A named point of the run (one of the phases above). */
void cw_killpoint(const char *phase);

/* One record reached the warehouse sink. */
void cw_killpoint_record(void);

#endif
