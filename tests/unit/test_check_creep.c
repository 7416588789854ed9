/* Unit tests for the gate's creep warning (lib/check/creep.c through
 * pk_check_run): a slowdown in steps that each pass is warned about once
 * it adds up past the threshold, never fails the gate, reads only the
 * baseline branch on this machine, and fails only cleanly when memory
 * runs out. Samples are imported, so every value is exact. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "fault.h"
#include "perfkit/check.h"
#include "store_util.h"

static char cfgpath[160];

static void setup(void)
{
    store_setup();
    snprintf(cfgpath, sizeof cfgpath, "%s/perfkit.yml", tmpdir);
}

TestSuite(check_creep, .init = setup, .fini = store_teardown);

/* a.json: hyperfine JSON of command "a", five times around 10 ms × scale */
static void write_import(double scale)
{
    char path[256];
    snprintf(path, sizeof path, "%s/a.json", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "{\"results\": [{\"command\": \"a\", "
            "\"times\": [%.17g, %.17g, %.17g, %.17g, %.17g]}]}\n",
            0.0100 * scale, 0.0101 * scale, 0.0099 * scale, 0.0102 * scale, 0.0098 * scale);
    fclose(f);
}

static pk_config *config(void)
{
    char yml[512];
    snprintf(yml, sizeof yml, "version: 1\nbenchmarks:\n  imp:\n    import: %s/a.json\n", tmpdir);
    pk_config *c = NULL;
    pk_diag d;
    cr_assert_eq(pk_config_parse(yml, strlen(yml), cfgpath, &c, &d), PK_OK, "%s", d.message);
    return c;
}

/* One gate run at scale on branch/fingerprint; the report (caller frees). */
static pk_check_report *gate(const pk_config *c, double scale, const char *branch,
                             const char *fp, bool no_store)
{
    write_import(scale);
    pk_run_meta m = make_meta("", branch, fp);
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    o.no_store = no_store;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);
    cr_assert_not(r->failed, "scale %g failed the gate", scale);
    return r;
}

/* 8 runs at 1.0 then +0.5% a run up to 1.085 on main, machine A (25
 * runs). The gate's baseline, the median of the last 10 runs, creeps
 * along, so no run fails; no warning yet either. */
static void creeping_history(const pk_config *c)
{
    for (size_t i = 0; i < 25; i++) {
        double scale = i < 8 ? 1.0 : 1.0 + 0.005 * (double)(i - 7);
        pk_check_report *r = gate(c, scale, "main", "A", false);
        cr_assert_eq(r->n_warnings, 0, "run %zu warned: %s", i + 1,
                     r->n_warnings ? r->warnings[0].message : "");
        pk_check_report_free(r);
    }
}

Test(check_creep, warned_once_it_adds_up_and_never_fails)
{
    pk_config *c = config();
    creeping_history(c);
    pk_check_report *r = gate(c, 1.09, "main", "A", false);   /* run 26 */
    cr_assert_eq(r->n_warnings, 1);
    const pk_check_warning *w = &r->warnings[0];
    cr_assert_str_eq(w->kind, "creep");
    cr_assert_str_eq(w->benchmark, "imp/a");
    cr_assert_str_eq(w->figure, "wall");
    cr_assert_str_eq(w->stat, "median");
    /* E-Divisive cuts the ramp into a chain of small steps; the chain
     * starts at run 10 and adds up past the 5% threshold */
    cr_assert_eq(w->since_run, 10);
    cr_assert_eq(w->runs, 17);
    cr_assert(w->magnitude > 0.05 && w->magnitude < 0.09, "%g", w->magnitude);
    cr_assert_float_eq(w->threshold, 0.05, 1e-12);
    cr_assert_leq(w->p_value, 0.01);
    cr_assert_not_null(strstr(w->message, "crept +7.7% over the last 17 runs"), "%s", w->message);
    cr_assert_eq(r->count[PK_CHECK_PASS], 1);   /* the regression item itself passes */
    pk_check_report_free(r);
    pk_config_free(c);
}

Test(check_creep, only_the_baseline_branch_on_this_machine)
{
    pk_config *c = config();
    creeping_history(c);
    /* another machine: no history of its own, no warning */
    pk_check_report *r = gate(c, 1.09, "main", "B", true);
    cr_assert_eq(r->n_warnings, 0);
    pk_check_report_free(r);
    /* a feature branch on A: judged against main's history, which crept */
    r = gate(c, 1.09, "feature", "A", true);
    cr_assert_eq(r->n_warnings, 1);
    pk_check_report_free(r);
    pk_config_free(c);
}

Test(check_creep, one_large_step_is_no_creep)
{
    pk_config *c = config();
    for (int i = 0; i < 8; i++)
        pk_check_report_free(gate(c, 1, "main", "A", false));
    write_import(1.2);
    pk_run_meta m = make_meta("", "main", "A");
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    pk_check_report *r = NULL;
    cr_assert_eq(pk_check_run(c, &o, &r, NULL), PK_OK);
    cr_assert(r->failed);   /* the regression item says it */
    pk_check_report_free(r);
    /* the runs after the step may still fail (the window's median is the
     * old level for a few runs): whatever their verdict, no creep */
    for (int i = 0; i < 4; i++) {
        r = NULL;
        cr_assert_eq(pk_check_run(c, &o, &r, NULL), PK_OK);
        cr_assert_eq(r->n_warnings, 0, "%s", r->n_warnings ? r->warnings[0].message : "");
        pk_check_report_free(r);
    }
    pk_config_free(c);
}

Test(check_creep, every_failed_allocation_is_clean)
{
    pk_config *c = config();
    creeping_history(c);
    write_import(1.09);
    pk_run_meta m = make_meta("", "main", "A");
    pk_check_opts o;
    pk_check_opts_init(&o);
    o.run = &m;
    o.no_store = true;
    pk_check_report *r = NULL;
    pk_diag d;
    cr_assert_eq(pk_check_run(c, &o, &r, &d), PK_OK, "%s", d.message);   /* warm */
    pk_check_report_free(r);
    bool ok = false;
    for (long k = 0; k < 20000 && !ok; k++) {
        fault_arm(k);
        pk_err e = pk_check_run(c, &o, &r, &d);
        size_t nw = e == PK_OK ? r->n_warnings : 0;
        if (e == PK_OK)
            pk_check_report_free(r);
        fault_disarm();
        cr_assert(e == PK_OK || e == PK_ENOMEM, "allocation %ld: %s (%s)", k, pk_strerror(e),
                  d.message);
        cr_assert_eq(fault_live(), 0, "allocation %ld leaked", k);
        if (e == PK_OK) {
            cr_assert_eq(nw, 1);
            ok = true;
        }
    }
    cr_assert(ok);
    pk_config_free(c);
}
