/* pg.c — the PostgreSQL history backend: connecting, is the database ours,
 * the schema and its migrations, error mapping, storing and loading runs.
 *
 * A history is the schema "perfkit" of the database the URL names; its
 * table perfkit.meta holds the application marker ("perfkit-history") and
 * the schema version. A database is only written after it proved to be
 * ours: either it has that marker, or it holds no tables at all (a fresh
 * database). A database with tables of another program and no marker, a
 * "perfkit" schema without our marker, or a newer schema version is
 * PK_ECORRUPT and left untouched. Migrations run in one transaction under
 * an advisory lock, re-checked after it is taken, so concurrent first opens
 * migrate once. Every write is one transaction; storing runs takes a
 * second advisory lock, so writers from many runners queue (as SQLite's
 * IMMEDIATE transactions do) and run ids ascend without gaps in commit
 * order: id = max(id) + 1 under the lock. A writer killed at any moment
 * leaves an open transaction the server rolls back when its connection
 * drops: nothing of the run is stored, every earlier run stays. Samples are
 * a bytea of little-endian doubles, sent and read in binary (exact round
 * trip, no parsing). Text that is not UTF-8 (a branch name git allowed),
 * which the server refuses, is sent with its stray bytes as private-use
 * characters and read back as the same bytes (pg_param.c). libpq's
 * notices never reach the terminal (a library
 * does not print). The password of the URL never appears in a message.
 * References: https://www.postgresql.org/docs/15/libpq.html,
 * https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "core/buf.h"
#include "store/pg_int.h"

#define PG_APP "perfkit-history"
#define LOCK_SCHEMA "7064686973636800"   /* advisory lock keys: schema changes */
#define LOCK_WRITE "7064686973637700"    /* storing runs */

/* Schema steps; meta.schema_version = number of steps applied. Append only.
 * Indexes as in SQLite (sqlite_schema.c): the baseline search walks
 * results(benchmark, run_id) or runs(branch, fingerprint, id) newest first
 * and probes the other by key; COLLATE "C" orders names byte-wise, as
 * SQLite does, whatever the database's locale. */
static const char *const migrations[] = {
    "CREATE SCHEMA IF NOT EXISTS " PG_SCHEMA ";"
    "CREATE TABLE " PG_SCHEMA ".meta(key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE " PG_SCHEMA ".runs("
    " id bigint PRIMARY KEY,"
    " started_unix_ns bigint NOT NULL,"
    " \"commit\" text COLLATE \"C\" NOT NULL,"
    " branch text COLLATE \"C\" NOT NULL,"
    " dirty boolean NOT NULL,"
    " perfkit_version text NOT NULL,"
    " cpu_model text NOT NULL,"
    " cores integer NOT NULL,"
    " kernel text NOT NULL,"
    " arch text NOT NULL,"
    " hostname text NOT NULL,"
    " mem_bytes bigint NOT NULL,"
    " fingerprint text COLLATE \"C\" NOT NULL,"
    " config_hash text NOT NULL);"
    "CREATE TABLE " PG_SCHEMA ".results("
    " id bigserial PRIMARY KEY,"
    " run_id bigint NOT NULL REFERENCES " PG_SCHEMA ".runs(id) ON DELETE CASCADE,"
    " benchmark text COLLATE \"C\" NOT NULL,"
    " primary_figure text,"
    " error text,"
    " UNIQUE(run_id, benchmark));"
    "CREATE TABLE " PG_SCHEMA ".series("
    " result_id bigint NOT NULL REFERENCES " PG_SCHEMA ".results(id) ON DELETE CASCADE,"
    " pos integer NOT NULL,"
    " figure text COLLATE \"C\" NOT NULL,"
    " kind integer NOT NULL,"
    " n integer NOT NULL,"
    " samples bytea NOT NULL,"   /* n little-endian IEEE-754 doubles */
    " UNIQUE(result_id, figure));"
    "CREATE TABLE " PG_SCHEMA ".pins("
    " benchmark text COLLATE \"C\" PRIMARY KEY,"
    " run_id bigint NOT NULL REFERENCES " PG_SCHEMA ".runs(id) ON DELETE CASCADE);"
    "CREATE TABLE " PG_SCHEMA ".profiles("
    " run_id bigint NOT NULL REFERENCES " PG_SCHEMA ".runs(id) ON DELETE CASCADE,"
    " benchmark text COLLATE \"C\" NOT NULL,"
    " kind text COLLATE \"C\" NOT NULL,"
    " size bigint NOT NULL,"   /* bytes of the folded text */
    " data bytea NOT NULL,"    /* zlib stream (RFC 1950) of the folded text */
    " PRIMARY KEY(run_id, benchmark, kind));"
    "CREATE INDEX results_benchmark ON " PG_SCHEMA ".results(benchmark, run_id);"
    "CREATE INDEX runs_branch_fp ON " PG_SCHEMA ".runs(branch, fingerprint, id);"
    "CREATE INDEX runs_branch ON " PG_SCHEMA ".runs(branch, id);"
    "CREATE INDEX runs_fp ON " PG_SCHEMA ".runs(fingerprint, id);"
    "CREATE INDEX runs_commit ON " PG_SCHEMA ".runs(\"commit\", id);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* libpq's messages span lines ("...failed: X\n\tIs the server running...");
 * one line of them, without the trailing newline, into out[len]. */
static void one_line(const char *msg, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = msg; *p && o + 3 < len; p++) {
        if (*p == '\n') {
            while (p[1] == '\n' || p[1] == '\t' || p[1] == ' ')
                p++;
            if (p[1])
                out[o++] = ';', out[o++] = ' ';
        } else if (*p != '\r') {
            out[o++] = *p == '\t' ? ' ' : *p;
        }
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ';'))
        o--;
    out[o] = '\0';
}

