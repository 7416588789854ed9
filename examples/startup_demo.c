/* startup_demo.c — a service's startup as a pk_startup graph, and a lazily
 * built value its request handlers share (pk_lazy).
 *
 *   config -> db -> migrations ----\
 *   config -> cache (warm) ---------> http (listens on 127.0.0.1) -> ready
 *   config -> tls (key derivation) -/
 *   config -> metrics
 *
 * Every step does real work: parse a config text, open an in-memory SQLite
 * database and load 20,000 rows, build an index, warm a pk_cache, derive a
 * key (CPU), bind a TCP socket. Then four "request" threads render a page
 * whose templates are compiled on first use, once.
 *
 * Usage: startup_demo [--width N] [--fail db|tls] [--timeout-ms N]
 *                     [--trace FILE] [--metrics]
 *   --fail STEP      make that step fail (db) or hang past its timeout (tls)
 *   --timeout-ms N   timeout of every step (default 2000)
 *   --trace FILE     write a Chrome trace (open it in ui.perfetto.dev)
 *   --metrics        print the startup's Prometheus gauges
 * Exit status: 0 when the service started, 1 when a step failed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <perfkit/perfkit.h>

typedef struct app {
    const char *fail;
    char db_path[64];
    int rows, cache_entries, port;
    sqlite3 *db;
    pk_cache *cache;
    uint64_t key;
    int listen_fd;
    pk_metrics_registry *reg;
} app;

static const char *config_text = "db = :memory:\nrows = 20000\ncache_entries = 50000\nport = 0\n";

static pk_err step_config(void *arg, pk_startup_ctx *ctx)
{
    app *a = arg;
    char line[128];
    for (const char *p = config_text; *p;) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p += n + (p[n] == '\n');
        char key[32], val[64];
        if (sscanf(line, "%31s = %63s", key, val) != 2) {
            pk_startup_fail(ctx, "config: bad line");
            return PK_EPARSE;
        }
        if (strcmp(key, "db") == 0)
            snprintf(a->db_path, sizeof a->db_path, "%s", val);
        else if (strcmp(key, "rows") == 0)
            a->rows = atoi(val);
        else if (strcmp(key, "cache_entries") == 0)
            a->cache_entries = atoi(val);
        else if (strcmp(key, "port") == 0)
            a->port = atoi(val);
    }
    return PK_OK;
}

static pk_err step_db(void *arg, pk_startup_ctx *ctx)
{
    app *a = arg;
    if (a->fail && strcmp(a->fail, "db") == 0) {
        pk_startup_fail(ctx, "connection refused (--fail db)");
        return PK_EIO;
    }
    if (sqlite3_open(a->db_path, &a->db) != SQLITE_OK)
        return PK_EIO;
    sqlite3_exec(a->db, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, score REAL);"
                        "BEGIN;", NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(a->db, "INSERT INTO users(name, score) VALUES(?, ?)", -1, &st, NULL);
    for (int i = 0; i < a->rows; i++) {
        char name[32];
        snprintf(name, sizeof name, "user%d", i);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 2, (i * 7919) % 1000 / 10.0);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(a->db, "COMMIT;", NULL, NULL, NULL);
    return PK_OK;
}

static pk_err step_migrations(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    app *a = arg;
    return sqlite3_exec(a->db, "CREATE INDEX users_score ON users(score);", NULL, NULL, NULL) ==
                   SQLITE_OK
               ? PK_OK
               : PK_EIO;
}

static pk_err step_cache(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    app *a = arg;
    pk_cache_opts o;
    pk_cache_opts_init(&o);
    o.max_entries = (size_t)a->cache_entries;
    pk_err e = pk_cache_new(&o, &a->cache);
    for (int i = 0; e == PK_OK && i < a->cache_entries; i++) {
        char k[16], v[32];
        int kn = snprintf(k, sizeof k, "k%d", i), vn = snprintf(v, sizeof v, "value-%d", i * 3);
        e = pk_cache_put(a->cache, k, (size_t)kn, v, (size_t)vn);
    }
    return e;
}

static pk_err step_tls(void *arg, pk_startup_ctx *ctx)
{
    app *a = arg;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int round = 0; round < 3000000; round++) {   /* stands in for a key derivation */
        h ^= (uint64_t)round;
        h *= 0x100000001b3ull;
        if ((round & 0xffff) == 0 && pk_startup_cancelled(ctx))
            return PK_EINTR;
    }
    a->key = h;
    if (a->fail && strcmp(a->fail, "tls") == 0)   /* hang past the timeout */
        while (!pk_startup_cancelled(ctx)) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    return PK_OK;
}

