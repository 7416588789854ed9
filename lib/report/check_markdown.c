/* check_markdown.c — the `perfkit check` verdict as a pull-request comment.
 *
 *   ### ❌ perfkit check failed: 1 over budget, 1 regressed, 14 passed
 *
 *   | Benchmark | Figure | Current | Budget / Baseline | Change | Verdict |
 *   |:---|:---|---:|:---|:---|:---|
 *   | `sort` | `wall.p95` | 61.20 ms | 55.00 ms (budget 50ms +10% tolerance) | +11.3% over | ❌ over budget |
 *
 *   <details><summary>14 passed</summary> …the same table for them… </details>
 *
 *   Machine: … · commit `1a2b3c4d5e` (dirty) on `main` · run #42 · perfkit 0.1.0
 *
 * (instead of "run #42", when the history could not take the run: "**run
 * not stored in the history**: " and why.)
 * GitHub-flavoured Markdown. Failures come first, then the other items that
 * are not PASS (changes, warnings); passing items are collapsed. Names go in
 * code spans whose fence is longer than any backtick run inside, with `|`
 * escaped (GFM splits cells before it parses code). Free text (notes,
 * machine) has `|`, `&` and `<` escaped outside its own code spans, and
 * line breaks folded: one item is one table row. */
#include "report/check_int.h"

#include <inttypes.h>
#include <string.h>
#include "perfkit/alloc.h"

#define DASH "\xe2\x80\x94"   /* — */

static const char *HEAD = "| Benchmark | Figure | Current | Budget / Baseline | Change | Verdict |\n"
                          "|:---|:---|---:|:---|:---|:---|\n";

/* One byte of a table cell: '|' escaped, line breaks and other control
 * characters folded into a space. */
static void cell_byte(FILE *f, char c)
{
    if (c == '|')
        fputs("\\|", f);
    else if ((unsigned char)c < 0x20 || c == 0x7f)
        fputc(' ', f);
    else
        fputc(c, f);
}

/* s as an inline code span that survives any backticks in it. */
static void code_span(FILE *f, const char *s)
{
    size_t run = 0, longest = 0;
    if (!s || !*s) {
        fputs(DASH, f);
        return;
    }
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t k = 0; k <= longest; k++)
        fputc('`', f);
    if (longest)
        fputc(' ', f);   /* so a leading/trailing backtick is not the fence */
    for (const char *p = s; *p; p++)
        cell_byte(f, *p);
    if (longest)
        fputc(' ', f);
    for (size_t k = 0; k <= longest; k++)
        fputc('`', f);
}

/* Free text in a cell: its own `code` spans kept, HTML metacharacters
 * outside them escaped. */
static void text(FILE *f, const char *s)
{
    bool code = false;
    for (; s && *s; s++) {
        if (*s == '`')
            code = !code;
        if (!code && *s == '<')
            fputs("&lt;", f);
        else if (!code && *s == '&')
            fputs("&amp;", f);
        else
            cell_byte(f, *s);
    }
}

static const char *emoji(const pk_check_report *r, pk_check_status s)
{
    if (pk__report_check_fails(r, s))
        return "\xe2\x9d\x8c";   /* ❌ */
    if (s == PK_CHECK_PASS || s == PK_CHECK_IMPROVED)
        return "\xe2\x9c\x85";   /* ✅ */
    return "\xe2\x9a\xa0\xef\xb8\x8f";   /* ⚠️ */
}