/* The error of a failed statement (res may be NULL: the connection's). */
static pk_err pg_fail(pk_store *s, const PGresult *res, const char *what)
{
    pk__pg *g = s->state;
    char msg[320];
    one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(g->conn), msg, sizeof msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        state = "";
    if (PQstatus(g->conn) == CONNECTION_BAD || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0)
        return pk__store_fail(s, PK_EIO, "history %s: lost the connection to the server while "
                              "%s (%s)", g->name, what, msg);
    pk_err e = PK_EIO;
    if (!strcmp(state, "55P03") || !strcmp(state, "40001") || !strcmp(state, "40P01"))
        return pk__store_fail(s, PK_EBUSY, "history %s is locked by another writer (waited %d "
                              "ms) while %s", g->name, g->lock_timeout_ms, what);
    if (!strcmp(state, "53200"))
        e = PK_ENOMEM;
    else if (!strcmp(state, "42501") || !strcmp(state, "25006"))
        e = PK_EPERM;
    else if (!strncmp(state, "23", 2))
        e = PK_EINVAL;
    else if (!strncmp(state, "XX", 2))
        e = PK_ECORRUPT;
    return pk__store_fail(s, e, "history %s: %s while %s", g->name, msg, what);
}

pk_err pk__pg_exec(pk_store *s, const char *sql, const pk__pg_params *p, PGresult **res,
                   const char *what)
{
    pk__pg *g = s->state;
    if (res)
        *res = NULL;
    const char *val[PG_MAX_PARAMS];
    char *own[PG_MAX_PARAMS] = {0};
    bool oom = false;
    for (int i = 0; p && i < p->n; i++) {
        own[i] = p->fmt[i] == 0 && p->val[i] ? pk__pg_utf8_text(p->val[i], &oom) : NULL;
        val[i] = own[i] ? own[i] : p->val[i];
    }
    PGresult *r = oom ? NULL : PQexecParams(g->conn, sql, p ? p->n : 0, NULL, p ? val : NULL,
                                            p ? p->len : NULL, p ? p->fmt : NULL, 1);
    for (int i = 0; p && i < p->n; i++)
        pk_free(own[i]);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        pk_err e = !r ? pk__store_fail(s, PK_ENOMEM, "out of memory while %s", what)
                      : pg_fail(s, r, what);
        PQclear(r);
        return e;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return PK_OK;
}

