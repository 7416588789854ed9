/* size_report.c — what `perfkit size` decides: which files an argument
 * names, budgets written C=LIMIT, and a report of files × compressions with
 * a verdict per budget (size.h).
 *
 * Globs are core's pk__glob (braces, ~, sorted, directories left out): the
 * same expansion perfkit.yml's size budgets get, so `dist/{a,b}.js` means
 * one thing everywhere. An argument without glob characters is measured as
 * given, so a missing file or a directory gets its own message. Files named
 * twice are measured once (a hash set of the paths: a glob of 10^5 files
 * costs no 10^10 compares); a budget's compression is always measured. */
#include "perfkit/size.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/hash.h"
#include "perfkit/alloc.h"
#include "perfkit/units.h"

static const char *const all_names[PK_SIZE_COUNT] = {"raw", "gzip", "brotli", "zstd"};

pk_err pk_size_glob(const char *pattern, char ***paths, size_t *n)
{
    return pk__glob(pattern, paths, n);
}

void pk_size_glob_free(char **paths, size_t n)
{
    pk__glob_free(paths, n);
}

/* ---- parsing ------------------------------------------------------------- */

/* The compression named s[0..len-1], or PK_SIZE_COUNT with a diagnostic at
 * 1-based column col. */
static pk_compression name_at(const char *s, size_t len, size_t col, pk_diag *diag)
{
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)(len < 15 ? len : 15), s);
    pk_compression c = len < 15 ? pk_compression_from_name(name) : PK_SIZE_COUNT;
    if (c != PK_SIZE_COUNT)
        return c;
    const char *hint = pk_diag_suggest(name, all_names, PK_SIZE_COUNT);
    pk_diag_set(diag, "", 0, (unsigned)col,
                "unknown compression `%.*s` at column %zu%s%s%s (expected raw, gzip, brotli "
                "or zstd)",
                (int)len, s, col, hint ? " — did you mean `" : "", hint ? hint : "",
                hint ? "`?" : "");
    return PK_SIZE_COUNT;
}

pk_err pk_compression_parse_list(const char *list, uint32_t *mask, pk_diag *diag)
{
    if (!list || !mask)
        return PK_EINVAL;
    uint32_t m = 1u << PK_SIZE_RAW;
    for (const char *s = list;; s += strcspn(s, ",") + 1) {
        size_t len = strcspn(s, ",");
        pk_compression c = name_at(s, len, (size_t)(s - list) + 1, diag);
        if (c == PK_SIZE_COUNT)
            return PK_EPARSE;
        m |= 1u << c;
        if (!s[len])
            break;
    }
    *mask = m;
    return PK_OK;
}

pk_err pk_size_limit_parse(const char *text, pk_size_limit *out, pk_diag *diag)
{
    if (!text || !out)
        return PK_EINVAL;
    const char *eq = strchr(text, '=');
    if (!eq) {
        pk_diag_set(diag, "", 0, (unsigned)strlen(text) + 1,
                    "expected COMPRESSION=LIMIT, e.g. gzip=100KB");
        return PK_EPARSE;
    }
    pk_size_limit b;
    memset(&b, 0, sizeof b);
    b.c = name_at(text, (size_t)(eq - text), 1, diag);
    if (b.c == PK_SIZE_COUNT)
        return PK_EPARSE;
    const char *lim = eq + 1;
    size_t col = 0;
    pk_err e = pk_units_parse(lim, PK_UNIT_SIZE, &b.limit, &col);
    if (e == PK_ERANGE) {
        size_t at = (size_t)(lim - text) + 1;
        pk_diag_set(diag, "", 0, (unsigned)at, "size `%s` at column %zu is out of range", lim, at);
        return PK_EPARSE;
    }
    if (e != PK_OK || strlen(lim) >= sizeof b.text) {
        size_t at = (size_t)(lim - text) + col + 1;
        pk_diag_set(diag, "", 0, (unsigned)at,
                    "invalid size `%s` at column %zu: write a decimal number and its unit "
                    "together, e.g. 100KB, 90KiB, 1.5MB",
                    lim, at);
        return PK_EPARSE;
    }
    memcpy(b.text, lim, strlen(lim) + 1);
    *out = b;
    return PK_OK;
}

/* ---- the report ----------------------------------------------------------- */

void pk_size_report_opts_init(pk_size_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mask = (1u << PK_SIZE_COUNT) - 1;
}

void pk_size_report_free(pk_size_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_files; i++)
        pk_free(r->files[i].path);
    pk_free(r->files);
    for (size_t k = 0; k < r->n_verdicts; k++)
        pk_free(r->verdicts[k].over);
    pk_free(r->verdicts);
    pk_free(r);
}

typedef struct builder {
    pk_size_report *r;
    size_t cap;
    pk__hash seen;   /* the paths of r->files (borrowed): each measured once */
} builder;

