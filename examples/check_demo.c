/* check_demo.c — a program that runs perfkit's regression gate through the
 * library alone: no `perfkit` binary, no shell.
 *
 *   check_demo [--no-store] [--db PATH] [--baseline REF] [--only TEXT] [CONFIG]
 *
 * Loads and validates CONFIG (default examples/perfkit.yml, slow: it runs
 * the bundled benchmarks), runs the gate with pk_check_run — benchmarks,
 * baselines from history, verdicts, the run stored unless --no-store — and
 * prints its own summary, one line per check:
 *
 *   <verdict>  <kind>  <benchmark>  <figure>  <value now>
 *
 * then "gate: ok" or "gate: FAILED". Exits 0 when the gate passes, 1 when it
 * fails, 2 on a config, input or history error (message on stderr).
 *
 * Build: cc -o check_demo check_demo.c $(pkg-config --cflags --libs perfkit) */
#include <stdio.h>
#include <string.h>

#include "perfkit/perfkit.h"

static const char *kind_name(pk_check_kind k)
{
    return k == PK_ITEM_BUDGET ? "budget" : k == PK_ITEM_REGRESSION ? "regression" : "size";
}

/* The item's figure as the config spells it: "wall.p95" for a budget,
 * "wall" for a regression, the compression for a size, "run" for a
 * benchmark that failed to run. */
static void figure(const pk_check_item *it, char *buf, size_t len)
{
    if (!it->figure[0])
        snprintf(buf, len, "run");
    else if (it->kind == PK_ITEM_BUDGET)
        snprintf(buf, len, "%s.%s", it->figure, it->stat);
    else
        snprintf(buf, len, "%s", it->figure);
}

/* The value now in its unit, or "-" when there is none (not measured, or
 * the benchmark failed): never a made-up 0. */
static void value(const pk_check_item *it, char *buf, size_t len)
{
    if (it->status == PK_CHECK_ERROR || it->status == PK_CHECK_NOT_MEASURABLE)
        snprintf(buf, len, "-");
    else if (it->unit == PK_UNIT_DURATION)
        pk_units_format_duration(it->current, 0, buf, len);
    else if (it->unit == PK_UNIT_SIZE)
        pk_units_format_size(it->current, buf, len);
    else
        pk_units_format_count(it->current, buf, len);
}

int main(int argc, char **argv)
{
    pk_check_opts o;
    pk_check_opts_init(&o);
    const char *path = "examples/perfkit.yml";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-store") == 0)
            o.no_store = true;
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            o.history = argv[++i];
        else if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
            o.baseline = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            o.only = argv[++i];
        else if (argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: check_demo [--no-store] [--db PATH] [--baseline REF] "
                            "[--only TEXT] [CONFIG]\n");
            return 2;
        }
    }

    pk_config *cfg = NULL;
    pk_diag d;
    char msg[1400];
    pk_err e = pk_config_load(path, &cfg, &d);
    if (e == PK_OK)
        e = pk_config_validate(cfg, &d);
    pk_check_report *r = NULL;
    if (e == PK_OK)
        e = pk_check_run(cfg, &o, &r, &d);
    pk_config_free(cfg);
    if (e != PK_OK) {
        fprintf(stderr, "check_demo: %s\n", pk_diag_format(&d, msg, sizeof msg));
        return 2;
    }

    for (size_t i = 0; i < r->n_items; i++) {
        const pk_check_item *it = &r->items[i];
        char fig[160], val[32];
        figure(it, fig, sizeof fig);
        value(it, val, sizeof val);
        printf("%-19s  %-10s  %s  %s  %s\n", pk_check_status_name(it->status),
               kind_name(it->kind), it->benchmark, fig, val);
    }
    printf("gate: %s (%zu checks, run %s)\n", r->failed ? "FAILED" : "ok", r->n_items,
           r->run.id ? "stored" : "not stored");
    int rc = r->failed ? 1 : 0;
    pk_check_report_free(r);
    return rc;
}
