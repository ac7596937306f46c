/*
 * utf8.h - the one UTF-8 check and repair.
 *
 * Every string that reaches the warehouse is UTF-8 (core/record.h), and
 * PostgreSQL refuses anything else.  JSON readers get that from jansson;
 * the configuration, git log exports and CSV files are checked here.
 *
 * Well-formed means Unicode's table 3-7: overlong forms (C0 80, E0 80 80),
 * surrogates (ED A0..BF ..), code points above U+10FFFF (F4 90.., F5..FF)
 * and sequences cut short are invalid.  U+0000 is valid UTF-8 (a NUL byte
 * ends a C string anyway).
 *
 * Repair replaces each maximal subpart of an ill-formed sequence by one
 * U+FFFD, as Unicode recommends ("U+FFFD substitution of maximal
 * subparts", chapter 3.9): the longest prefix of a well-formed sequence
 * becomes one U+FFFD, a byte that can start none becomes one U+FFFD of its
 * own.  So "caf\xE9" (Latin-1) is "caf\uFFFD", "\xE2\x82" (a cut euro sign)
 * is one U+FFFD, and "\xC0\x80" (overlong NUL) is two.
 */
#ifndef CW_UTF8_H
#define CW_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8, else 0. */
int cw_utf8_valid(const char *s, size_t len);

/* A NUL-terminated copy of s[0..len) with each maximal invalid subpart
 * replaced by U+FFFD (EF BF BD); caller frees.  *replaced (may be NULL)
 * gets the number of replacements, 0 when s was valid. */
char *cw_utf8_repair(const char *s, size_t len, size_t *replaced);

#endif
