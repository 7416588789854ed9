/* gate.c — pk_check_run: the whole regression gate in one call.
 *
 * The pipeline `perfkit check` runs, in the library so that any program can
 * run it: --only must match → open the history (before anything runs, so a
 * foreign or damaged file stops the gate at once) → --baseline must name a
 * run (a typo costs no benchmark time; its message says nothing has run) → this run's metadata →
 * sizes → benchmarks → baselines (baseline.c) → evaluate → creep warnings
 * (creep.c) → profiles of what regressed (profile.c; they explain the
 * verdict, never change it) → store (paired mode: the base run and this
 * run in one transaction), then the profiles with it. Nothing is stored unless every step before succeeded, and
 * never after a stop request. Every error leaves one message in the caller's diag: the step
 * that failed says what, with the file and position when it has them.
 *
 * A verdict survives a failed store: storing is the last step, and a
 * history that cannot take the run (disk full, read-only file or
 * directory, a lock held past the timeout) is reported in the report
 * (store_err, store_error), never instead of it. When the history cannot
 * even be opened for writing, it is opened read-only for the baselines (a
 * missing or empty one: none) and the gate runs on; only a history that
 * exists and cannot be read, or is not ours, stops the gate before
 * anything is measured, as no honest verdict is possible then. A shared
 * history (a postgres:// URL) whose server cannot be reached or refuses
 * the credentials is the exception: the gate runs as with no history and
 * says so (history_unavailable), so a CI job still gets every report. */
#include "perfkit/check.h"

#include <stdio.h>
#include <string.h>

#include "check/check_int.h"
#include "check/profile_int.h"
#include "core/proc.h"

/* diag = e's own words when the step left no message. */
static pk_err fail(pk_diag *d, pk_err e)
{
    if (!d->message[0])
        pk_diag_set(d, NULL, 0, 0, "%s", pk_strerror(e));
    return e;
}

/* A mistake found before the first benchmark: the message says so. */
static void nothing_ran(pk_diag *d)
{
    size_t n = strlen(d->message);
    snprintf(d->message + n, sizeof d->message - n, " — nothing has run");
}

