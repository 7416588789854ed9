/* size_write.c — the writers of a size report (report.h: pk_size_write).
 *
 *   file          raw         gzip       brotli         zstd
 *   dist/a.js  97.7 KiB        133 B         14 B         25 B
 *
 *   ok   gzip=1KB: 1 file within (largest 133 B, 13% of the limit)
 *
 * Text: a table with a column per compression shown and a total row, then a
 * line per budget (the verdicts are the report's; nothing is decided here).
 * File names are shown through pk_termsafe (termsafe.h): a name is anyone's.
 * JSON: schema perfkit/size/v1 with exact byte counts. A table maps each
 * format to its writer; other formats are PK_ENOTSUP. */
#include "report/report_int.h"

#include <math.h>
#include <string.h>
#include "perfkit/termsafe.h"
#include "perfkit/units.h"

static bool shown(const pk_size_report *r, int c)
{
    return (r->mask >> c) & 1u;
}

/* path made terminal-safe, padded with blanks to w bytes. */
static void put_path(FILE *f, const char *path, size_t w)
{
    pk_termsafe_fputs(path, f);
    for (size_t n = pk_termsafe_size(path) - 1; n < w; n++)
        fputc(' ', f);
}

static void table(FILE *f, const pk_size_report *r)
{
    size_t w = 4;
    for (size_t i = 0; i < r->n_files; i++) {
        size_t n = pk_termsafe_size(r->files[i].path) - 1;
        w = n > w ? n : w;
    }
    put_path(f, "file", w);
    for (int c = 0; c < PK_SIZE_COUNT; c++)
        if (shown(r, c))
            fprintf(f, "  %11s", pk_compression_name((pk_compression)c));
    fputc('\n', f);
    uint64_t total[PK_SIZE_COUNT] = {0};
    char buf[32];
    for (size_t i = 0; i < r->n_files; i++) {
        put_path(f, r->files[i].path, w);
        for (int c = 0; c < PK_SIZE_COUNT; c++) {
            if (!shown(r, c))
                continue;
            total[c] += r->files[i].size.bytes[c];
            fprintf(f, "  %11s",
                    pk_units_format_size((double)r->files[i].size.bytes[c], buf, sizeof buf));
        }
        fputc('\n', f);
    }
    if (r->n_files > 1) {
        put_path(f, "total", w);
        for (int c = 0; c < PK_SIZE_COUNT; c++)
            if (shown(r, c))
                fprintf(f, "  %11s", pk_units_format_size((double)total[c], buf, sizeof buf));
        fputc('\n', f);
    }
}

static void verdict(FILE *f, const pk_size_report *r, const pk_size_verdict *v, bool color)
{
    const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "",
               *off = color ? "\033[0m" : "";
    const pk_size_limit *b = &v->budget;
    const char *cn = pk_compression_name(b->c);
    size_t n = r->n_files;
    char buf[32];
    if (v->ok) {
        double top = (double)r->files[v->largest].size.bytes[b->c];
        fprintf(f, "%sok%s   %s=%s: %zu file%s within (largest %s, %.0f%% of the limit)\n",
                green, off, cn, b->text, n, n == 1 ? "" : "s",
                pk_units_format_size(top, buf, sizeof buf),
                b->limit > 0 ? 100.0 * top / b->limit : 100.0);
        return;
    }
    fprintf(f, "%sFAIL%s %s=%s: %zu of %zu file%s over\n", red, off, cn, b->text, v->n_over, n,
            n == 1 ? "" : "s");
    for (size_t k = 0; k < v->n_over; k++) {
        const pk_size_entry *e = &r->files[v->over[k]];
        double bytes = (double)e->size.bytes[b->c];
        fputs("     ", f);
        pk_termsafe_fputs(e->path, f);
        fprintf(f, ": %s %s (%.0f B) > %s (%.0f B)", cn,
                pk_units_format_size(bytes, buf, sizeof buf), bytes, b->text, b->limit);
        if (b->limit > 0)
            fprintf(f, " (+%.1f%%)", 100.0 * (bytes - b->limit) / b->limit);
        fputc('\n', f);
    }
}

