/*
 * String slices: a pointer and a length, never owning, never assumed NUL-terminated. Request
 * text stays where the transport put it and is only sliced.
 */
#ifndef LIB_CORE_STR_H
#define LIB_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/core/arena.h"

typedef struct {
    const char *p;
    size_t n;
} str_t;

/* A slice of a string literal, e.g. STR("GET"). */
#define STR(lit) ((str_t){(lit), sizeof(lit) - 1})
#define STR_NULL ((str_t){NULL, 0})

/* A slice of a NUL-terminated string (NULL gives the empty slice). */
str_t str_c(const char *s);

bool str_eq(str_t a, str_t b);
/* Equality with a NUL-terminated string. */
bool str_eq_c(str_t a, const char *b);
/* ASCII case-insensitive equality. */
bool str_ieq_c(str_t a, const char *b);
bool str_starts_with(str_t s, str_t prefix);
/* The value of a hexadecimal digit, either case; -1 for anything else. */
static inline int str_hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* 8-4-4-4-12 hexadecimal digits, either case: the text a uuid key or value must be. */
bool str_is_uuid(str_t s);
/* 64-bit FNV-1a of the bytes: for hash tables, not cryptography. */
uint64_t str_hash(str_t s);
/* Index of the first c in s, or -1. */
long str_index(str_t s, char c);
/* s without leading and trailing spaces and tabs. */
str_t str_trim(str_t s);
/* NUL-terminated copy in the arena. */
char *str_dup(arena_t *a, str_t s);

#endif