/* Copy message src into dst[n], cut at n - 1 bytes. */
static void copy_msg(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Why this run will not be stored, found before it is measured. */
typedef struct store_fault {
    pk_err err;                      /* PK_OK: the history takes the run */
    bool unavailable;                /* a shared history's server: unreachable
                                        or refused us (no baselines) */
    char msg[sizeof ((pk_check_report *)0)->store_error];
} store_fault;

/* The errors of opening for writing that leave the history readable and
 * the verdict possible: a read-only file or directory, a full disk or
 * another I/O error while creating, a lock held past the timeout. */
static bool cannot_write(pk_err e)
{
    return e == PK_EPERM || e == PK_EIO || e == PK_EBUSY;
}

/* Open the history for the run: created when missing; with no_store read
 * only, and a missing file is no history (*st NULL). When it cannot be
 * opened for writing (cannot_write), *sf says why and it is opened read
 * only for the baselines instead (missing or empty: *st NULL). */
static pk_err open_history(const char *loc, const pk_check_opts *o, pk_store **st,
                           store_fault *sf, pk_diag *d)
{
    pk_store_opts so;
    pk_store_opts_init(&so);
    so.busy_timeout_ms = o->lock_timeout_ms;
    so.create = !o->no_store;
    so.read_only = o->no_store;
    pk_err e = pk_store_open(loc, &so, st, d);
    if (pk_store_is_url(loc) && (e == PK_EIO || e == PK_EPERM)) {
        /* a server down or refusing us says nothing about the code under
         * test: measure and report as with no history, store nothing */
        sf->err = e;
        sf->unavailable = true;
        copy_msg(sf->msg, sizeof sf->msg, d->message);
        pk_diag_set(d, NULL, 0, 0, "%s", "");
        return PK_OK;
    }
    if (e != PK_OK && !o->no_store && cannot_write(e)) {
        sf->err = e;
        copy_msg(sf->msg, sizeof sf->msg, d->message);
        so.create = false;
        so.read_only = true;
        e = pk_store_open(loc, &so, st, d);
    }
    if (e == PK_ENOENT && (o->no_store || sf->err != PK_OK)) {
        pk_diag_set(d, NULL, 0, 0, "%s", "");
        return PK_OK;
    }
    return e;
}

/* Paired mode's base run as history keeps it: this run's time and machine,
 * REF's commit, branch "pair:<REF>", never dirty. */
static void base_meta(const pk_run_meta *meta, const char *ref, const pk_check_pair *p,
                      pk_run_meta *out)
{
    *out = *meta;
    out->id = 0;
    memcpy(out->commit, p->commit, sizeof out->commit);
    snprintf(out->branch, sizeof out->branch, "pair:%.*s", (int)sizeof out->branch - 6, ref);
    out->dirty = false;
}

/* A shared history out of reach: the run (and its paired base) into the
 * local SQLite history spool instead, to be sent later; rep says where or
 * why not. The ids are the spool's: meta and bmeta get 0 back, as nothing
 * is in the shared history. */
static void keep(const char *spool, pk_run_meta *meta, const pk_resultset *cur,
                 pk_run_meta *bmeta, const pk_resultset *base, pk_check_report *rep)
{
    pk_store *sp = NULL;
    pk_diag d;
    pk_diag_set(&d, NULL, 0, 0, "%s", "");
    pk_err e = pk_store_open(spool, NULL, &sp, &d);
    if (e == PK_OK) {
        pk_run_meta *metas[2] = {bmeta, meta};
        const pk_resultset *sets[2] = {base, cur};
        bool with_base = base && base->n;
        e = pk_store_put_runs(sp, metas + !with_base, sets + !with_base, with_base ? 2 : 1);
        if (e == PK_OK)
            rep->spool_run_id = meta->id;
        else
            copy_msg(d.message, sizeof d.message, pk_store_last_error(sp));
    }
    if (e != PK_OK)
        copy_msg(rep->spool_error, sizeof rep->spool_error,
                 d.message[0] ? d.message : pk_strerror(e));
    pk_store_close(sp);
    meta->id = bmeta->id = 0;
}

/* Step 8: store this run and, in paired mode, the base side before it
 * (when it measured anything) in one transaction: history never holds a
 * base run without its candidate, nor a candidate whose paired base is
 * missing. A failure (or sf's, from opening) goes into the report, whose
 * verdict stands. */
static void store(pk_store *st, pk_run_meta *meta, const pk_resultset *cur, pk_run_meta *bmeta,
                  const pk_resultset *base, const store_fault *sf, const char *spool,
                  pk_check_report *rep)
{
    if (sf->err != PK_OK || !st) {
        rep->history_unavailable = sf->unavailable;
        if (sf->unavailable && spool)
            keep(spool, meta, cur, bmeta, base, rep);
        rep->store_err = sf->err != PK_OK ? sf->err : PK_EIO;
        copy_msg(rep->store_error, sizeof rep->store_error,
                 sf->err != PK_OK ? sf->msg : "no history to store the run in");
        return;
    }
    pk_run_meta *metas[2] = {bmeta, meta};
    const pk_resultset *sets[2] = {base, cur};
    bool with_base = base && base->n;
    pk_err e = pk_store_put_runs(st, metas + !with_base, sets + !with_base, with_base ? 2 : 1);
    if (e != PK_OK) {
        rep->store_err = e;
        copy_msg(rep->store_error, sizeof rep->store_error, pk_store_last_error(st));
        return;
    }
    rep->run.id = meta->id;
    for (size_t i = 0; i < rep->n_items; i++)
        if (rep->items[i].mode == PK_CHECK_MODE_PAIRED)
            rep->items[i].baseline_run = bmeta->id;
}

/* Steps 4 to 8 of pk_check_run (check.h), with the history open; in paired
 * mode (ref) the base tree is prepared first, so a bad ref or a failing
 * build stops the gate before anything is measured. */
static pk_err gate(const pk_config *c, const pk_check_opts *o, pk_store *st,
                   const store_fault *sf, pk_run_meta *meta, pk_check_report **out, pk_diag *d)
{
    const char *ref = o->pair_ref ? o->pair_ref : c->pair_base;
    pk_resultset *cur = NULL, *base = NULL;
    pk_check_baseline_set *hist = NULL;
    pk_check_report *rep = NULL;
    pk_check_pair pair = {.worktree = NULL};
    pk_run_meta bmeta = *meta;
    pk_err e = ref ? pk_check_pair_prepare(c, ref, c->pair_build, &pair, d) : PK_OK;
    if (e == PK_OK)
        e = pk_resultset_new(&cur);
    if (e == PK_OK && ref)
        e = pk_resultset_new(&base);
    if (e == PK_OK)
        e = pk_check_sizes(c, cur, d);
    if (e == PK_OK)
        e = ref ? pk_check_collect_pair(c, o, pair.cwd, cur, base, d)
                : pk_check_collect(c, o, cur, d);
    pk_diag first = *d;   /* on success: the first benchmark failure, if any */
    if (e == PK_OK) {
        pk_diag_set(d, NULL, 0, 0, "%s", "");
        e = pk_check_find_baselines(st, c, cur, meta, o->baseline, &hist, d);
    }
    if (e == PK_OK) {
        pk_check_baselines view = pk_check_baseline_set_view(hist);
        view.paired = base;
        pk_check_opts eo = *o;
        eo.run = meta;
        e = pk_check_evaluate(c, cur, &view, &eo, &rep);
    }
    if (e == PK_OK)
        e = pk__check_creep(st, c, meta, rep);   /* warnings only (creep.c) */
    pk__check_profile_ctx px = {.config = c, .opts = o, .base_cwd = ref ? pair.cwd : NULL,
                                .store = st, .meta = meta};
    if (e == PK_OK)
        e = pk__check_profiles(&px, rep);        /* explain, never decide (profile.c) */
    pk__check_profile_ctx_clear(&px);
    if (e == PK_OK && pk__stopped(o->stop))
        e = PK_EINTR;   /* asked to stop: the run is not complete, store nothing */
    if (e == PK_OK && ref) {
        snprintf(rep->pair_ref, sizeof rep->pair_ref, "%s", ref);
        memcpy(rep->pair_commit, pair.commit, sizeof rep->pair_commit);
        base_meta(meta, ref, &pair, &bmeta);
    }
    if (e == PK_OK && !o->no_store)
        store(st, meta, cur, &bmeta, base, sf, o->spool, rep);
    else if (e == PK_OK && sf->unavailable) {   /* --no-store: still say it */
        rep->history_unavailable = true;
        rep->store_err = sf->err;
        copy_msg(rep->store_error, sizeof rep->store_error, sf->msg);
    }
    if (e == PK_OK && rep->run.id > 0 && rep->n_profiles)
        pk__check_profiles_store(st, rep, meta->id, base && base->n ? bmeta.id : 0);
    pk_check_baseline_set_free(hist);
    pk_resultset_free(cur);
    pk_resultset_free(base);
    pk_check_pair_clear(&pair);
    if (e != PK_OK) {
        pk_check_report_free(rep);
        return fail(d, e);
    }
    *d = first;
    *out = rep;
    return PK_OK;
}

pk_err pk_check_run(const pk_config *c, const pk_check_opts *o, pk_check_report **out,
                    pk_diag *diag)
{
    pk_diag d;
    pk_diag_set(&d, NULL, 0, 0, "%s", "");
    if (out)
        *out = NULL;
    pk_check_opts defaults;
    if (!o) {
        pk_check_opts_init(&defaults);
        o = &defaults;
    }
    pk_err e = PK_OK;
    if (!c || !out) {
        pk_diag_set(&d, NULL, 0, 0, "pk_check_run: NULL argument");
        e = PK_EINVAL;
    }
    if (e == PK_OK && (e = pk__check_only_matches(c, o, &d)) != PK_OK)
        nothing_ran(&d);
    pk_store *st = NULL;
    store_fault sf = {.err = PK_OK};
    if (e == PK_OK)
        e = open_history(o->history ? o->history : c->history_path, o, &st, &sf, &d);
    int64_t ref_id = 0;   /* --baseline must name a run before anything runs */
    if (e == PK_OK && o->baseline &&
        (e = pk__check_resolve_ref(st, o->baseline, &ref_id, &d)) != PK_OK)
        nothing_ran(&d);
    if (e == PK_OK) {
        pk_run_meta meta;
        if (o->run) {
            meta = *o->run;
            meta.id = 0;
        } else {
            pk_check_meta_collect(c, &meta);
        }
        e = gate(c, o, st, &sf, &meta, out, &d);
    } else {
        fail(&d, e);
    }
    pk_store_close(st);
    if (diag)
        *diag = d;
    return e;
}