static void limit_cell(FILE *f, const pk_check_item *it)
{
    char v[48], bud[200];
    if (pk__report_check_is_change(it)) {
        if (it->status == PK_CHECK_NO_BASELINE || (!it->n_baseline && !it->has_cmp)) {
            fputs(DASH, f);
            return;
        }
        fputs(pk__report_check_value(it->unit, it->baseline, v, sizeof v), f);
        if (it->mode == PK_CHECK_MODE_PAIRED)
            fputs(" paired", f);
        if (it->baseline_run > 0)
            fprintf(f, " (run #%" PRId64 "%s)", it->baseline_run, it->pinned ? ", pinned" : "");
        return;
    }
    if (it->status == PK_CHECK_ERROR) {
        fputs(DASH, f);
        return;
    }
    if (it->bound == PK_BOUND_MIN)
        fputs("\xe2\x89\xa5 ", f);   /* ≥: a minimum */
    fputs(pk__report_check_value(it->unit, it->limit, v, sizeof v), f);
    pk__report_check_budget(it, bud, sizeof bud);
    if (*bud) {
        fputc(' ', f);
        text(f, bud);
    }
}

static void change_cell(FILE *f, const pk_check_item *it)
{
    char buf[96];
    if (pk__report_check_is_change(it) && it->has_cmp)
        fprintf(f, "%s, p = %.2g", pk__report_check_change_item(it, buf, sizeof buf),
                it->cmp.p_value);
    else if (pk__report_check_is_change(it))
        fputs(pk__report_check_change_item(it, buf, sizeof buf), f);
    else
        fputs(pk__report_check_outside(it, buf, sizeof buf), f);
}

static void item_row(FILE *f, const pk_check_report *r, const pk_check_item *it)
{
    char label[160], v[48];
    fputs("| ", f);
    code_span(f, it->benchmark);
    fputs(" | ", f);
    code_span(f, pk__report_check_label(it, label, sizeof label));
    fprintf(f, " | %s | ", pk__report_check_has_current(it)
                               ? pk__report_check_value(it->unit, it->current, v, sizeof v)
                               : DASH);
    limit_cell(f, it);
    fputs(" | ", f);
    change_cell(f, it);
    fprintf(f, " | %s %s", emoji(r, it->status), pk__report_check_verdict(it));
    if (it->note && *it->note) {
        fputs("<br>", f);
        text(f, it->note);
    }
    fputs(" |\n", f);
}

static void headline(FILE *f, const pk_check_report *r)
{
    char counts[512];
    if (r->compared_with)   /* two stored runs: which against which */
        fprintf(f, "### %s perfkit compare: run #%" PRId64 " against run #%" PRId64 ": %s",
                r->failed ? "\xe2\x9d\x8c" : "\xe2\x9c\x85", r->run.id, r->compared_with,
                pk__report_check_counts(r, counts, sizeof counts));
    else
        fprintf(f, "### %s perfkit check %s: %s", r->failed ? "\xe2\x9d\x8c" : "\xe2\x9c\x85",
                r->failed ? "failed" : "passed",
                pk__report_check_counts(r, counts, sizeof counts));
    size_t nm = r->count[PK_CHECK_NOT_MEASURABLE], inc = r->count[PK_CHECK_INCONCLUSIVE];
    if (r->strict && (nm || inc))
        fprintf(f, " (strict: not measurable and inconclusive count as failures)");
    fputs("\n\n", f);
}

static void footer(FILE *f, const pk_check_report *r)
{
    const pk_run_meta *m = &r->run;
    char machine[512], sc[16];
    fputs("Machine: ", f);
    text(f, pk__report_machine_line(&m->machine, machine, sizeof machine));
    if (m->commit[0]) {
        fputs(" \xc2\xb7 commit ", f);
        code_span(f, pk__report_check_short_commit(m->commit, sc, sizeof sc));
        if (m->dirty)
            fputs(" (dirty)", f);
        if (m->branch[0]) {
            fputs(" on ", f);
            code_span(f, m->branch);
        }
    }
    if (m->id > 0)
        fprintf(f, " \xc2\xb7 run #%" PRId64, m->id);
    if (r->store_err != PK_OK) {   /* the comment must say so: stderr is not in it */
        fputs(" \xc2\xb7 **run not stored in the history**: ", f);
        text(f, r->store_error);
    }
    if (r->pair_ref[0]) {
        fputs(" \xc2\xb7 paired against ", f);
        code_span(f, r->pair_ref);
        fputs(" (", f);
        code_span(f, pk__report_check_short_commit(r->pair_commit, sc, sizeof sc));
        fputs(")", f);
    }
    fprintf(f, " \xc2\xb7 perfkit %s\n", m->perfkit_version[0] ? m->perfkit_version
                                                               : pk_version());
}

