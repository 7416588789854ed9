/* store.c — the history store's public API: argument checks, backend
 * dispatch and the backend-neutral rules.
 *
 * pk_store_open picks the backend from the location ("postgres://" and
 * "postgresql://" URLs: PostgreSQL, pg*.c; anything else: a SQLite
 * file). The rules every backend shares live here so they cannot drift
 * apart: a pin beats the search for a baseline, and a reference resolves as
 * run id → "latest" → commit prefix → branch name. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "perfkit/diag.h"
#include "core/buf.h"
#include "store/store_int.h"

void pk_store_opts_init(pk_store_opts *o)
{
    if (!o)
        return;
    o->busy_timeout_ms = 10000;
    o->create = true;
    o->read_only = false;
}

pk_err pk__store_fail(pk_store *s, pk_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return e;
}

/* The error of pk_store_open, before a handle exists: into diag (may be
 * NULL), with no file position (the message names the history). */
static pk_err open_fail(pk_diag *diag, pk_err e, const char *msg)
{
    pk_diag_set(diag, NULL, 0, 0, "%s", msg);
    return e;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* The URL with its password replaced by "***" (userinfo and a password=
 * parameter), for every message. */
char *pk__store_redact(const char *url)
{
    pk__buf b = {0};
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t alen = strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    pk_err e = colon ? pk__buf_add(&b, url, (size_t)(colon + 1 - url)) == PK_OK &&
                               pk__buf_puts(&b, "***") == PK_OK ? PK_OK : PK_ENOMEM
                     : PK_OK;
    const char *p = colon ? at : url;
    while (e == PK_OK && *p) {
        const char *pw = strstr(p, "password=");
        if (!pw || (pw != url && pw[-1] != '?' && pw[-1] != '&')) {
            e = pk__buf_puts(&b, p);
            break;
        }
        if ((e = pk__buf_add(&b, p, (size_t)(pw - p) + 9)) == PK_OK)
            e = pk__buf_puts(&b, "***");
        p = pw + 9 + strcspn(pw + 9, "&");
    }
    if (e != PK_OK) {
        pk__buf_free(&b);
        return NULL;
    }
    return pk__buf_take(&b);
}

bool pk_store_is_url(const char *location)
{
    return location && (has_prefix(location, "postgres://") ||
                        has_prefix(location, "postgresql://"));
}

pk_err pk_store_open(const char *location, const pk_store_opts *o, pk_store **out,
                     pk_diag *diag)
{
    if (out)
        *out = NULL;
    pk_diag_set(diag, NULL, 0, 0, "%s", "");
    if (!location || !location[0] || !out)
        return open_fail(diag, PK_EINVAL, "history location is empty");
    pk_store_opts def;
    if (!o) {
        pk_store_opts_init(&def);
        o = &def;
    }
    if (o->busy_timeout_ms < 0)
        return open_fail(diag, PK_EINVAL, "busy timeout must be >= 0 ms");
    pk_store *s = pk_calloc(1, sizeof *s);
    if (!s)
        return open_fail(diag, PK_ENOMEM, "out of memory opening the history");
    pk_err e = pk_store_is_url(location) ? pk__store_pg_open(s, location, o)
                                         : pk__store_sqlite_open(s, location, o);
    if (e != PK_OK) {
        open_fail(diag, e, s->err);
        pk_free(s);
        return e;
    }
    s->name = pk_store_is_url(location) ? pk__store_redact(location) : pk_strdup(location);
    if (!s->name) {
        pk_store_close(s);
        return open_fail(diag, PK_ENOMEM, "out of memory opening the history");
    }
    s->err[0] = '\0';
    *out = s;
    return PK_OK;
}

void pk_store_close(pk_store *s)
{
    if (!s)
        return;
    if (s->be)
        s->be->close(s);
    pk_free(s->name);
    pk_free(s);
}

const char *pk_store_name(const pk_store *s)
{
    return s && s->name ? s->name : "";
}

const char *pk_store_last_error(const pk_store *s)
{
    if (!s)
        return "no history store (NULL handle)";
    return s->err;
}

/* Start of every call on s: clear the message. */
static void begin(pk_store *s)
{
    s->err[0] = '\0';
}

/* true when the NUL of a char[len] field is inside it. */
static bool terminated(const char *field, size_t len)
{
    return memchr(field, '\0', len) != NULL;
}

/* What put_run rejects in one run, before anything is written. */
static pk_err check_run(pk_store *s, const pk_run_meta *meta, const pk_resultset *rs)
{
    if (!meta || !rs)
        return pk__store_fail(s, PK_EINVAL, "put_run: no run metadata or results");
    if (!terminated(meta->commit, sizeof meta->commit) ||
        !terminated(meta->branch, sizeof meta->branch) ||
        !terminated(meta->perfkit_version, sizeof meta->perfkit_version) ||
        !terminated(meta->fingerprint, sizeof meta->fingerprint) ||
        !terminated(meta->config_hash, sizeof meta->config_hash) ||
        !terminated(meta->machine.cpu_model, sizeof meta->machine.cpu_model) ||
        !terminated(meta->machine.kernel, sizeof meta->machine.kernel) ||
        !terminated(meta->machine.arch, sizeof meta->machine.arch) ||
        !terminated(meta->machine.hostname, sizeof meta->machine.hostname))
        return pk__store_fail(s, PK_EINVAL, "put_run: a metadata string is not terminated");
    for (size_t i = 0; i < rs->n; i++) {
        const pk_bench_data *b = &rs->benches[i];
        if (!b->name || !b->name[0])
            return pk__store_fail(s, PK_EINVAL, "put_run: benchmark %zu has no name", i);
        for (size_t j = 0; j < b->n_series; j++)
            if (!b->series[j].figure || !b->series[j].figure[0] || b->series[j].n == 0 ||
                !b->series[j].samples)
                return pk__store_fail(s, PK_EINVAL,
                                      "put_run: benchmark '%s' has an empty series", b->name);
    }
    return PK_OK;
}

pk_err pk_store_put_runs(pk_store *s, pk_run_meta *const metas[],
                         const pk_resultset *const sets[], size_t n)
{
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!metas || !sets || n == 0)
        return pk__store_fail(s, PK_EINVAL, "put_runs: no runs");
    for (size_t k = 0; k < n; k++) {
        pk_err e = check_run(s, metas[k], sets[k]);
        if (e != PK_OK)
            return e;
    }
    return s->be->put_runs(s, metas, sets, n);
}

