/*
 * log.c - logging and TTY progress (see log.h).
 *
 * The level is configuration (set once from the command line), the only
 * process-wide state besides the config itself.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static cw_log_level current_level = CW_LOG_INFO;
static int progress_shown;
/* Live sources are fetched by several threads: one line at a time. */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
/* The calling thread's capture (cw_log_capture), not shared between threads. */
static _Thread_local struct {
    cw_log_capture_fn fn;
    void *ctx;
} capture;

static void progress_clear_locked(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
}

void cw_log_set_level(cw_log_level level)
{
    current_level = level;
}

cw_log_level cw_log_get_level(void)
{
    return current_level;
}

static const char *level_name(cw_log_level level)
{
    switch (level) {
    case CW_LOG_ERROR: return "error";
    case CW_LOG_WARN: return "warning";
    case CW_LOG_INFO: return "info";
    default: return "debug";
    }
}

/* The syslog priority of a level (sd-daemon(3) prefixes). */
static int level_priority(cw_log_level level)
{
    switch (level) {
    case CW_LOG_ERROR: return 3;
    case CW_LOG_WARN: return 4;
    case CW_LOG_INFO: return 6;
    default: return 7;
    }
}

/* 1 when stderr is the journal: systemd sets JOURNAL_STREAM to the
 * "device:inode" of the stream it connected, and a redirected stderr (a
 * child's pipe, a file) no longer matches it.  Asked once: stderr does not
 * change under a running command. */
static int stderr_is_journal(void)
{
    static int known = -1;
    if (known < 0) {
        const char *env = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        known = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    }
    return known;
}

void cw_log_capture(cw_log_capture_fn fn, void *ctx)
{
    capture.fn = fn;
    capture.ctx = ctx;
}

/* A message for the capture: formatted once, freed after the call. */
static void log_captured(cw_log_level level, const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    capture.fn(capture.ctx, level, text ? text : fmt);
    free(text);
}

void cw_log(cw_log_level level, const char *fmt, ...)
{
    va_list ap;
    if (level > current_level)
        return;
    if (capture.fn) {
        va_start(ap, fmt);
        log_captured(level, fmt, ap);
        va_end(ap);
        return;
    }
    pthread_mutex_lock(&output_lock);
    progress_clear_locked();
    if (stderr_is_journal())
        fprintf(stderr, "<%d>", level_priority(level));
    fprintf(stderr, "catwalk: %s: ", level_name(level));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&output_lock);
}

double cw_phase_start(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

void cw_phase_done(const char *phase, double started)
{
    cw_debug("phase %s: %.2f s", phase, cw_phase_start() - started);
}

void cw_progress(const char *label, long done, long total)
{
    static struct timespec last;
    struct timespec now;
    if (current_level < CW_LOG_INFO || !isatty(STDERR_FILENO))
        return;
    pthread_mutex_lock(&output_lock);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!progress_shown || (now.tv_sec - last.tv_sec) * 1000 +
                               (now.tv_nsec - last.tv_nsec) / 1000000 >= 200) {
        last = now;
        if (total >= 0)
            fprintf(stderr, "\r\033[K%s: %ld/%ld", label, done, total);
        else
            fprintf(stderr, "\r\033[K%s: %ld", label, done);
        progress_shown = 1;
    }
    pthread_mutex_unlock(&output_lock);
}

void cw_progress_end(void)
{
    pthread_mutex_lock(&output_lock);
    progress_clear_locked();
    pthread_mutex_unlock(&output_lock);
}
