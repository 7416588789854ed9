/* profile_files.c — the gate's profiles on disk and in history.
 *
 * One directory per run, PROFILE_DIR/<UTC time>-<commit7> (a suffix -2,
 * -3... when two runs share the second), made when the first profile is
 * written; in it, per benchmark (its name with every byte outside
 * [A-Za-z0-9._-] turned into '_'): NAME.folded (this run), NAME.base.folded
 * (the before, when there is one) and NAME.svg (the differential flame
 * graph, or a plain one without a before). Folded files hold raw sample
 * counts; only the graph and the table of changes scale the before to the
 * after's total, to compare shares. In history the "cpu" profile of each
 * benchmark is its folded file's bytes (perfkit/store.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check/profile_int.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/flame.h"
#include "perfkit/store.h"

/* The largest folded file read back to store it. */
#define FOLDED_MAX ((uint64_t)512 << 20)

void pk__check_profile_ctx_clear(pk__check_profile_ctx *x)
{
    pk_free(x->dir);
    x->dir = NULL;
}

/* Make the run's directory under the profile directory (once). */
static pk_err make_dir(pk__check_profile_ctx *x, pk__buf *err)
{
    if (x->dir)
        return PK_OK;
    pk__buf root = {0};
    const char *cdir = x->config->dir;
    pk_err e = x->opts->profile_dir ? pk__buf_puts(&root, x->opts->profile_dir)
               : strcmp(cdir, ".") == 0 ? pk__buf_puts(&root, ".perfkit/profiles")
                                       : pk__buf_printf(&root, "%s/.perfkit/profiles", cdir);
    size_t failed = 0;
    if (e == PK_OK && (e = pk__mkdirs(root.data, &failed)) != PK_OK && e != PK_ENOMEM)
        pk__buf_printf(err, "cannot create %.*s: %s", (int)failed, root.data, strerror(errno));
    time_t t = (time_t)(x->meta->started_unix_ns / 1000000000);
    struct tm tm;
    char stamp[32] = "run";
    if (t > 0 && gmtime_r(&t, &tm))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (unsigned k = 1; e == PK_OK && k < 100; k++) {
        pk__buf d = {0};
        e = pk__buf_printf(&d, "%s/%s%s%.7s", root.data, stamp, x->meta->commit[0] ? "-" : "",
                           x->meta->commit);
        if (e == PK_OK && k > 1)
            e = pk__buf_printf(&d, "-%u", k);
        if (e == PK_OK && mkdir(d.data, 0777) == 0) {
            x->dir = pk__buf_take(&d);
            break;
        }
        int errnum = errno;
        if (e == PK_OK && errnum != EEXIST) {
            pk__buf_printf(err, "cannot create %s: %s", d.data, strerror(errnum));
            e = pk__err_from_errno(errnum);
        }
        pk__buf_free(&d);
    }
    pk__buf_free(&root);
    if (e == PK_OK && !x->dir) {
        pk__buf_printf(err, "no free directory name for this run's profiles");
        e = PK_EIO;
    }
    return e;
}

/* x->dir/NAME.suffix with NAME the benchmark made safe for a file name. */
static char *file_for(const pk__check_profile_ctx *x, const char *bench, const char *suffix)
{
    pk__buf b = {0};
    pk_err e = pk__buf_printf(&b, "%s/", x->dir);
    for (const char *s = bench; e == PK_OK && *s; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || (ch == '.' && s != bench);
        e = pk__buf_add(&b, ok ? &ch : "_", 1);
    }
    if (e == PK_OK)
        e = pk__buf_puts(&b, suffix);
    if (e != PK_OK) {
        pk__buf_free(&b);
        return NULL;
    }
    return pk__buf_take(&b);
}

/* Create path and let write fill it; a failure is described in err. */
static pk_err write_file(const char *path, pk__buf *err,
                         pk_err (*write)(const void *ud, FILE *f), const void *ud)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        int errnum = errno;
        pk__buf_printf(err, "cannot write %s: %s", path, strerror(errnum));
        return pk__err_from_errno(errnum);
    }
    pk_err e = write(ud, f);
    if (fclose(f) != 0 && e == PK_OK)
        e = PK_EIO;
    if (e != PK_OK && e != PK_ENOMEM)
        pk__buf_printf(err, "cannot write %s: %s", path, pk_strerror(e));
    return e;
}

typedef struct folded_arg {
    const pk_folded *p;
    unsigned slot;
} folded_arg;

static pk_err put_folded(const void *ud, FILE *f)
{
    const folded_arg *a = ud;
    return pk_folded_write(a->p, a->slot, f);
}

typedef struct svg_arg {
    const pk_folded *p;
    const pk_flame_opts *o;
} svg_arg;

static pk_err put_svg(const void *ud, FILE *f)
{
    const svg_arg *a = ud;
    return pk_flame_write_svg(a->p, a->o, f, NULL);
}

/* How much a function changed: the larger of its self and total changes
 * (a function that only calls the slow code changes in total only). */
static double moved(const pk_flame_change *c)
{
    double s = fabs(c->self[1] - c->self[0]), t = fabs(c->total[1] - c->total[0]);
    return s > t ? s : t;
}

