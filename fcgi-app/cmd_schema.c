/*
 * celer-fcgi schema: schema commands.
 *
 *   celer-fcgi schema snapshot [--time]
 *
 * `snapshot` loads the schema from the configured database (DB_* settings) and prints it as
 * Directus's GET /schema/snapshot answers it, {"data":{…}}, on stdout. With --time it also
 * reports on stderr how long the load took: the connection, the first (cold) load and the mean
 * of ten more loads on the open connection.
 */
#include "fcgi-app/cmd_schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/arena.h"
#include "lib/core/buf.h"
#include "lib/core/err.h"
#include "lib/core/json.h"
#include "lib/db/db.h"
#include "lib/schema/schema.h"
#include "lib/schema/snapshot.h"

#define WARM_LOADS 10

static int usage(FILE *f)
{
    fprintf(
        f, "usage: celer-fcgi schema snapshot [--time]\n"
           "  snapshot  print the schema of the configured database as Directus's\n"
           "            GET /schema/snapshot does ({\"data\":{...}}, system collections left out)\n"
           "  --time    report the schema load time on stderr\n");
    return f == stdout ? 0 : 2;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Loads the schema WARM_LOADS more times on the open connection and prints the timings. */
static void report(db_conn_t *db, const conf_t *conf, const schema_t *s, double connect_ms)
{
    double total = 0;
    arena_t *a = arena_new();
    for (int i = 0; i < WARM_LOADS; i++) {
        err_t e = {0};
        schema_t *again = schema_load(db, conf, a, &e);
        if (!again)
            break;
        total += (double)schema_load_usec(again) / 1e3;
        schema_free(again);
    }
    arena_free(a);
    fprintf(stderr,
            "schema: %s, %zu collections, %zu relations, %u queries per load, %zu KiB; "
            "connect %.2f ms, cold load %.2f ms, warm load %.2f ms (mean of %d)\n",
            db_client_name(db), schema_collection_count(s), schema_relation_count(s),
            schema_load_queries(s), schema_memory(s) / 1024, connect_ms,
            (double)schema_load_usec(s) / 1e3, total / WARM_LOADS, WARM_LOADS);
}

static int snapshot(const conf_t *conf, bool timing)
{
    arena_t *a = arena_new();
    db_conn_t *db = db_new(conf);
    err_t e = {0};
    int status = 1;
    double t0 = now_ms();
    /* Connecting first keeps the connection out of the load time --time reports. */
    if (timing && db_connect(db, a, &e) < 0) {
        fprintf(stderr, "celer-fcgi schema: %s\n", e.message);
        goto out;
    }
    double connect_ms = now_ms() - t0;
    schema_t *s = schema_load(db, conf, a, &e);
    if (!s) {
        fprintf(stderr, "celer-fcgi schema: %s\n", e.message);
        goto out;
    }
    buf_t b;
    buf_init(&b, a, 1 << 16);
    buf_puts(&b, "{\"data\":");
    json_write(&b, schema_snapshot(a, s));
    buf_puts(&b, "}\n");
    status = fwrite(b.p, 1, b.n, stdout) == b.n && fflush(stdout) == 0 ? 0 : 1;
    if (timing)
        report(db, conf, s, connect_ms);
    schema_free(s);
out:
    db_free(db);
    arena_free(a);
    return status;
}

int cmd_schema(const conf_t *conf, int argc, char **argv)
{
    bool timing = false;
    const char *sub = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "help"))
            return usage(stdout);
        if (!strcmp(argv[i], "--time"))
            timing = true;
        else if (!sub && argv[i][0] != '-')
            sub = argv[i];
        else
            return usage(stderr);
    }
    if (!sub || strcmp(sub, "snapshot") != 0 || !conf)
        return usage(stderr);
    return snapshot(conf, timing);
}
