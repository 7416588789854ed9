/* perfkit/store.h — the history of performance runs.
 *
 * A run is one `perfkit check` (or an import into history): its metadata
 * (when, git commit, branch, dirty flag, perfkit version, machine and its
 * fingerprint, config hash) and a result set with every raw sample.
 *
 * The interface is backend-neutral: pk_store_open() picks the backend from
 * the location — a file path is SQLite (the default, .perfkit/history.db), a
 * "postgres://" or "postgresql://" URL (libpq's URI syntax) is PostgreSQL.
 * Callers never see SQL. Backends implement struct pk_store_backend
 * (lib/store/store_int.h); every call below has the same semantics on both.
 *
 * SQLite backend: WAL mode, busy timeout, versioned schema migrated on open
 * (PRAGMA user_version), application_id marks the file as perfkit's; every
 * write is one IMMEDIATE transaction, so a kill -9 at any moment leaves every
 * earlier run intact and readable and concurrent `perfkit check` processes
 * serialize their writes. A new history is created atomically: built as
 * "<location>.creating-XXXXXX" next to it (schema, WAL mode), then renamed
 * into place without replacing a file another process created first — the
 * location never holds a half-made history, and concurrent creators all
 * open the same complete one; such temporaries left by killed creators are
 * deleted by read-write opens once 10 minutes old. A file that is not a
 * perfkit history (another application's database, a damaged file, a newer
 * schema) is reported as PK_ECORRUPT and never modified (a hot journal of
 * its own application is rolled back first, as any SQLite client would).
 *
 * PostgreSQL backend: the history is the schema "perfkit" of the database
 * the URL names, marked by its table perfkit.meta (application
 * "perfkit-history", schema version); created and migrated on a read-write
 * open in one transaction under an advisory lock. A database holding
 * tables of another program and no marker, or a newer schema, is
 * PK_ECORRUPT and never modified. Every write is one transaction; writers
 * (many CI runners) queue on an advisory lock, so run ids ascend in commit
 * order without gaps, as in SQLite; a writer killed mid-transaction leaves
 * nothing of its run (the server rolls back). busy_timeout_ms is the
 * server's lock_timeout. An unreachable server is PK_EIO ("cannot reach the
 * history server ..."), wrong credentials PK_EPERM; messages never show the
 * URL's password.
 *
 * Thread-safety: a pk_store is used by one thread at a time; several
 * processes may use the same history concurrently. */
#ifndef PERFKIT_STORE_H
#define PERFKIT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"
#include "perfkit/resultset.h"
#include "perfkit/runmeta.h"

PK_BEGIN_DECLS

typedef struct pk_store pk_store;

typedef struct pk_store_opts {
    int busy_timeout_ms;   /* wait for another writer this long (10000) */
    bool create;           /* create the file and its directory (true) */
    bool read_only;        /* open without writing, no migration (false); see
                              pk_store_open for the two exceptions */
} pk_store_opts;

void pk_store_opts_init(pk_store_opts *o);

/* true when location is a PostgreSQL URL ("postgres://", "postgresql://"),
 * false for a file path or NULL. Pure; no I/O. */
bool pk_store_is_url(const char *location);

/* Open the history at location (o NULL: defaults). On PK_OK *out owns the
 * store and diag->message is "". On error *out is NULL and diag (may be NULL)
 * says why in one line naming the history (no file position: diag->file is
 * ""). Errors: PK_EINVAL (empty location, negative timeout), PK_ENOENT (no
 * file and !create; read_only: a history with no schema yet), PK_ECORRUPT
 * (not a perfkit history — a directory or device too —, damaged, or from a
 * newer perfkit), PK_EBUSY,
 * PK_EPERM (no permission; read-write in a directory we cannot write; a hot
 * journal that cannot be rolled back, see below; PostgreSQL: credentials
 * refused), PK_EIO (PostgreSQL: server unreachable), PK_ENOMEM. PostgreSQL:
 * a database with no perfkit schema yet counts as "no file" (PK_ENOENT
 * when read_only or !create); a database that does not exist is PK_EINVAL. A read-write open upgrades an older schema in
 * place (one transaction); read_only reads it as it is: what later schemas
 * added (stored profiles) reads as absent.
 * read_only needs no write access to the file or its directory. It writes
 * in two cases only: SQLite's -wal/-shm files appear next to the file when
 * its directory is writable (as for any reader), and a hot rollback journal
 * (a writer of another program killed mid-transaction) is rolled back to
 * the last commit, which needs write access (else PK_EPERM). In a
 * directory we cannot write, the file is read as immutable (no locks):
 * correct as long as nobody writes it meanwhile; a -wal file holding
 * commits without its -shm there is PK_EPERM. */