pk_err pk__report_size_text(FILE *f, const pk_size_report *r, const pk_write_opts *o)
{
    table(f, r);
    if (r->n_files && r->n_verdicts)
        fputc('\n', f);
    for (size_t k = 0; r->n_files && k < r->n_verdicts; k++)
        verdict(f, r, &r->verdicts[k], o && o->color);
    return fflush(f) == EOF || ferror(f) ? PK_EIO : PK_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

/* pk__report_json_set / _push steal their value even when they fail (as
 * jansson's *_new calls do), so a failed build only releases its root. */
static json_t *over_json(const pk_size_entry *e, pk_compression c)
{
    json_t *o = json_object();
    if (pk__report_json_set(o, "path", pk__report_json_str(e->path)) |
        pk__report_json_set(o, "bytes", pk__report_json_u64(e->size.bytes[c]))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *budget_json(const pk_size_report *r, const pk_size_verdict *v)
{
    const pk_size_limit *b = &v->budget;
    bool whole = b->limit < 9007199254740992.0 && b->limit == floor(b->limit);
    json_t *o = json_object(), *over = json_array();
    int bad = pk__report_json_set(o, "compression", json_string(pk_compression_name(b->c))) |
              pk__report_json_set(o, "limit", pk__report_json_str(b->text)) |
              pk__report_json_set(o, "limit_bytes", whole ? json_integer((json_int_t)b->limit)
                                                          : json_real(b->limit)) |
              pk__report_json_set(o, "ok", json_boolean(v->ok)) |
              pk__report_json_set(o, "over", over);
    for (size_t k = 0; !bad && k < v->n_over; k++)
        bad = pk__report_json_push(over, over_json(&r->files[v->over[k]], b->c));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *file_json(const pk_size_report *r, const pk_size_entry *e)
{
    json_t *f = json_object();
    int bad = pk__report_json_set(f, "path", pk__report_json_str(e->path));
    for (int c = 0; !bad && c < PK_SIZE_COUNT; c++)
        if (shown(r, c))
            bad = pk__report_json_set(f, pk_compression_name((pk_compression)c),
                                      pk__report_json_u64(e->size.bytes[c]));
    if (bad) {
        json_decref(f);
        return NULL;
    }
    return f;
}

static json_t *size_json(const pk_size_report *r)
{
    static const char *const settings[PK_SIZE_COUNT] = {
        NULL, "zlib deflate level 9, gzip framing", "brotli quality 11, window 22, text mode",
        "zstd level 19, checksum"};
    json_t *root = json_object(), *comp = json_object(), *files = json_array(),
           *budgets = json_array();
    int bad = pk__report_json_set(root, "schema", json_string("perfkit/size/v1")) |
              pk__report_json_set(root, "perfkit_version", json_string(pk_version())) |
              pk__report_json_set(root, "compression", comp) |
              pk__report_json_set(root, "files", files) |
              pk__report_json_set(root, "budgets", budgets);
    for (int c = PK_SIZE_GZIP; !bad && c < PK_SIZE_COUNT; c++)
        if (shown(r, c))
            bad = pk__report_json_set(comp, pk_compression_name((pk_compression)c),
                                      json_string(settings[c]));
    for (size_t i = 0; !bad && i < r->n_files; i++)
        bad = pk__report_json_push(files, file_json(r, &r->files[i]));
    for (size_t k = 0; !bad && k < r->n_verdicts; k++)
        bad = pk__report_json_push(budgets, budget_json(r, &r->verdicts[k]));
    if (!bad)
        bad = pk__report_json_set(root, "ok", json_boolean(r->n_broken == 0));
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

pk_err pk__report_size_json(FILE *f, const pk_size_report *r, const pk_write_opts *o)
{
    (void)o;
    return pk__report_json_dump(f, size_json(r));
}

typedef pk_err (*size_writer)(FILE *, const pk_size_report *, const pk_write_opts *);

static const size_writer writers[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = pk__report_size_text,
    [PK_FORMAT_JSON] = pk__report_size_json,
};

pk_err pk_size_write(FILE *f, const pk_size_report *r, pk_format fmt, const pk_write_opts *o)
{
    if (!f || !r)
        return PK_EINVAL;
    if ((unsigned)fmt >= PK_FORMAT_COUNT || !writers[fmt])
        return PK_ENOTSUP;
    return writers[fmt](f, r, o);
}