/* s escaped for HTML text (a <summary>). */
static void html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            fputc(*s, f);
    }
}

/* A failed command's stderr tail, folded under the table: a code block whose
 * fence is longer than any run of backticks in it, each line made
 * terminal-safe (control characters as visible escapes). */
static void stderr_block(FILE *f, const pk_check_item *it)
{
    const char *t = it->stderr_tail;
    size_t n = strlen(t), run = 0, fence = 3;
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r'))
        n--;
    for (size_t k = 0; k < n; k++) {
        run = t[k] == '`' ? run + 1 : 0;
        if (run >= fence)
            fence = run + 1;
    }
    fputs("<details><summary>stderr (tail) of ", f);
    html(f, it->benchmark);
    fputs("</summary>\n\n", f);
    for (size_t k = 0; k < fence; k++)
        fputc('`', f);
    fputc('\n', f);
    char line[1024], clean[1024];
    for (size_t k = 0; k < n;) {
        size_t len = strcspn(t + k, "\n");
        if (k + len > n)
            len = n - k;
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1),
                 t + k);
        fprintf(f, "%s\n", pk__report_check_clean(line, clean, sizeof clean));
        k += len + 1;
    }
    for (size_t k = 0; k < fence; k++)
        fputc('`', f);
    fputs("\n\n</details>\n\n", f);
}

pk_err pk_check_write_markdown(FILE *f, const pk_check_report *r)
{
    if (!f || !r || (r->n_items && !r->items))
        return PK_EINVAL;
    size_t *ord = NULL, n_pass = 0;
    pk_err e = pk__report_check_order(r, &ord);
    if (e != PK_OK)
        return e;
    headline(f, r);
    for (size_t k = 0; k < r->n_items; k++)
        n_pass += r->items[ord[k]].status == PK_CHECK_PASS;
    if (n_pass < r->n_items) {
        fputs(HEAD, f);
        /* failures first, then the other changes and warnings */
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < r->n_items; k++) {
                const pk_check_item *it = &r->items[ord[k]];
                if (it->status != PK_CHECK_PASS &&
                    pk__report_check_fails(r, it->status) == (pass == 0))
                    item_row(f, r, it);
            }
        fputc('\n', f);
        for (size_t k = 0; k < r->n_items; k++)
            if (r->items[ord[k]].stderr_tail && *r->items[ord[k]].stderr_tail)
                stderr_block(f, &r->items[ord[k]]);
    }
    if (n_pass > 0) {
        fprintf(f, "<details><summary>%zu %s</summary>\n\n%s", n_pass,
                r->compared_with ? "unchanged" : "passed", HEAD);
        for (size_t k = 0; k < r->n_items; k++)
            if (r->items[ord[k]].status == PK_CHECK_PASS)
                item_row(f, r, &r->items[ord[k]]);
        fputs("\n</details>\n\n", f);
    }
    for (size_t i = 0; i < r->n_warnings; i++) {
        char b[256], m[1024];
        const pk_check_warning *w = &r->warnings[i];
        fprintf(f, "> \xe2\x9a\xa0\xef\xb8\x8f **warning** `%s`: %s\n\n",
                pk__report_check_clean(w->benchmark ? w->benchmark : "", b, sizeof b),
                pk__report_check_clean(w->message ? w->message : "", m, sizeof m));
    }
    pk__report_profiles_markdown(f, r);
    footer(f, r);
    pk_free(ord);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}