pk_err pk__pg_one_int(pk_store *s, const char *sql, const pk__pg_params *p, int64_t *out,
                      const char *what)
{
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, sql, p, &r, what);
    *out = 0;
    if (e == PK_OK && PQntuples(r) > 0)
        *out = pk__pg_get_int(r, 0, 0);
    PQclear(r);
    return e;
}

/* ---- transactions ----------------------------------------------------------- */

pk_err pk__pg_begin(pk_store *s, bool lock, const char *what)
{
    pk__pg *g = s->state;
    pk_err e = pk__pg_exec(s, "BEGIN", NULL, NULL, what);
    if (e != PK_OK)
        return e;
    g->in_tx = true;
    if (lock && (e = pk__pg_exec(s, "SELECT pg_advisory_xact_lock(x'" LOCK_WRITE "'::bigint)",
                                 NULL, NULL, what)) != PK_OK)
        pk__pg_abort(s);
    return e;
}

pk_err pk__pg_commit(pk_store *s, const char *what)
{
    pk__pg *g = s->state;
    pk_err e = pk__pg_exec(s, "COMMIT", NULL, NULL, what);
    if (e == PK_OK)
        g->in_tx = false;
    return e;
}

void pk__pg_abort(pk_store *s)
{
    pk__pg *g = s->state;
    if (!g->in_tx)
        return;
    char keep[PK__STORE_ERRLEN];
    memcpy(keep, s->err, sizeof keep);
    PQclear(PQexec(g->conn, "ROLLBACK"));
    memcpy(s->err, keep, sizeof keep);
    g->in_tx = false;
}

/* ---- is it ours? ------------------------------------------------------------ */

static pk_err not_ours(pk_store *s, const char *why)
{
    pk__pg *g = s->state;
    return pk__store_fail(s, PK_ECORRUPT, "%s is not a perfkit history (%s); refusing to touch "
                          "it — give perfkit a database of its own", g->name, why);
}

/* The schema version of the database (0: fresh, no tables at all), or
 * PK_ECORRUPT when it is not ours or newer. */
static pk_err check_schema(pk_store *s, int *version)
{
    static const char probe[] =
        "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = '" PG_SCHEMA "'),"
        " to_regclass('" PG_SCHEMA ".meta') IS NOT NULL,"
        " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'),"
        " (SELECT n.nspname || '.' || c.relname FROM pg_class c"
        "  JOIN pg_namespace n ON n.oid = c.relnamespace"
        "  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
        "  ORDER BY 1 LIMIT 1)";
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, probe, NULL, &r, "reading the history's header");
    if (e != PK_OK)
        return e;
    bool has_meta = pk__pg_get_int(r, 0, 1) != 0;
    int64_t tables = pk__pg_get_int(r, 0, 2);
    char first[200];
    pk__pg_get_text(r, 0, 3, first, sizeof first);
    PQclear(r);
    *version = 0;
    if (!has_meta) {
        if (tables == 0)
            return PK_OK;
        char why[256];
        snprintf(why, sizeof why, "it holds tables of another program, such as %s", first);
        return not_ours(s, why);
    }
    if ((e = pk__pg_exec(s, "SELECT (SELECT value FROM " PG_SCHEMA ".meta WHERE key = "
                         "'application'), (SELECT value FROM " PG_SCHEMA ".meta WHERE key = "
                         "'schema_version')", NULL, &r, "reading the history's header")) != PK_OK)
        return e;
    char app[64], ver[32];
    pk__pg_get_text(r, 0, 0, app, sizeof app);
    pk__pg_get_text(r, 0, 1, ver, sizeof ver);
    PQclear(r);
    if (strcmp(app, PG_APP) != 0)
        return not_ours(s, "its table " PG_SCHEMA ".meta has no perfkit marker");
    int v = 0;
    if (sscanf(ver, "%d", &v) != 1 || v < 1)
        return pk__store_fail(s, PK_ECORRUPT, "history %s is damaged (schema version '%s'); "
                              "refusing to touch it", ((pk__pg *)s->state)->name, ver);
    if (v > SCHEMA_VERSION)
        return pk__store_fail(s, PK_ECORRUPT, "history %s was written by a newer perfkit "
                              "(schema %d; this build knows up to %d); refusing to touch it "
                              "— upgrade perfkit", ((pk__pg *)s->state)->name, v, SCHEMA_VERSION);
    *version = v;
    return PK_OK;
}