pk_err pk_store_open(const char *location, const pk_store_opts *o, pk_store **out,
                     pk_diag *diag);
void   pk_store_close(pk_store *s);   /* NULL is a no-op */

/* The history's location for messages: the path, or the URL with its
 * password shown as "***". Borrowed: valid until pk_store_close(s); "" for
 * NULL. */
const char *pk_store_name(const pk_store *s);

/* Detailed message for the last error on s; valid until the next call on s.
 * Never NULL. */
const char *pk_store_last_error(const pk_store *s);

/* Store a run and all of rs in one transaction; on PK_OK meta->id is set.
 * Samples are stored bit-exact. Makes no pk_malloc allocation (SQLite uses
 * its own allocator). Errors: PK_EINVAL, PK_EBUSY, PK_EPERM (read-only),
 * PK_ECORRUPT, PK_EIO, PK_ENOMEM; on error nothing of the run is stored. */
pk_err pk_store_put_run(pk_store *s, pk_run_meta *meta, const pk_resultset *rs);

/* Store n runs (n >= 1), metas[i] with sets[i], in ONE transaction, in
 * order (their ids ascend): the runs belong together — paired mode's base
 * run and its candidate — and history must never hold one without the
 * other. On PK_OK every metas[i]->id is set; on error nothing of any of the
 * runs is stored and no id is changed. pk_store_put_run is this with n = 1.
 * Makes no pk_malloc allocation. Errors: PK_EINVAL (n == 0, a NULL entry,
 * or what pk_store_put_run rejects in any run: nothing is written then),
 * PK_EBUSY, PK_EPERM (read-only), PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_store_put_runs(pk_store *s, pk_run_meta *const metas[],
                         const pk_resultset *const sets[], size_t n);

/* Load run id: its metadata into *meta (may be NULL) and, when rs_out is not
 * NULL, its results into a new set the caller frees. Errors: PK_ENOENT (no
 * such run), PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk_store_get_run(pk_store *s, int64_t id, pk_run_meta *meta, pk_resultset **rs_out);

/* Load only the named benchmark of run id into a new set (one benchmark).
 * Errors: PK_ENOENT (no such run or benchmark in it), as pk_store_get_run. */
pk_err pk_store_get_bench(pk_store *s, int64_t id, const char *benchmark,
                          pk_resultset **rs_out);

/* The baseline for benchmark: the run pinned for it if any (and its id <
 * before_id, unless before_id is 0), whatever its branch and fingerprint;
 * else the most recent run with id < before_id (0: no limit) on branch
 * (NULL: any) with fingerprint (NULL: any) in which benchmark ran without
 * error (a result with b->error set is never a baseline). *run_id is 0 when
 * there is none. Cost: O(log n) plus the runs skipped. Errors: PK_EIO,
 * PK_ECORRUPT. */
pk_err pk_store_find_baseline(pk_store *s, const char *benchmark, const char *branch,
                              const char *fingerprint, int64_t before_id, int64_t *run_id);

/* The runs of benchmark a window of history is made of: the most recent runs
 * with id < before_id (0: no limit) on branch (NULL: any) with fingerprint
 * (NULL: any) in which benchmark ran without error, newest first, at most
 * limit of them, into ids[0..*n-1] (the caller's array of limit entries).
 * Pins play no part (pk_store_pinned). Makes no allocation. Cost: limit
 * baseline searches (O(log n) each plus the runs skipped). Errors:
 * PK_EINVAL (NULL arguments, before_id < 0), PK_EIO, PK_ECORRUPT. */
pk_err pk_store_recent(pk_store *s, const char *benchmark, const char *branch,
                       const char *fingerprint, int64_t before_id, size_t limit, int64_t *ids,
                       size_t *n);

/* The run pinned for benchmark (`perfkit baseline pin`) into *run_id, 0 when
 * none. Errors: PK_EINVAL (NULL arguments), PK_EIO, PK_ECORRUPT. */
pk_err pk_store_pinned(pk_store *s, const char *benchmark, int64_t *run_id);

/* Resolve a user's reference to a run, tried in this order: a run id
 * ("42", if that run exists), "latest", a commit hash or unique prefix
 * (4..40 hex digits, any case; the most recent run of it), a branch name
 * (its most recent run). Errors: PK_ENOENT (nothing matches; the message
 * says what would: "no run 99: the history has runs 1–14", or "'mian' is
 * not a run id, commit or branch in history — did you mean `main`?"), PK_EINVAL
 * (empty, or an ambiguous commit prefix: the message names two matches),
 * PK_EIO. */
pk_err pk_store_resolve(pk_store *s, const char *ref, int64_t *run_id);

