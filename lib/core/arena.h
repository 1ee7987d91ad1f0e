/*
 * Region allocator: every object of a request lives in one arena that is reset in one go when
 * the request ends (nginx r->pool, h2o req->pool). Foreign handles (json-c roots, PGresult, ...)
 * are registered with arena_defer() and released on reset, newest first.
 */
#ifndef LIB_CORE_ARENA_H
#define LIB_CORE_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

/* A new empty arena on the heap. Never NULL (aborts on OOM). Free with arena_free(). */
arena_t *arena_new(void);

/* Runs the deferred cleanups, then releases every block. */
void arena_free(arena_t *a);

/* Runs the deferred cleanups (LIFO) and forgets every allocation, keeping the first block so a
 * worker's steady state does no malloc at all. Pointers from before the reset are dead. */
void arena_reset(arena_t *a);

/* n bytes aligned for any type, uninitialised; valid until the next reset. Never NULL: on OOM the
 * process logs and aborts, and the master respawns the worker. */
void *arena_alloc(arena_t *a, size_t n);

/* Like arena_alloc() but zeroed. */
void *arena_calloc(arena_t *a, size_t count, size_t size);

/* Grows the most recent allocation in place when possible, else copies. Old contents kept. */
void *arena_realloc(arena_t *a, void *p, size_t old_n, size_t new_n);

/* NUL-terminated copy of n bytes of s in the arena. */
char *arena_strndup(arena_t *a, const char *s, size_t n);

/* Copy of a NUL-terminated string. */
char *arena_strdup(arena_t *a, const char *s);

/* printf into the arena; the result is NUL-terminated. */
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers fn(p) to run at the next reset or free, after every cleanup registered later. */
void arena_defer(arena_t *a, void (*fn)(void *), void *p);

/* Bytes handed out since the last reset (statistics and tests). */
size_t arena_used(const arena_t *a);

#endif