/* Bring the schema to SCHEMA_VERSION in one transaction under the schema
 * lock, re-checked once the lock is held. */
static pk_err migrate(pk_store *s, int version)
{
    if (version >= SCHEMA_VERSION)
        return PK_OK;
    pk_err e = pk__pg_begin(s, false, "starting the schema upgrade");
    if (e != PK_OK)
        return e;
    if ((e = pk__pg_exec(s, "SELECT pg_advisory_xact_lock(x'" LOCK_SCHEMA "'::bigint)", NULL,
                         NULL, "starting the schema upgrade")) == PK_OK)
        e = check_schema(s, &version);   /* again, under the lock */
    for (int v = version; e == PK_OK && v < SCHEMA_VERSION; v++) {   /* several statements */
        PGresult *r = PQexec(((pk__pg *)s->state)->conn, migrations[v]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            e = r ? pg_fail(s, r, "upgrading the schema")
                  : pk__store_fail(s, PK_ENOMEM, "out of memory upgrading the schema");
        PQclear(r);
    }
    if (e == PK_OK && version < SCHEMA_VERSION) {
        pk__pg_params p = {0};
        pk__pg_text(&p, PG_APP);
        pk__pg_int(&p, SCHEMA_VERSION);
        e = pk__pg_exec(s, "INSERT INTO " PG_SCHEMA ".meta(key, value) VALUES"
                        " ('application', $1), ('schema_version', $2::text)"
                        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", &p, NULL,
                        "upgrading the schema");
    }
    if (e == PK_OK)
        e = pk__pg_commit(s, "committing the schema upgrade");
    if (e != PK_OK)
        pk__pg_abort(s);
    return e;
}

/* ---- connecting ---------------------------------------------------------------- */

static void no_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Why the connection failed, mapped: wrong credentials PK_EPERM, a
 * database that does not exist or a setting libpq refuses (sslmode=bogus)
 * PK_EINVAL, everything else (server down,
 * unreachable, timed out) PK_EIO. */
static pk_err connect_fail(pk_store *s)
{
    pk__pg *g = s->state;
    char msg[320];
    one_line(PQerrorMessage(g->conn), msg, sizeof msg);
    if (strstr(msg, "authentication failed") || strstr(msg, "no password supplied") ||
        strstr(msg, "password authentication") || (strstr(msg, "role \"") &&
                                                   strstr(msg, "does not exist")))
        return pk__store_fail(s, PK_EPERM, "history %s: the server refused the credentials "
                              "(%s)", g->name, msg);
    if (strncmp(msg, "invalid ", 8) == 0)   /* a setting's value: `invalid sslmode value` */
        return pk__store_fail(s, PK_EINVAL, "history %s is not a valid PostgreSQL URL: %s",
                              g->name, msg);
    if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
        return pk__store_fail(s, PK_EINVAL, "history %s: %s — create the database first "
                              "(createdb)", g->name, msg);
    return pk__store_fail(s, PK_EIO, "cannot reach the history server %s: %s", g->name, msg);
}

static pk_err connect_db(pk_store *s, const char *url)
{
    pk__pg *g = s->state;
    /* a URL libpq cannot parse is the user's to fix, not a server down */
    char *perr = NULL;
    PQconninfoOption *parsed = PQconninfoParse(url, &perr);
    if (!parsed) {
        if (!perr)
            return pk__store_fail(s, PK_ENOMEM, "out of memory connecting to %s", g->name);
        char msg[320];
        one_line(perr, msg, sizeof msg);
        PQfreemem(perr);
        return pk__store_fail(s, PK_EINVAL, "history %s is not a valid PostgreSQL URL: %s",
                              g->name, msg);
    }
    PQconninfoFree(parsed);
    /* ours first: the URL's own settings override them */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *vals[] = {"10", "perfkit", url, NULL};
    g->conn = PQconnectdbParams(keys, vals, 1);
    if (!g->conn)
        return pk__store_fail(s, PK_ENOMEM, "out of memory connecting to %s", g->name);
    if (PQstatus(g->conn) != CONNECTION_OK)
        return connect_fail(s);
    PQsetNoticeProcessor(g->conn, no_notices, NULL);
    char sql[160];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d; SET client_min_messages = warning%s",
             g->lock_timeout_ms, g->read_only ? "; SET default_transaction_read_only = on" : "");
    PGresult *r = PQexec(g->conn, sql);
    pk_err e = PQresultStatus(r) == PGRES_COMMAND_OK ? PK_OK
                                                      : pg_fail(s, r, "configuring the session");
    PQclear(r);
    return e;
}