/* Pin run_id as the baseline of benchmark (NULL: of every benchmark the run
 * contains), replacing an earlier pin; pk_store_unpin removes pins
 * (benchmark NULL: all). Errors: PK_ENOENT (no such run / benchmark not in
 * it / a run without benchmarks; unpin: nothing pinned for benchmark),
 * PK_EBUSY, PK_EPERM (read-only), PK_EIO. */
pk_err pk_store_pin(pk_store *s, int64_t run_id, const char *benchmark);
pk_err pk_store_unpin(pk_store *s, const char *benchmark);

/* One point of a benchmark's history. */
typedef struct pk_history_point {
    int64_t run_id;
    int64_t started_unix_ns;
    char commit[41];
    char branch[128];
    bool dirty;
    double value;       /* statistic of the figure's samples in that run */
    size_t n;           /* samples behind it */
} pk_history_point;

/* The last `limit` runs (0: all) of benchmark that have figure, oldest first,
 * with value = statistic stat (pk_series_stat) of the samples. On PK_OK
 * *points (caller frees with pk_free) holds *n points. Errors: PK_EINVAL
 * (unknown statistic), PK_EIO, PK_ECORRUPT, PK_ENOMEM. */
pk_err pk_store_history(pk_store *s, const char *benchmark, const char *figure,
                        const char *stat, size_t limit, pk_history_point **points, size_t *n);

/* Runs, newest first, at most limit (0: all). *runs is freed with pk_free.
 * Errors: PK_EIO, PK_ENOMEM. */
pk_err pk_store_list_runs(pk_store *s, size_t limit, pk_run_meta **runs, size_t *n);

/* Distinct benchmark names in history, sorted. Free with
 * pk_store_free_names(names, n). Errors: PK_EIO, PK_ENOMEM. */
pk_err pk_store_list_benchmarks(pk_store *s, char ***names, size_t *n);
void   pk_store_free_names(char **names, size_t n);

/* Every pinned baseline (`perfkit baseline pin`), sorted by benchmark name:
 * (*benchmarks)[i] is pinned to (*run_ids)[i], *n of each (0 and NULLs
 * when nothing is pinned). Free with pk_store_free_names(*benchmarks, *n)
 * and pk_free(*run_ids). Errors: PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_store_list_pins(pk_store *s, char ***benchmarks, int64_t **run_ids, size_t *n);

/* ---- copying between histories ---------------------------------------------- */

/* What pk_store_copy did. */
typedef struct pk_store_copy_stats {
    size_t runs_copied;       /* runs stored in the destination */
    size_t runs_skipped;      /* runs the destination already held */
    size_t profiles_copied;   /* profiles stored (also of skipped runs, when the
                                 destination lacks them) */
    size_t pins_copied;       /* pins set or changed in the destination (one
                                 already pinned there to the same run: not) */
} pk_store_copy_stats;

/* Copy every run of from (oldest first) into to, with its profiles and the
 * pins of from, between any two backends (SQLite ↔ PostgreSQL). Runs get
 * the destination's next ids; a run the destination already holds (same
 * commit, start time, branch, fingerprint and host — e.g. an earlier copy)
 * is not stored again, so copying twice changes nothing: the copy is
 * idempotent and resumable after a failure. Each run is one transaction
 * in to; its profiles follow it; pins are set last, mapped to the
 * destination's ids, replacing the destination's pins of the same
 * benchmarks. stats (may be NULL) counts what happened, also on error.
 * Errors: PK_EINVAL (from == to, NULL), any error of reading from or
 * writing to; the message is in pk_store_last_error of the store that
 * failed, and *failed_in (may be NULL) is that store. */
pk_err pk_store_copy(pk_store *from, pk_store *to, pk_store_copy_stats *stats,
                     pk_store **failed_in);

/* ---- profiles ----------------------------------------------------------- */

/* Store a profile of benchmark recorded with run run_id (which must exist):
 * `folded` holds len bytes of folded stacks (perfkit/folded.h), kind names
 * what was sampled ("cpu"; later "alloc"). Kept zlib-compressed; a second
 * profile of the same run, benchmark and kind replaces the first. One
 * transaction. Errors: PK_EINVAL (NULL or empty names, len > 1 GiB),
 * PK_ENOENT (no run run_id), PK_EBUSY, PK_EPERM (read-only), PK_EIO,
 * PK_ENOMEM. */
pk_err pk_store_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                            const char *kind, const char *folded, size_t len);

/* The profile of benchmark and kind stored with run run_id: on PK_OK
 * *folded (NUL-terminated; caller frees with pk_free) holds *len bytes.
 * Errors: PK_ENOENT (none stored, also for a history whose schema predates
 * profiles), PK_ECORRUPT (the stored bytes do not decompress to their
 * recorded size), PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_store_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                            const char *kind, char **folded, size_t *len);

PK_END_DECLS
#endif
