/*
 * test_util.c - core/util.c: the one growth helper every growable array
 * uses (cw_grow), the decimal parser configuration and option checks share
 * (cw_parse_decimal) and the folder sweep (cw_remove_entries).
 */
#include "support.h"
#include "core/util.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Room for `need` elements, first 16, then doubling: the capacity says how
 * many elements fit and every element written so far survives a move. */
static void test_grow_doubles_and_keeps(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        v = cw_grow(v, &cap, n + 1, sizeof *v);
        v[n] = (int)n * 3;
        assert_true(cap >= n + 1);
    }
    /* 16, 32, 64, 128: worked out by hand from the doubling rule. */
    assert_int_equal(cap, 128);
    for (size_t n = 0; n < 100; n++)
        assert_int_equal(v[n], (int)n * 3);
    free(v);
}

/* A need within the capacity leaves the array where it is; a need far
 * beyond the next doubling is met in one call. */
static void test_grow_no_move_and_big_jump(void **state)
{
    (void)state;
    size_t cap = 0;
    char *p = cw_grow(NULL, &cap, 1, 1);
    assert_int_equal(cap, 16);
    assert_ptr_equal(cw_grow(p, &cap, 16, 1), p);
    assert_int_equal(cap, 16);
    p = cw_grow(p, &cap, 1000, 1);
    assert_int_equal(cap, 1024);
    memset(p, 'x', 1000);
    free(p);
}

/* A size that cannot be represented aborts like an allocation failure,
 * rather than wrapping into a small buffer that is then overrun. */
static int grow_in_child(size_t need, size_t elem)
{
    pid_t pid = fork();
    int status = 0;
    if (pid == 0) {
        size_t cap = 0;
        void *p;
        freopen("/dev/null", "w", stderr);
        p = cw_grow(NULL, &cap, need, elem);
        free(p);
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_grow_overflow_aborts(void **state)
{
    (void)state;
    int status = grow_in_child(SIZE_MAX / 8 + 2, 16);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    status = grow_in_child(SIZE_MAX, 1);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles_and_keeps),
        cmocka_unit_test(test_grow_no_move_and_big_jump),
        cmocka_unit_test(test_grow_overflow_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
