/*
 * killpoint.c - the CW_KILL_AT test hook (see killpoint.h).
 *
 * The settings are read on the first call, under pthread_once because
 * correlation and fetching may call from more than one thread.  Until a
 * variable is set, `hook.active` is 0 and every call returns at once.
 */
#include "killpoint.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct killpoint_hook {
    int active;             /* any CW_KILL_* variable set */
    char phase[32];         /* CW_KILL_AT phase, "" when none */
    long target;            /* fire on this pass (phase) or record number */
    long passes;            /* passes of the phase so far, or records so far */
    long after_ms;          /* -1: kill at the point; else arm a timer */
    long delay_ms;          /* 0: no random delays */
    uint64_t rng;           /* xorshift state of the delays */
    pthread_mutex_t lock;
} killpoint_hook;

static killpoint_hook hook = {.after_ms = -1, .lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;

/* A non-negative decimal, or def when absent or malformed. */
static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    char *end;
    long v;
    if (!s || !*s)
        return def;
    v = strtol(s, &end, 10);
    return (*end || v < 0) ? def : v;
}

static void hook_read(void)
{
    const char *at = getenv("CW_KILL_AT");
    hook.after_ms = env_long("CW_KILL_AFTER_MS", -1);
    hook.delay_ms = env_long("CW_KILL_DELAY_MS", 0);
    hook.rng = (uint64_t)env_long("CW_KILL_SEED", (long)getpid()) * 0x9E3779B97F4A7C15ull + 1;
    hook.target = 1;
    if (at && *at) {
        const char *colon = strchr(at, ':');
        size_t n = colon ? (size_t)(colon - at) : strlen(at);
        if (n >= sizeof(hook.phase))
            n = sizeof(hook.phase) - 1;
        memcpy(hook.phase, at, n);
        hook.phase[n] = '\0';
        if (colon) {
            char *end;
            long v = strtol(colon + 1, &end, 10);
            hook.target = (*end || v < 1) ? 1 : v;
        }
    }
    hook.active = hook.phase[0] != '\0' || hook.delay_ms > 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void *kill_later(void *arg)
{
    sleep_ms((long)(intptr_t)arg);
    kill(getpid(), SIGKILL);
    return NULL;
}

/* Kill now, or CW_KILL_AFTER_MS from now while the run goes on. */
static void fire(void)
{
    pthread_t t;
    if (hook.after_ms < 0) {
        kill(getpid(), SIGKILL);
        return;
    }
    if (pthread_create(&t, NULL, kill_later, (void *)(intptr_t)hook.after_ms) != 0)
        kill(getpid(), SIGKILL);
    pthread_detach(t);
    hook.phase[0] = '\0';       /* armed once */
}

static void random_delay(void)
{
    uint64_t x = hook.rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    hook.rng = x;
    sleep_ms((long)(x % (uint64_t)(hook.delay_ms + 1)));
}

/* Count a pass of `name` and fire when it is the chosen one.  Records get
 * no delay: a sleep per record would turn a test run into minutes. */
static void pass(const char *name, int delay)
{
    pthread_mutex_lock(&hook.lock);
    if (delay && hook.delay_ms > 0)
        random_delay();
    if (hook.phase[0] && strcmp(hook.phase, name) == 0 && ++hook.passes == hook.target)
        fire();
    pthread_mutex_unlock(&hook.lock);
}

void cw_killpoint(const char *phase)
{
    pthread_once(&hook_once, hook_read);
    if (hook.active)
        pass(phase, 1);
}

void cw_killpoint_record(void)
{
    pthread_once(&hook_once, hook_read);
    if (hook.active)
        pass("records", 0);
}