static int by_moved(const void *x, const void *y)
{
    const pk_flame_change *a = x, *b = y;
    double da = moved(a), db = moved(b);
    if (da != db)
        return da < db ? 1 : -1;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    return c ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

/* pr->top from p (the before already scaled to the after's total): with a
 * before, the functions that moved most; without, the largest self
 * shares (pk_flame_changes' order then). */
static pk_err top_changes(const pk_folded *p, pk_check_profile *pr)
{
    pk_flame_change *ch = NULL;
    size_t n = 0;
    pk_err e = pk_flame_changes(p, &ch, &n);
    if (e != PK_OK)
        return e;
    if (pr->base != PK_PROFILE_BASE_NONE)
        qsort(ch, n, sizeof *ch, by_moved);
    double total = pk_folded_total(p, 1);
    size_t keep = n < PK_CHECK_PROFILE_TOP ? n : PK_CHECK_PROFILE_TOP;
    pr->top = keep ? pk_calloc(keep, sizeof *pr->top) : NULL;
    if (keep && !pr->top)
        e = PK_ENOMEM;
    for (size_t i = 0; e == PK_OK && i < keep; i++) {
        pk_check_profile_change *t = &pr->top[i];
        if (!(t->function = pk_strndup(ch[i].name, ch[i].name_len))) {
            e = PK_ENOMEM;
            break;
        }
        for (int s = 0; s < 2; s++) {
            t->self[s] = total > 0 ? 100.0 * ch[i].self[s] / total : 0;
            t->total[s] = total > 0 ? 100.0 * ch[i].total[s] / total : 0;
        }
        pr->n_top++;
    }
    pk_free(ch);
    return e;
}

pk_err pk__check_profile_write(pk__check_profile_ctx *x, pk_folded *p, pk_check_profile *pr,
                               pk__buf *err)
{
    bool based = pr->base != PK_PROFILE_BASE_NONE;
    pk_err e = make_dir(x, err);
    if (e == PK_OK && !(pr->folded = file_for(x, pr->benchmark, ".folded")))
        e = PK_ENOMEM;
    if (e == PK_OK && based && !(pr->base_folded = file_for(x, pr->benchmark, ".base.folded")))
        e = PK_ENOMEM;
    if (e == PK_OK && !(pr->svg = file_for(x, pr->benchmark, ".svg")))
        e = PK_ENOMEM;
    if (e == PK_OK)
        e = write_file(pr->folded, err, put_folded, &(folded_arg){p, 1});
    if (e == PK_OK && based)
        e = write_file(pr->base_folded, err, put_folded, &(folded_arg){p, 0});
    if (e == PK_OK && pr->base == PK_PROFILE_BASE_HISTORY)
        pr->samples[0] = (uint64_t)pk_folded_total(p, 0);
    double before = pk_folded_total(p, 0), after = pk_folded_total(p, 1);
    if (e == PK_OK && based && before > 0)
        e = pk_folded_scale(p, 0, after / before);
    char title[256], sub[256];
    pk_flame_opts fo;
    pk_flame_opts_init(&fo);
    fo.diff = based;
    snprintf(title, sizeof title, "%s: %s", pr->benchmark,
             based ? "differential flame graph" : "flame graph");
    fo.title = title;
    if (pr->base == PK_PROFILE_BASE_PAIRED)
        snprintf(sub, sizeof sub, "before: the paired base, %zu runs, %llu samples; after: "
                 "this run, %zu runs, %llu samples; red = larger share", pr->runs[0],
                 (unsigned long long)pr->samples[0], pr->runs[1],
                 (unsigned long long)pr->samples[1]);
    else if (pr->base == PK_PROFILE_BASE_HISTORY)
        snprintf(sub, sizeof sub, "before: run %lld (%llu samples); after: this run, %zu "
                 "runs, %llu samples; red = larger share", (long long)pr->base_run,
                 (unsigned long long)pr->samples[0], pr->runs[1],
                 (unsigned long long)pr->samples[1]);
    else
        snprintf(sub, sizeof sub, "this run: %zu runs, %llu samples", pr->runs[1],
                 (unsigned long long)pr->samples[1]);
    fo.subtitle = sub;
    if (e == PK_OK)
        e = write_file(pr->svg, err, put_svg, &(svg_arg){p, &fo});
    if (e == PK_OK)
        e = top_changes(p, pr);
    return e;
}

pk_err pk__check_profile_load(pk_store *st, int64_t run_id, const char *benchmark,
                              pk_folded *p)
{
    char *text = NULL;
    size_t len = 0;
    pk_err e = pk_store_get_profile(st, run_id, benchmark, "cpu", &text, &len);
    if (e != PK_OK)
        return e;
    pk_folded_opts fo;
    pk_folded_opts_init(&fo);
    fo.columns = 1;
    fo.slot = 0;
    e = pk_folded_parse(p, &fo, text, len, "stored profile", NULL);
    pk_free(text);
    return e == PK_EPARSE ? PK_ECORRUPT : e;
}

/* Store the folded file path as the "cpu" profile of bench in run id. */
static pk_err store_one(pk_store *st, int64_t id, const char *bench, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    pk_err e = pk__file_read(path, FOLDED_MAX, "profiles", &text, &len, NULL);
    if (e == PK_OK)
        e = pk_store_put_profile(st, id, bench, "cpu", text, len);
    pk_free(text);
    return e;
}

void pk__check_profiles_store(pk_store *st, pk_check_report *r, int64_t run_id,
                              int64_t base_id)
{
    for (size_t i = 0; i < r->n_profiles; i++) {
        pk_check_profile *pr = &r->profiles[i];
        if (!pr->folded)
            continue;
        pk_err e = store_one(st, run_id, pr->benchmark, pr->folded);
        if (e == PK_OK && pr->base == PK_PROFILE_BASE_PAIRED && base_id > 0)
            e = store_one(st, base_id, pr->benchmark, pr->base_folded);
        pr->stored = e == PK_OK;
        if (e != PK_OK && !pr->error) {
            pk__buf m = {0};
            if (pk__buf_printf(&m, "not stored in the history: %s",
                               st ? pk_store_last_error(st) : pk_strerror(e)) == PK_OK)
                pr->error = pk__buf_take(&m);
            pk__buf_free(&m);
        }
    }
}