static void pg_close(pk_store *s)
{
    pk__pg *g = s->state;
    if (!g)
        return;
    PQfinish(g->conn);
    pk_free(g->scratch);
    pk_free(g->text);
    pk_free(g->name);
    pk_free(g);
    s->state = NULL;
}

pk_err pk__store_pg_open(pk_store *s, const char *url, const pk_store_opts *o)
{
    pk__pg *g = pk_calloc(1, sizeof *g);
    char *name = pk__store_redact(url);
    if (!g || !name) {
        pk_free(g);
        pk_free(name);
        return pk__store_fail(s, PK_ENOMEM, "out of memory opening history %s", "(URL)");
    }
    g->name = name;
    g->lock_timeout_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 1;   /* 0 = no limit */
    g->read_only = o->read_only;
    s->state = g;
    s->be = &pk__pg_backend;
    int version = 0;
    pk_err e = connect_db(s, url);
    if (e == PK_OK)
        e = check_schema(s, &version);
    if (e == PK_OK && version == 0 && (o->read_only || !o->create))
        e = pk__store_fail(s, PK_ENOENT, "history %s holds no runs yet", g->name);
    if (e == PK_OK && !o->read_only)
        e = migrate(s, version);
    if (e != PK_OK) {
        pg_close(s);
        s->be = NULL;
    }
    return e;
}

/* ---- samples: n little-endian doubles ------------------------------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PK_HOST_LE 1
#else
#define PK_HOST_LE 0
#endif

/* The samples of se as little-endian bytes: se->samples itself on a
 * little-endian host, else the scratch buffer (the next call reuses it). */
static const void *le_samples(pk_store *s, const pk_series *se, size_t *bytes)
{
    *bytes = se->n * 8u;
    if (PK_HOST_LE)
        return se->samples;
    pk__pg *g = s->state;
    if (pk__grow((void **)&g->scratch, &g->scratch_cap, *bytes, 1) != PK_OK)
        return NULL;
    for (size_t k = 0; k < se->n; k++) {
        uint64_t u;
        memcpy(&u, &se->samples[k], 8);
        for (int b = 0; b < 8; b++)
            g->scratch[k * 8 + (size_t)b] = (unsigned char)(u >> (8 * b));
    }
    return g->scratch;
}