pk_err pk_store_put_run(pk_store *s, pk_run_meta *meta, const pk_resultset *rs)
{
    return pk_store_put_runs(s, &meta, &rs, 1);
}

pk_err pk_store_get_run(pk_store *s, int64_t id, pk_run_meta *meta, pk_resultset **rs_out)
{
    if (rs_out)
        *rs_out = NULL;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (id <= 0)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    return s->be->get_run(s, id, meta, rs_out);
}

pk_err pk_store_get_bench(pk_store *s, int64_t id, const char *benchmark,
                          pk_resultset **rs_out)
{
    if (rs_out)
        *rs_out = NULL;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmark || !rs_out)
        return pk__store_fail(s, PK_EINVAL, "get_bench: no benchmark name or output");
    if (id <= 0)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", id);
    return s->be->get_bench(s, id, benchmark, rs_out);
}

pk_err pk_store_find_baseline(pk_store *s, const char *benchmark, const char *branch,
                              const char *fingerprint, int64_t before_id, int64_t *run_id)
{
    if (run_id)
        *run_id = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmark || !run_id || before_id < 0)
        return pk__store_fail(s, PK_EINVAL, "find_baseline: invalid argument");
    int64_t limit = before_id == 0 ? INT64_MAX : before_id;
    int64_t pinned = 0;
    pk_err e = s->be->pinned(s, benchmark, &pinned);
    if (e != PK_OK)
        return e;
    if (pinned > 0 && pinned < limit) {
        *run_id = pinned;
        return PK_OK;
    }
    return s->be->search_baseline(s, benchmark, branch, fingerprint, limit, run_id);
}

