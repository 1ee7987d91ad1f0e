/*
 * Test helper: a private copy of the shared SQLite fixture (made by real Directus 11.3.5) and
 * its schema, for the lib/sql and lib/services tests. The shared file is never written: each
 * run works on a copy in /tmp, removed at teardown.
 */
#ifndef TESTS_UNIT_SQL_FIXTURE_H
#define TESTS_UNIT_SQL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/log.h"
#include "lib/db/db.h"
#include "lib/schema/schema.h"

#ifndef SOURCE_ROOT
#define SOURCE_ROOT "."
#endif

typedef struct {
    char path[64];
    conf_t conf;
    db_conn_t *db;
    arena_t *life;
    schema_t *schema;
} fixture_t;

static inline const char *fixture_dir(arena_t *a)
{
    const char *dir = getenv("CELER_FIXTURE_DIR");
    if (dir && *dir)
        return dir;
    const char *shared = getenv("CELER_SHARED");
    if (shared && *shared)
        return arena_printf(a, "%s/fixture", shared);
    return SOURCE_ROOT "/../shared/fixture";
}

/* Copies the fixture and loads its schema; 0 or -1 (message on stderr). */
static inline int fixture_open(fixture_t *f)
{
    memset(f, 0, sizeof *f);
    log_threshold = LOG_ERROR;
    f->life = arena_new();
    const char *src = arena_printf(f->life, "%s/directus-11.3.5-sqlite.db", fixture_dir(f->life));
    FILE *in = fopen(src, "rb");
    if (!in) {
        fprintf(stderr, "cannot open %s (set CELER_FIXTURE_DIR)\n", src);
        return -1;
    }
    strcpy(f->path, "/tmp/celer-items-XXXXXX");
    int fd = mkstemp(f->path);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    char buf[65536];
    size_t n;
    while (out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    if (!out || fclose(out) != 0)
        return -1;
    f->conf.db_client = "sqlite3";
    f->conf.db_filename = f->path;
    f->conf.db_exclude_tables = "spatial_ref_sys,sysdiagrams";
    f->conf.query_limit_default = 100;
    f->conf.query_limit_max = CONF_UNLIMITED;
    f->conf.max_relational_depth = 10;
    f->db = db_new(&f->conf);
    err_t e = {0};
    f->schema = schema_load(f->db, &f->conf, f->life, &e);
    if (!f->schema) {
        fprintf(stderr, "schema_load: %s\n", e.message ? e.message : "?");
        return -1;
    }
    return 0;
}

static inline void fixture_close(fixture_t *f)
{
    schema_free(f->schema);
    db_free(f->db);
    arena_free(f->life);
    unlink(f->path);
}

#endif
