/*
 * log.h - logging and progress.
 *
 * Messages go to stderr as "catwalk: LEVEL: text", the one error format of
 * every command.  When stderr is connected to the systemd journal
 * (JOURNAL_STREAM names it), each line starts with its syslog priority
 * ("<3>" error, "<4>" warning, "<6>" info, "<7>" debug; sd-daemon(3)), so
 * `journalctl -p err` finds the errors of a timer's run.  Progress lines are
 * shown only when stderr is a terminal (and never with --quiet), so cron mail
 * stays short.  Nothing secret is ever passed here: callers log URLs without
 * credentials and never log tokens.
 */
#ifndef CW_LOG_H
#define CW_LOG_H

typedef enum cw_log_level { CW_LOG_ERROR, CW_LOG_WARN, CW_LOG_INFO, CW_LOG_DEBUG } cw_log_level;

void cw_log_set_level(cw_log_level level);
cw_log_level cw_log_get_level(void);
void cw_log(cw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define cw_error(...) cw_log(CW_LOG_ERROR, __VA_ARGS__)
#define cw_warn(...)  cw_log(CW_LOG_WARN, __VA_ARGS__)
#define cw_info(...)  cw_log(CW_LOG_INFO, __VA_ARGS__)
#define cw_debug(...) cw_log(CW_LOG_DEBUG, __VA_ARGS__)

/* Messages of the calling thread go to fn instead of stderr (fn NULL:
 * back to stderr), already filtered by level and formatted.  A parse worker
 * (pipeline/parallel.c) records its messages on its tape this way, so they
 * are printed by the writer in file order, whatever thread parsed the file. */
typedef void (*cw_log_capture_fn)(void *ctx, cw_log_level level, const char *text);
void cw_log_capture(cw_log_capture_fn fn, void *ctx);

/* -v: how long each phase of a run took.  cw_phase_start reads a monotonic
 * clock; cw_phase_done logs "phase NAME: 1.24 s" at debug level. */
double cw_phase_start(void);
void cw_phase_done(const char *phase, double started);

/* A transient "\r label: N items" line on a TTY, at most a few times a second. */
void cw_progress(const char *label, long done, long total /* -1 unknown */);
void cw_progress_end(void);

#endif