pk_err pk__pg_decode_series(pk_store *s, const PGresult *r, int row, int col, pk_series *out)
{
    pk__pg *g = s->state;
    int64_t kind = pk__pg_get_int(r, row, col);
    int64_t n = pk__pg_get_int(r, row, col + 1);
    const unsigned char *blob = (const unsigned char *)PQgetvalue(r, row, col + 2);
    int64_t bytes = PQgetlength(r, row, col + 2);
    if (kind < PK_UNIT_DURATION || kind > PK_UNIT_PERCENT || n <= 0 || bytes != n * 8)
        return pk__store_fail(s, PK_ECORRUPT, "history %s is damaged: a series has "
                              "%" PRId64 " bytes for %" PRId64 " samples", g->name, bytes, n);
    if (pk__grow((void **)&g->scratch, &g->scratch_cap, (size_t)bytes, 1) != PK_OK)
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading samples");
    if (PK_HOST_LE) {
        memcpy(g->scratch, blob, (size_t)bytes);
    } else {
        for (int64_t k = 0; k < n; k++) {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--)
                u = u << 8 | blob[k * 8 + b];
            memcpy(g->scratch + k * 8, &u, 8);
        }
    }
    out->kind = (pk_unit_kind)kind;
    out->n = (size_t)n;
    out->samples = (double *)(void *)g->scratch;   /* pk_realloc'd: aligned */
    return PK_OK;
}

/* ---- storing runs ------------------------------------------------------------ */

static pk_err put_bench(pk_store *s, int64_t run_id, const pk_bench_data *b)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    pk__pg_text(&p, b->name);
    pk__pg_text(&p, b->primary);
    pk__pg_text(&p, b->error);
    int64_t result_id = 0;
    pk_err e = pk__pg_one_int(s, "INSERT INTO " PG_SCHEMA ".results(run_id, benchmark, "
                              "primary_figure, error) VALUES($1, $2, $3, $4) RETURNING id",
                              &p, &result_id, "storing a result");
    for (size_t i = 0; e == PK_OK && i < b->n_series; i++) {
        const pk_series *se = &b->series[i];
        size_t bytes = 0;
        const void *le = le_samples(s, se, &bytes);
        if (!le || bytes > INT32_MAX)
            return pk__store_fail(s, le ? PK_EINVAL : PK_ENOMEM, "cannot store %zu samples",
                                  se->n);
        pk__pg_params q = {0};
        pk__pg_int(&q, result_id);
        pk__pg_int(&q, (int64_t)i);
        pk__pg_text(&q, se->figure);
        pk__pg_int(&q, (int64_t)se->kind);
        pk__pg_int(&q, (int64_t)se->n);
        pk__pg_bytes(&q, le, bytes);
        e = pk__pg_exec(s, "INSERT INTO " PG_SCHEMA ".series(result_id, pos, figure, kind, n, "
                        "samples) VALUES($1, $2, $3, $4, $5, $6)", &q, NULL, "storing samples");
    }
    return e;
}

static pk_err put_meta(pk_store *s, const pk_run_meta *m, int64_t run_id)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, run_id);
    pk__pg_int(&p, m->started_unix_ns);
    pk__pg_text(&p, m->commit);
    pk__pg_text(&p, m->branch);
    pk__pg_text(&p, m->dirty ? "t" : "f");
    pk__pg_text(&p, m->perfkit_version);
    pk__pg_text(&p, m->machine.cpu_model);
    pk__pg_int(&p, m->machine.cores);
    pk__pg_text(&p, m->machine.kernel);
    pk__pg_text(&p, m->machine.arch);
    pk__pg_text(&p, m->machine.hostname);
    pk__pg_int(&p, (int64_t)m->machine.mem_bytes);
    pk__pg_text(&p, m->fingerprint);
    pk__pg_text(&p, m->config_hash);
    return pk__pg_exec(s, "INSERT INTO " PG_SCHEMA ".runs(" PG_META_COLS ") VALUES($1, $2, $3, "
                       "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", &p, NULL,
                       "storing the run");
}

