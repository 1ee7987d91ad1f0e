#include "lib/cache/generation.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>
#include <time.h>

#include "lib/core/str.h"

typedef struct {
    _Atomic uint64_t value[GEN_COUNT];
    _Atomic uint64_t tag[GEN_TAG_SLOTS];
    _Atomic uint64_t redis_lost; /* 0, or a count of failures since the last recovery */
    _Atomic uint64_t bus_lost;
} gen_page_t;

static gen_page_t local_page;
static gen_page_t *page = &local_page;
static void (*publisher)(gen_kind_t, void *);
static void *publisher_arg;

int gen_shm_init(void)
{
    if (page != &local_page)
        return 0;
    void *p =
        mmap(NULL, sizeof(gen_page_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    page = p; /* anonymous pages start zeroed: every counter at 0 */
    return 0;
}

uint64_t gen_get(gen_kind_t k)
{
    return atomic_load_explicit(&page->value[k], memory_order_acquire);
}

void gen_bump_remote(gen_kind_t k)
{
    atomic_fetch_add_explicit(&page->value[k], 1, memory_order_acq_rel);
}

void gen_bump(gen_kind_t k)
{
    gen_bump_remote(k);
    if (publisher)
        publisher(k, publisher_arg);
}

void gen_set_publisher(void (*fn)(gen_kind_t, void *), void *arg)
{
    publisher = fn;
    publisher_arg = arg;
}

static size_t tag_slot(const char *name)
{
    return (size_t)(str_hash(str_c(name)) % GEN_TAG_SLOTS);
}

uint64_t gen_tag_get(const char *collection)
{
    return atomic_load_explicit(&page->tag[tag_slot(collection)], memory_order_acquire);
}

void gen_tag_bump(const char *collection)
{
    atomic_fetch_add_explicit(&page->tag[tag_slot(collection)], 1, memory_order_acq_rel);
}

/* The "lost" flags: 0, or a count of failures since they were last lowered. */
static void flag_raise(_Atomic uint64_t *f)
{
    atomic_fetch_add_explicit(f, 1, memory_order_acq_rel);
}

static bool flag_lower(_Atomic uint64_t *f, uint64_t seen)
{
    return atomic_compare_exchange_strong_explicit(f, &seen, 0, memory_order_acq_rel,
                                                   memory_order_acquire);
}

void gen_redis_lost(void)
{
    flag_raise(&page->redis_lost);
}

uint64_t gen_redis_lost_get(void)
{
    return atomic_load_explicit(&page->redis_lost, memory_order_acquire);
}

bool gen_redis_recovered(uint64_t seen)
{
    return flag_lower(&page->redis_lost, seen);
}

void gen_bus_lost(void)
{
    flag_raise(&page->bus_lost);
}

uint64_t gen_bus_lost_get(void)
{
    return atomic_load_explicit(&page->bus_lost, memory_order_acquire);
}

bool gen_bus_recovered(uint64_t seen)
{
    return flag_lower(&page->bus_lost, seen);
}

uint64_t gen_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool gen_fresh(gen_kind_t k, uint64_t built_gen, uint64_t built_ms)
{
    return gen_get(k) == built_gen && gen_now_ms() - built_ms < GEN_MAX_AGE_MS;
}
