/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Parsers read a path, not a buffer, so each harness writes its input to one
 * scratch file (created once per process, in /dev/shm when it exists, else
 * TMPDIR) and hands that path over.  The sink counts records and checks the
 * promises of core/record.h on every one: required fields present, strings
 * NUL-terminated (ASan catches an over-read), origin filled in.  A broken
 * promise aborts, which libFuzzer reports as a crash with the input.
 */
#ifndef CW_FUZZ_H
#define CW_FUZZ_H

#include "core/record.h"

#include <stddef.h>
#include <stdint.h>

/* Write data to the scratch file named `name` (a base name; the folder is
 * made once) and return its path.  Aborts on an I/O error. */
const char *cw_fuzz_file(const char *name, const uint8_t *data, size_t size);

/* A sink whose callbacks check every record; counts in the ctx. */
typedef struct cw_fuzz_counts {
    long items, transitions, commits, builds, incidents, rejects, pulls, statuses, links;
    long pull_commits, pull_reviews;
} cw_fuzz_counts;
void cw_fuzz_sink(cw_sink *sink, cw_fuzz_counts *counts);

/* abort() with a message when cond is false: the fuzzer's crash. */
#define CW_FUZZ_CHECK(cond) cw_fuzz_check((cond), #cond, __FILE__, __LINE__)
void cw_fuzz_check(int ok, const char *what, const char *file, int line);

#endif