static pk_err add_file(builder *b, const char *path)
{
    pk_size_report *r = b->r;
    size_t len = strlen(path);
    if (pk__hash_get(&b->seen, path, len, NULL))
        return PK_OK;
    if (PK__PUSH_ROOM(r->files, r->n_files, b->cap) != PK_OK)
        return PK_ENOMEM;
    pk_size_entry *e = &r->files[r->n_files];
    memset(e, 0, sizeof *e);
    if (!(e->path = pk_strdup(path)) ||
        pk__hash_put(&b->seen, e->path, len, r->n_files) != PK_OK) {
        pk_free(e->path);
        e->path = NULL;
        return PK_ENOMEM;
    }
    r->n_files++;
    return PK_OK;
}

static pk_err expand(builder *b, const char *arg, pk_diag *diag)
{
    if (!pk__glob_magic(arg))
        return add_file(b, arg);   /* measured as given: its own error */
    char **paths = NULL;
    size_t n = 0;
    pk_err e = pk__glob(arg, &paths, &n);
    if (e == PK_ENOENT)
        pk_diag_set(diag, "", 0, 0, "no file matches `%s`", arg);
    else if (e != PK_OK)
        pk_diag_set(diag, "", 0, 0, "cannot expand `%s`: %s", arg, pk_strerror(e));
    for (size_t i = 0; e == PK_OK && i < n; i++)
        e = add_file(b, paths[i]);
    pk__glob_free(paths, n);
    return e;
}

static pk_err measure(pk_size_entry *f, uint32_t mask, pk_diag *diag)
{
    pk_diag d;
    memset(&d, 0, sizeof d);
    pk_err e = pk_size_file_diag(f->path, mask, &f->size, &d);
    struct stat st;
    switch (e) {
    case PK_OK: break;
    case PK_ENOENT: pk_diag_set(diag, "", 0, 0, "%s: no such file", f->path); break;
    case PK_EPERM: pk_diag_set(diag, "", 0, 0, "%s: permission denied", f->path); break;
    case PK_ENOMEM: pk_diag_set(diag, "", 0, 0, "%s: out of memory", f->path); break;
    default:
        if (e == PK_EINVAL && stat(f->path, &st) == 0 && S_ISDIR(st.st_mode))
            pk_diag_set(diag, "", 0, 0, "%s: is a directory (give files, or a glob)", f->path);
        else   /* a device, FIFO or socket; a read that failed */
            pk_diag_set(diag, "", 0, 0, "%s: %s", f->path, d.message[0] ? d.message
                                                                        : pk_strerror(e));
        break;
    }
    return e;
}

static pk_err judge(pk_size_report *r, const pk_size_limit *b, pk_size_verdict *v)
{
    v->budget = *b;
    v->over = pk_calloc(r->n_files ? r->n_files : 1, sizeof *v->over);
    if (!v->over)
        return PK_ENOMEM;
    for (size_t i = 0; i < r->n_files; i++) {
        uint64_t bytes = r->files[i].size.bytes[b->c];
        if ((double)bytes > b->limit)
            v->over[v->n_over++] = i;
        if (bytes > r->files[v->largest].size.bytes[b->c])
            v->largest = i;
    }
    v->ok = v->n_over == 0;
    r->n_broken += !v->ok;
    return PK_OK;
}

pk_err pk_size_report_new(const char *const *args, size_t n, const pk_size_report_opts *o,
                          pk_size_report **out, pk_diag *diag)
{
    pk_size_report_opts defaults;
    if (!o) {
        pk_size_report_opts_init(&defaults);
        o = &defaults;
    }
    if (out)
        *out = NULL;
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!args || !n || !out || (o->n_budgets && !o->budgets) || (o->mask >> PK_SIZE_COUNT)) {
        pk_diag_set(diag, "", 0, 0, "no file to measure");
        return PK_EINVAL;
    }
    for (size_t k = 0; k < o->n_budgets; k++)
        if ((unsigned)o->budgets[k].c >= PK_SIZE_COUNT) {
            pk_diag_set(diag, "", 0, 0, "budget %zu: unknown compression", k + 1);
            return PK_EINVAL;
        }
    builder b = {.r = pk_calloc(1, sizeof *b.r)};
    if (!b.r) {
        pk_diag_set(diag, "", 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    pk_size_report *r = b.r;
    r->mask = o->mask | (1u << PK_SIZE_RAW);
    for (size_t k = 0; k < o->n_budgets; k++)
        r->mask |= 1u << o->budgets[k].c;
    pk_err e = PK_OK;
    for (size_t i = 0; e == PK_OK && i < n; i++)
        e = args[i] ? expand(&b, args[i], diag) : PK_EINVAL;
    pk__hash_free(&b.seen);
    for (size_t i = 0; e == PK_OK && i < r->n_files; i++)
        e = measure(&r->files[i], r->mask, diag);
    if (e == PK_OK && o->n_budgets) {
        r->verdicts = pk_calloc(o->n_budgets, sizeof *r->verdicts);
        e = r->verdicts ? PK_OK : PK_ENOMEM;
        for (size_t k = 0; e == PK_OK && k < o->n_budgets; k++, r->n_verdicts++)
            e = judge(r, &o->budgets[k], &r->verdicts[k]);
    }
    if (e != PK_OK) {
        if (e == PK_ENOMEM && (!diag || !diag->message[0]))
            pk_diag_set(diag, "", 0, 0, "out of memory");
        pk_size_report_free(r);
        return e;
    }
    *out = r;
    return PK_OK;
}