static pk_err pg_put_runs(pk_store *s, pk_run_meta *const metas[],
                          const pk_resultset *const sets[], size_t n)
{
    pk_err e = pk__pg_begin(s, true, n > 1 ? "starting to store the runs"
                                          : "starting to store the run");
    if (e != PK_OK)
        return e;
    int64_t last = 0;
    e = pk__pg_one_int(s, "SELECT max(id) FROM " PG_SCHEMA ".runs", NULL, &last,
                       "starting to store the run");
    for (size_t k = 0; e == PK_OK && k < n; k++) {
        e = put_meta(s, metas[k], last + 1 + (int64_t)k);
        for (size_t i = 0; e == PK_OK && i < sets[k]->n; i++)
            e = put_bench(s, last + 1 + (int64_t)k, &sets[k]->benches[i]);
    }
    if (e == PK_OK)
        e = pk__pg_commit(s, n > 1 ? "committing the runs" : "committing the run");
    if (e != PK_OK) {
        pk__pg_abort(s);   /* none of the n runs stays */
        return e;
    }
    for (size_t k = 0; k < n; k++)
        metas[k]->id = last + 1 + (int64_t)k;
    return PK_OK;
}

/* ---- loading ------------------------------------------------------------------- */

void pk__pg_read_meta(const PGresult *r, int row, pk_run_meta *m)
{
    memset(m, 0, sizeof *m);
    m->id = pk__pg_get_int(r, row, 0);
    m->started_unix_ns = pk__pg_get_int(r, row, 1);
    pk__pg_get_text(r, row, 2, m->commit, sizeof m->commit);
    pk__pg_get_text(r, row, 3, m->branch, sizeof m->branch);
    m->dirty = pk__pg_get_int(r, row, 4) != 0;
    pk__pg_get_text(r, row, 5, m->perfkit_version, sizeof m->perfkit_version);
    pk__pg_get_text(r, row, 5, m->machine.perfkit_version, sizeof m->machine.perfkit_version);
    pk__pg_get_text(r, row, 6, m->machine.cpu_model, sizeof m->machine.cpu_model);
    m->machine.cores = (int)pk__pg_get_int(r, row, 7);
    pk__pg_get_text(r, row, 8, m->machine.kernel, sizeof m->machine.kernel);
    pk__pg_get_text(r, row, 9, m->machine.arch, sizeof m->machine.arch);
    pk__pg_get_text(r, row, 10, m->machine.hostname, sizeof m->machine.hostname);
    m->machine.mem_bytes = (uint64_t)pk__pg_get_int(r, row, 11);
    pk__pg_get_text(r, row, 12, m->fingerprint, sizeof m->fingerprint);
    pk__pg_get_text(r, row, 13, m->config_hash, sizeof m->config_hash);
}

static pk_err rs_fail(pk_store *s, pk_err e, int64_t run_id)
{
    if (e == PK_ENOMEM)
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading run %" PRId64, run_id);
    return pk__store_fail(s, PK_ECORRUPT, "history %s is damaged: run %" PRId64
                          " has an invalid result", ((pk__pg *)s->state)->name, run_id);
}

#define RESULT_SQL "SELECT r.id, r.benchmark, r.primary_figure, r.error, s.figure, s.kind, " \
                   "s.n, s.samples FROM " PG_SCHEMA ".results r LEFT JOIN " PG_SCHEMA        \
                   ".series s ON s.result_id = r.id WHERE r.run_id = $1 "

/* The rows of RESULT_SQL into a new set. */
static pk_err load_results(pk_store *s, const PGresult *r, int64_t run_id, pk_resultset **out)
{
    pk_resultset *rs = NULL;
    if (pk_resultset_new(&rs) != PK_OK)
        return pk__store_fail(s, PK_ENOMEM, "out of memory loading run %" PRId64, run_id);
    int64_t cur = 0;
    pk_err e = PK_OK;
    for (int i = 0; e == PK_OK && i < PQntuples(r); i++) {
        int64_t result_id = pk__pg_get_int(r, i, 0);
        if (result_id != cur) {
            pk_bench_data *b = NULL;
            const char *v = pk__pg_str(s, r, i, 1);
            e = v ? pk_resultset_add(rs, v, &b) : PK_ENOMEM;
            if (e == PK_OK && !PQgetisnull(r, i, 2))
                e = (v = pk__pg_str(s, r, i, 2)) ? pk_bench_data_set_primary(b, v) : PK_ENOMEM;
            if (e == PK_OK && !PQgetisnull(r, i, 3))
                e = (v = pk__pg_str(s, r, i, 3)) ? pk_bench_data_set_error(b, v) : PK_ENOMEM;
            if (e != PK_OK) {
                e = rs_fail(s, e, run_id);
                break;
            }
            cur = result_id;
        }
        if (PQgetisnull(r, i, 4))   /* a benchmark without series (failed) */
            continue;
        pk_series se = {0};
        if ((e = pk__pg_decode_series(s, r, i, 5, &se)) != PK_OK)
            break;
        pk_bench_data *b = &rs->benches[rs->n - 1];
        const char *fig = pk__pg_str(s, r, i, 4);
        if ((e = fig ? pk_bench_data_put(b, fig, se.kind, se.samples, se.n) : PK_ENOMEM) != PK_OK)
            e = rs_fail(s, e, run_id);
    }
    if (e != PK_OK) {
        pk_resultset_free(rs);
        return e;
    }
    *out = rs;
    return PK_OK;
}

