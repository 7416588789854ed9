/* check_pins.c — `perfkit baseline list` and `show` written out: the
 * terminal view and JSON ("perfkit/baselines/v1", "perfkit/run/v1").
 *
 *   list:  benchmark    run  commit   branch  date (UTC)
 *          gb/BM_Copy   #2   f64e500  main    2026-11-22 06:08
 *   show:  run #2 · 2026-11-22 06:08 UTC · commit f64e500* · branch main
 *            machine  Intel … (8 cores), Linux 6.1, x86_64, 16.0 GiB RAM
 *            perfkit  0.1.0
 *          benchmark    figure     median   samples
 *          gb/BM_Copy   real_time  39.3 ns  10       pinned
 *
 * Everything shown comes from lib/check's pk_check_pins and
 * pk_check_run_view; names, branches and commits come from anyone's
 * repository or config and are shown through pk_termsafe. */
#include "report/check_int.h"

#include <string.h>
#include <time.h>

#include "perfkit/termsafe.h"
#include "perfkit/units.h"

static void utc(int64_t unix_ns, char *buf, size_t len)
{
    time_t t = (time_t)(unix_ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* "f64e500*" (short commit, * when dirty) or "-" outside git. */
static void short_commit(const pk_run_meta *m, char *buf, size_t len)
{
    char hash[8];
    snprintf(buf, len, "%s%s", m->commit[0] ? pk_termsafe(m->commit, hash, sizeof hash) : "-",
             m->dirty ? "*" : "");
}

/* s terminal-safe, padded to width columns. */
static void cell(FILE *f, const char *s, size_t width)
{
    pk_termsafe_fputs(s, f);
    size_t w = pk__report_safe_width(s);
    pk__report_pad(f, w < width ? width - w : 0);
}

static pk_err done(FILE *f)
{
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}

static pk_err pins_text(FILE *f, const pk_check_pins *p)
{
    if (!p->n) {
        fputs("no baseline is pinned: perfkit check compares each benchmark with the latest "
              "run on the baseline branch\n", f);
        return done(f);
    }
    size_t wname = strlen("benchmark"), wbranch = strlen("branch");
    for (size_t i = 0; i < p->n; i++) {
        size_t w = pk__report_safe_width(p->pins[i].benchmark);
        wname = w > wname ? w : wname;
        w = pk__report_safe_width(p->pins[i].run.branch[0] ? p->pins[i].run.branch : "-");
        wbranch = w > wbranch ? w : wbranch;
    }
    cell(f, "benchmark", wname + 2);
    fprintf(f, "%-7s %-9s ", "run", "commit");
    cell(f, "branch", wbranch + 1);
    fputs("date (UTC)\n", f);
    for (size_t i = 0; i < p->n; i++) {
        const pk_run_meta *m = &p->pins[i].run;
        char id[24], commit[16], date[32];
        snprintf(id, sizeof id, "#%lld", (long long)m->id);
        short_commit(m, commit, sizeof commit);
        utc(m->started_unix_ns, date, sizeof date);
        cell(f, p->pins[i].benchmark, wname + 2);
        fprintf(f, "%-7s %-9s ", id, commit);
        cell(f, m->branch[0] ? m->branch : "-", wbranch + 1);
        fprintf(f, "%s\n", date);
    }
    return done(f);
}

/* {benchmark (when given), run, started_unix_ns, commit, branch, dirty} of
 * m; full adds perfkit_version, fingerprint, machine (show). */
static json_t *json_run(const char *benchmark, const pk_run_meta *m, bool full)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    int bad = (benchmark && pk__report_json_set(j, "benchmark", pk__report_json_str(benchmark))) ||
              pk__report_json_set(j, "run", json_integer(m->id)) ||
              pk__report_json_set(j, "started_unix_ns", json_integer(m->started_unix_ns)) ||
              pk__report_json_set(j, "commit", pk__report_json_str(m->commit)) ||
              pk__report_json_set(j, "branch", pk__report_json_str(m->branch)) ||
              pk__report_json_set(j, "dirty", json_boolean(m->dirty));
    if (!bad && full)
        bad = pk__report_json_set(j, "perfkit_version", pk__report_json_str(m->perfkit_version)) ||
              pk__report_json_set(j, "fingerprint", pk__report_json_str(m->fingerprint)) ||
              pk__report_json_set(j, "machine", pk__report_machine_json(&m->machine)) ||
              json_object_del(json_object_get(j, "machine"), "load") != 0;   /* not stored */
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static pk_err pins_json(FILE *f, const pk_check_pins *p)
{
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr ||
        pk__report_json_set(root, "schema", json_string("perfkit/baselines/v1"))) {
        json_decref(root);
        json_decref(arr);
        return PK_ENOMEM;
    }
    int bad = pk__report_json_set(root, "pins", arr);
    for (size_t i = 0; !bad && i < p->n; i++) {
        bad = pk__report_json_push(arr, json_run(p->pins[i].benchmark, &p->pins[i].run, false));
    }
    if (bad) {
        json_decref(root);
        return PK_ENOMEM;
    }
    return pk__report_json_dump(f, root);
}

pk_err pk_check_pins_write(FILE *f, const pk_check_pins *p, pk_format fmt,
                           const pk_write_opts *o)
{
    (void)o;
    if (!f || !p || (p->n && !p->pins))
        return PK_EINVAL;
    if (fmt == PK_FORMAT_TEXT)
        return pins_text(f, p);
    if (fmt == PK_FORMAT_JSON)
        return pins_json(f, p);
    return PK_ENOTSUP;
}

static pk_err view_text(FILE *f, const pk_check_run_view *v)
{
    const pk_run_meta *m = &v->run;
    char date[32], commit[16], machine[512];
    utc(m->started_unix_ns, date, sizeof date);
    short_commit(m, commit, sizeof commit);
    fprintf(f, "run #%lld \xc2\xb7 %s UTC \xc2\xb7 commit %s \xc2\xb7 branch ", (long long)m->id,
            date, commit);
    pk_termsafe_fputs(m->branch[0] ? m->branch : "-", f);
    fputc('\n', f);
    if (v->pinned_for) {
        fputs("  the pinned baseline of ", f);
        pk_termsafe_fputs(v->pinned_for, f);
        fputc('\n', f);
    }
    pk__report_machine_line(&m->machine, machine, sizeof machine);
    char *load = strstr(machine, ", load ");   /* not stored with a run */
    if (load)
        *load = '\0';
    fprintf(f, "  machine  %s\n  perfkit  ", machine);
    pk_termsafe_fputs(m->perfkit_version[0] ? m->perfkit_version : "-", f);
    fputs("\n\n", f);
    size_t wname = strlen("benchmark"), wfig = strlen("figure");
    for (size_t i = 0; i < v->n; i++) {
        size_t w = pk__report_safe_width(v->benches[i].benchmark);
        wname = w > wname ? w : wname;
        w = v->benches[i].figure ? pk__report_safe_width(v->benches[i].figure) : 1;
        wfig = w > wfig ? w : wfig;
    }
    cell(f, "benchmark", wname + 2);
    cell(f, "figure", wfig + 2);
    fprintf(f, "%10s %8s\n", "median", "samples");
    for (size_t i = 0; i < v->n; i++) {
        const pk_check_run_bench *b = &v->benches[i];
        cell(f, b->benchmark, wname + 2);
        if (!b->figure) {
            cell(f, "-", wfig + 2);
            fputs("failed: ", f);
            pk_termsafe_fputs(b->error ? b->error : "no figures", f);
        } else {
            char val[32];
            pk__report_check_value(b->unit, b->median, val, sizeof val);
            cell(f, b->figure, wfig + 2);
            fprintf(f, "%10s %8zu", val, b->n);
        }
        fputs(b->pinned ? "  pinned\n" : "\n", f);
    }
    return done(f);
}

static json_t *json_bench(const pk_check_run_bench *b)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (pk__report_json_set(j, "name", pk__report_json_str(b->benchmark)) ||
        pk__report_json_set(j, "figure", pk__report_json_str(b->figure)) ||
        pk__report_json_set(j, "median", b->figure ? pk__report_json_real(b->median)
                                                   : json_null()) ||
        pk__report_json_set(j, "n", json_integer((json_int_t)b->n)) ||
        pk__report_json_set(j, "error", pk__report_json_str(b->error)) ||
        pk__report_json_set(j, "pinned", json_boolean(b->pinned))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static pk_err view_json(FILE *f, const pk_check_run_view *v)
{
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr || pk__report_json_set(root, "schema", json_string("perfkit/run/v1")) ||
        pk__report_json_set(root, "run", json_run(NULL, &v->run, true)) ||
        pk__report_json_set(root, "pinned_for", pk__report_json_str(v->pinned_for))) {
        json_decref(root);
        json_decref(arr);
        return PK_ENOMEM;
    }
    int bad = pk__report_json_set(root, "benchmarks", arr);
    for (size_t i = 0; !bad && i < v->n; i++)
        bad = pk__report_json_push(arr, json_bench(&v->benches[i]));
    if (bad) {
        json_decref(root);
        return PK_ENOMEM;
    }
    return pk__report_json_dump(f, root);
}

pk_err pk_check_run_view_write(FILE *f, const pk_check_run_view *v, pk_format fmt,
                               const pk_write_opts *o)
{
    (void)o;
    if (!f || !v || (v->n && !v->benches))
        return PK_EINVAL;
    if (fmt == PK_FORMAT_TEXT)
        return view_text(f, v);
    if (fmt == PK_FORMAT_JSON)
        return view_json(f, v);
    return PK_ENOTSUP;
}