pk_err pk_store_recent(pk_store *s, const char *benchmark, const char *branch,
                       const char *fingerprint, int64_t before_id, size_t limit, int64_t *ids,
                       size_t *n)
{
    if (n)
        *n = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmark || !n || (limit && !ids) || before_id < 0)
        return pk__store_fail(s, PK_EINVAL, "recent: invalid argument");
    int64_t below = before_id == 0 ? INT64_MAX : before_id;
    while (*n < limit) {   /* each search starts below the run found last */
        int64_t id = 0;
        pk_err e = s->be->search_baseline(s, benchmark, branch, fingerprint, below, &id);
        if (e != PK_OK)
            return e;
        if (id <= 0)
            break;
        ids[(*n)++] = id;
        below = id;
    }
    return PK_OK;
}

pk_err pk_store_pinned(pk_store *s, const char *benchmark, int64_t *run_id)
{
    if (run_id)
        *run_id = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmark || !run_id)
        return pk__store_fail(s, PK_EINVAL, "pinned: invalid argument");
    return s->be->pinned(s, benchmark, run_id);
}

/* ---- resolving a reference ------------------------------------------------- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* Lowercase hex of 4..40 digits into out[41]; false otherwise. */
static bool commit_prefix(const char *s, char out[41])
{
    size_t n = strlen(s);
    if (n < 4 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[n] = '\0';
    return true;
}

/* PK_ENOENT for a reference nothing matches, with what would have: the
 * range of run ids for a number, else the nearest branch name (or
 * `latest`) by edit distance (pk_diag_suggest), else the branches there are. */
static pk_err not_found(pk_store *s, const char *ref)
{
    pk_err e;
    if (all_digits(ref)) {
        int64_t first, last, count;
        if ((e = s->be->run_span(s, &first, &last, &count)) != PK_OK)
            return e;
        if (count == 0)
            return pk__store_fail(s, PK_ENOENT, "no run %s: the history has no runs yet", ref);
        if (count == 1)
            return pk__store_fail(s, PK_ENOENT, "no run %s: the history has run %" PRId64
                                  " only", ref, first);
        if (count == last - first + 1)
            return pk__store_fail(s, PK_ENOENT, "no run %s: the history has runs %" PRId64
                                  "\xe2\x80\x93%" PRId64, ref, first, last);
        return pk__store_fail(s, PK_ENOENT, "no run %s: the history has %" PRId64
                              " runs between %" PRId64 " and %" PRId64, ref, count, first,
                              last);
    }
    char **names = NULL;
    size_t n = 0;
    if ((e = s->be->list_branches(s, &names, &n)) != PK_OK)
        return e;
    const char **cand = pk_calloc(n + 1, sizeof *cand);
    if (!cand) {
        pk_store_free_names(names, n);
        return pk__store_fail(s, PK_ENOMEM, "out of memory resolving '%s'", ref);
    }
    cand[0] = "latest";
    for (size_t i = 0; i < n; i++)
        cand[i + 1] = names[i];
    const char *hint = pk_diag_suggest(ref, cand, n + 1);
    if (hint) {
        e = pk__store_fail(s, PK_ENOENT, "'%s' is not a run id, commit or branch in history "
                           "\xe2\x80\x94 did you mean `%s`?", ref, hint);
    } else {
        char list[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && i < 5 && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     names[i]);
        e = pk__store_fail(s, PK_ENOENT, "'%s' is not a run id, commit or branch in history%s%s%s%s",
                           ref, n ? " (branches: " : "", list, n > 5 ? ", ..." : "",
                           n ? ")" : "");
    }
    pk_free(cand);
    pk_store_free_names(names, n);
    return e;
}

pk_err pk_store_resolve(pk_store *s, const char *ref, int64_t *run_id)
{
    if (run_id)
        *run_id = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!ref || !run_id)
        return pk__store_fail(s, PK_EINVAL, "resolve: no reference");
    if (!ref[0])
        return pk__store_fail(s, PK_EINVAL, "empty run reference");
    pk_err e;
    if (all_digits(ref) && strlen(ref) <= 18) {   /* a run id; fits in int64 */
        int64_t id = 0;
        sscanf(ref, "%" SCNd64, &id);
        bool exists = false;
        if ((e = s->be->run_exists(s, id, &exists)) != PK_OK)
            return e;
        if (exists) {
            *run_id = id;
            return PK_OK;
        }   /* else it may still be a commit prefix or a branch named so */
    }
    if (strcmp(ref, "latest") == 0) {
        if ((e = s->be->latest_run(s, PK__STORE_BY_ANY, NULL, run_id)) != PK_OK)
            return e;
        if (*run_id == 0)
            return pk__store_fail(s, PK_ENOENT, "no runs in history yet");
        return PK_OK;
    }
    char prefix[41];
    if (commit_prefix(ref, prefix)) {
        char found[2][41];
        size_t n = 0;
        if ((e = s->be->match_commits(s, prefix, found, &n)) != PK_OK)
            return e;
        if (n > 1)
            return pk__store_fail(s, PK_EINVAL,
                                  "commit prefix '%s' is ambiguous: it matches %s and %s "
                                  "(give more digits)", ref, found[0], found[1]);
        if (n == 1)
            return s->be->latest_run(s, PK__STORE_BY_COMMIT, found[0], run_id);
    }
    if ((e = s->be->latest_run(s, PK__STORE_BY_BRANCH, ref, run_id)) != PK_OK)
        return e;
    return *run_id == 0 ? not_found(s, ref) : PK_OK;
}