static pk_err pg_get_run(pk_store *s, int64_t id, pk_run_meta *meta, pk_resultset **rs_out)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, id);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, "SELECT " PG_META_COLS " FROM " PG_SCHEMA ".runs WHERE id = $1",
                           &p, &r, "loading a run");
    if (e != PK_OK)
        return e;
    bool found = PQntuples(r) > 0;
    if (found && meta)
        pk__pg_read_meta(r, 0, meta);
    PQclear(r);
    if (!found)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    if (!rs_out)
        return PK_OK;
    if ((e = pk__pg_exec(s, RESULT_SQL "ORDER BY r.id, s.pos", &p, &r, "loading a run")) != PK_OK)
        return e;
    e = load_results(s, r, id, rs_out);
    PQclear(r);
    return e;
}

pk_err pk__pg_run_exists(pk_store *s, int64_t id, bool *exists)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, id);
    int64_t one = 0;
    pk_err e = pk__pg_one_int(s, "SELECT 1::int FROM " PG_SCHEMA ".runs WHERE id = $1", &p,
                              &one, "looking up a run");
    *exists = one == 1;
    return e;
}

static pk_err pg_get_bench(pk_store *s, int64_t id, const char *benchmark,
                           pk_resultset **rs_out)
{
    pk__pg_params p = {0};
    pk__pg_int(&p, id);
    pk__pg_text(&p, benchmark);
    PGresult *r = NULL;
    pk_err e = pk__pg_exec(s, RESULT_SQL "AND r.benchmark = $2 ORDER BY s.pos", &p, &r,
                           "loading a run");
    if (e != PK_OK)
        return e;
    int rows = PQntuples(r);
    if (rows > 0)
        e = load_results(s, r, id, rs_out);
    PQclear(r);
    if (rows > 0 || e != PK_OK)
        return e;
    bool exists = false;
    if ((e = pk__pg_run_exists(s, id, &exists)) != PK_OK)
        return e;
    if (!exists)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    return pk__store_fail(s, PK_ENOENT, "run %" PRId64 " has no benchmark '%s'", id,
                          benchmark);
}

const pk_store_backend pk__pg_backend = {
    .name = "postgres",
    .close = pg_close,
    .put_runs = pg_put_runs,
    .get_run = pg_get_run,
    .get_bench = pg_get_bench,
    .pinned = pk__pg_pinned,
    .search_baseline = pk__pg_search_baseline,
    .run_exists = pk__pg_run_exists,
    .latest_run = pk__pg_latest_run,
    .match_commits = pk__pg_match_commits,
    .pin = pk__pg_pin,
    .unpin = pk__pg_unpin,
    .history = pk__pg_history,
    .list_runs = pk__pg_list_runs,
    .list_benchmarks = pk__pg_list_benchmarks,
    .put_profile = pk__pg_put_profile,
    .get_profile = pk__pg_get_profile,
    .list_pins = pk__pg_list_pins,
    .run_span = pk__pg_run_span,
    .list_branches = pk__pg_list_branches,
    .list_profiles = pk__pg_list_profiles,
    .find_run = pk__pg_find_run,
};
