/*
 * A small backtracking matcher for JavaScript regular expressions (ECMAScript, no flags), for
 * the one place authentication meets one: directus_settings.auth_password_policy, which Directus
 * applies as new RegExp(policy).test(password). Its two stock policies use lookaheads
 * (`(?=^.{8,}$)(?=.*\d)...`), which POSIX regex lacks, so this implements the JavaScript syntax
 * itself: alternation, groups (capturing, non-capturing, named), lookahead, greedy and lazy
 * quantifiers, classes with ranges and \d \w \s, anchors, \b, backreferences, and the escapes.
 * Matching runs over UTF-16 code units, as a JavaScript string without the u flag does.
 *
 * Work is bounded (steps and nesting), so a hostile pattern or a 1 MB password cannot hang a
 * worker: over the bound the result is "cannot tell" and the caller refuses the password.
 */
#ifndef LIB_AUTH_JSREGEX_H
#define LIB_AUTH_JSREGEX_H

#include "lib/core/arena.h"
#include "lib/core/str.h"

/* Work limits of one jsregex_test call. */
#define JSREGEX_MAX_STEPS 20000000L
#define JSREGEX_MAX_DEPTH 4000

typedef enum {
    JSREGEX_NO_MATCH = 0,
    JSREGEX_MATCH = 1,
    JSREGEX_SYNTAX = -1, /* the pattern is not a valid JavaScript regex (new RegExp throws) */
    JSREGEX_LIMIT = -2,  /* unsupported construct (lookbehind) or a work limit was hit */
} jsregex_result_t;

/* new RegExp(pattern).test(subject): does the pattern match anywhere in subject (UTF-8; bytes
 * that are not UTF-8 read as U+FFFD, as Node decodes them)? Scratch memory from a. */
int jsregex_test(arena_t *a, str_t pattern, str_t subject);

#endif