/* ---- pins, history, listings ------------------------------------------------ */

pk_err pk_store_pin(pk_store *s, int64_t run_id, const char *benchmark)
{
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (run_id <= 0)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    return s->be->pin(s, run_id, benchmark);
}

pk_err pk_store_unpin(pk_store *s, const char *benchmark)
{
    if (!s)
        return PK_EINVAL;
    begin(s);
    return s->be->unpin(s, benchmark);
}

pk_err pk_store_history(pk_store *s, const char *benchmark, const char *figure,
                        const char *stat, size_t limit, pk_history_point **points, size_t *n)
{
    if (points)
        *points = NULL;
    if (n)
        *n = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmark || !figure || !stat || !points || !n)
        return pk__store_fail(s, PK_EINVAL, "history: invalid argument");
    if (!pk_series_stat_valid(stat))
        return pk__store_fail(s, PK_EINVAL,
                              "unknown statistic '%s' (mean, median, min, max, stddev, "
                              "mad or pN such as p95)", stat);
    return s->be->history(s, benchmark, figure, stat, limit, points, n);
}

pk_err pk_store_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n)
{
    if (runs)
        *runs = NULL;
    if (n)
        *n = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!runs || !n)
        return pk__store_fail(s, PK_EINVAL, "list_runs: invalid argument");
    return s->be->list_runs(s, limit, runs, n);
}

pk_err pk_store_list_benchmarks(pk_store *s, char ***names, size_t *n)
{
    if (names)
        *names = NULL;
    if (n)
        *n = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!names || !n)
        return pk__store_fail(s, PK_EINVAL, "list_benchmarks: invalid argument");
    return s->be->list_benchmarks(s, names, n);
}

pk_err pk_store_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n)
{
    if (benchmarks)
        *benchmarks = NULL;
    if (run_ids)
        *run_ids = NULL;
    if (n)
        *n = 0;
    if (!s)
        return PK_EINVAL;
    begin(s);
    if (!benchmarks || !run_ids || !n)
        return pk__store_fail(s, PK_EINVAL, "list_pins: invalid argument");
    return s->be->list_pins(s, benchmarks, run_ids, n);
}

void pk_store_free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        pk_free(names[i]);
    pk_free(names);
}