static pk_err step_metrics(void *arg, pk_startup_ctx *ctx)
{
    (void)ctx;
    app *a = arg;
    return pk_metrics_registry_new(&a->reg);
}

static pk_err step_http(void *arg, pk_startup_ctx *ctx)
{
    app *a = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (a->listen_fd < 0 || bind(a->listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(a->listen_fd, 64) != 0) {
        pk_startup_fail(ctx, "cannot listen on 127.0.0.1");
        return PK_EIO;
    }
    socklen_t len = sizeof sa;
    getsockname(a->listen_fd, (struct sockaddr *)&sa, &len);
    a->port = ntohs(sa.sin_port);
    return PK_OK;
}

static pk_err step_ready(void *arg, pk_startup_ctx *ctx)
{
    (void)arg;
    (void)ctx;
    return PK_OK;
}

/* ---- a value built on first use ---------------------------------------------- */

static pk_lazy templates = PK_LAZY_INIT;
static int compiled;

static pk_err compile_templates(void *arg, void **value)
{
    (void)arg;
    static char page[64];
    snprintf(page, sizeof page, "<h1>%s</h1>", "users");
    compiled++;   /* runs once: pk_lazy guarantees it */
    *value = page;
    return PK_OK;
}

static void *request(void *arg)
{
    (void)arg;
    void *page;
    if (pk_lazy_get(&templates, compile_templates, NULL, &page) != PK_OK)
        return NULL;
    return page;
}

int main(int argc, char **argv)
{
    app a = {.listen_fd = -1};
    pk_startup_opts o;
    pk_startup_opts_init(&o);
    o.timeout_ns = 2 * PK_STARTUP_SECOND;
    const char *trace = NULL;
    int metrics = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--width") == 0 && i + 1 < argc)
            o.width = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--fail") == 0 && i + 1 < argc)
            a.fail = argv[++i];
        else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
            o.timeout_ns = atoll(argv[++i]) * 1000000;
        else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
            trace = argv[++i];
        else if (strcmp(argv[i], "--metrics") == 0)
            metrics = 1;
        else {
            fprintf(stderr, "startup_demo: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (trace)
        pk_trace_start(NULL);

    pk_startup *g;
    if (pk_startup_new(&o, &g) != PK_OK) {
        fprintf(stderr, "startup_demo: bad options (--width: 1..256, --timeout-ms: >= 0)\n");
        return 2;
    }
    struct { const char *name; pk_startup_fn fn; const char *deps[4]; } steps[] = {
        {"config", step_config, {NULL}},
        {"db", step_db, {"config"}},
        {"migrations", step_migrations, {"db"}},
        {"cache", step_cache, {"config"}},
        {"tls", step_tls, {"config"}},
        {"metrics", step_metrics, {"config"}},
        {"http", step_http, {"migrations", "cache", "tls"}},
        {"ready", step_ready, {"http", "metrics"}},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        pk_startup_id id;
        pk_startup_add(g, steps[i].name, steps[i].fn, &a, &id);
        for (int d = 0; d < 4 && steps[i].deps[d]; d++)
            pk_startup_depends(g, id, steps[i].deps[d]);
    }
    pk_err e = pk_startup_run(g);
    pk_startup_write_report(g, stdout);
    if (e != PK_OK)
        printf("startup failed: %s\n", pk_startup_last_error(g));
    else
        printf("listening on 127.0.0.1:%d\n", a.port);
    if (trace) {
        pk_trace_stop();
        FILE *f = fopen(trace, "w");
        if (!f || pk_trace_write_chrome(f) != PK_OK) {
            fprintf(stderr, "startup_demo: cannot write %s\n", trace);
            return 2;
        }
        fclose(f);
        printf("trace: %s\n", trace);
    }
    if (metrics && a.reg && pk_startup_export_metrics(g, a.reg, "demo_startup") == PK_OK)
        pk_metrics_write(a.reg, PK_METRICS_PROMETHEUS, stdout);

    if (e == PK_OK) {   /* serve four "requests" that share the lazy templates */
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, request, NULL);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        printf("templates compiled %d time(s) for 4 requests\n", compiled);
    }
    while (pk_startup_stragglers(g) > 0) {   /* a hung step: wait before freeing its arg */
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    pk_startup_free(g);
    if (a.listen_fd >= 0)
        close(a.listen_fd);
    pk_cache_free(a.cache);
    sqlite3_close(a.db);
    pk_metrics_registry_free(a.reg);
    return e == PK_OK ? 0 : 1;
}
