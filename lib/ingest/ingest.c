/* ingest.c — results produced elsewhere into a result set: detection, the
 * entry points, and what the format readers (ingest_*.c) share.
 *
 * The text is parsed once with jansson (integers kept exact, duplicate keys
 * rejected); syntax errors carry jansson's line:column. A UTF-8 BOM is left
 * out first, and bare NaN / Infinity tokens (Google Benchmark writes NaN for
 * the cv of an always-zero counter) are quoted so strict JSON accepts them;
 * the two quotes are taken off a syntax error's column again. jansson keeps
 * no positions per value, so a reader names the place of a semantic error as
 * a path (results[2].times[5]) and locate() walks the text as written along
 * it — the text is known to be valid JSON (bare tokens aside) by then, so a
 * skip-scanner suffices. Readers add to the caller's set directly; on any
 * error the benchmarks they added are released again, leaving the set as it
 * was. Everything on the way is linear in the input: names are found through
 * the set's index, and the copies of a repeated name count on from the last
 * "#k" given instead of trying 1, 2, ... again. */
#include "ingest/ingest_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/run.h"

/* ---- paths and positions --------------------------------------------------- */

pk__jpath *pk__ingest_key(pk__jpath *p, const char *key)
{
    if (p->n < PK__JPATH_MAX)
        p->step[p->n++] = (pk__jstep){key, 0};
    return p;
}

pk__jpath *pk__ingest_idx(pk__jpath *p, size_t index)
{
    if (p->n < PK__JPATH_MAX)
        p->step[p->n++] = (pk__jstep){NULL, index};
    return p;
}

static const char *skip_ws(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    return s;
}

/* s at the opening quote; returns the byte after the closing one. */
static const char *skip_string(const char *s, const char *e)
{
    for (s++; s < e && *s != '"'; s++)
        if (*s == '\\')
            s++;
    return s < e ? s + 1 : e;
}

/* s at the first byte of a value; returns the byte after it. */
static const char *skip_value(const char *s, const char *e)
{
    if (s >= e)
        return e;
    if (*s == '"')
        return skip_string(s, e);
    if (*s != '{' && *s != '[') {
        while (s < e && *s != ',' && *s != '}' && *s != ']' && *s != ' ' && *s != '\t' &&
               *s != '\n' && *s != '\r')
            s++;
        return s;
    }
    size_t depth = 0;
    while (s < e) {
        if (*s == '"') {
            s = skip_string(s, e);
            continue;
        }
        if (*s == '{' || *s == '[')
            depth++;
        else if ((*s == '}' || *s == ']') && --depth == 0)
            return s + 1;
        s++;
    }
    return e;
}

/* s at a member's value or an element; returns the start of the next member
 * or element, or NULL when no comma follows (the end of the container). */
static const char *next_item(const char *s, const char *e)
{
    s = skip_ws(skip_value(s, e), e);
    if (s >= e || *s != ',')
        return NULL;
    return skip_ws(s + 1, e);
}

/* The value of member key in the object at s, or NULL. */
static const char *find_member(const char *s, const char *e, const char *key)
{
    size_t klen = strlen(key);
    s = skip_ws(s + 1, e);
    while (s < e && *s == '"') {
        const char *kend = skip_string(s, e);
        bool match = (size_t)(kend - s) == klen + 2 && memcmp(s + 1, key, klen) == 0;
        s = skip_ws(kend, e);
        if (s >= e || *s != ':')
            return NULL;
        s = skip_ws(s + 1, e);
        if (match)
            return s;
        s = next_item(s, e);
        if (!s)
            return NULL;
    }
    return NULL;
}

/* Element index of the array at s, or NULL. */
static const char *find_element(const char *s, const char *e, size_t index)
{
    s = skip_ws(s + 1, e);
    for (size_t k = 0; s < e && *s != ']'; k++) {
        if (k == index)
            return s;
        s = next_item(s, e);
        if (!s)
            return NULL;
    }
    return NULL;
}

/* Byte offset of the value at p, or of the deepest part of p the text has. */
static size_t locate(const char *text, size_t len, const pk__jpath *p)
{
    const char *e = text + len, *s = skip_ws(text, e);
    for (size_t i = 0; i < p->n && s < e; i++) {
        const pk__jstep *st = &p->step[i];
        const char *next = NULL;
        if (st->key && *s == '{')
            next = find_member(s, e, st->key);
        else if (!st->key && *s == '[')
            next = find_element(s, e, st->index);
        if (!next)
            break;
        s = next;
    }
    return (size_t)(s - text);
}

/* 1-based line and column (in UTF-8 characters) of byte offset off. */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

pk_err pk__ingest_fail(pk__ingest *g, const pk__jpath *p, const char *fmt, ...)
{
    if (!g->diag)
        return PK_EPARSE;
    char msg[sizeof g->diag->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pk__jpath root = {0};
    unsigned line, col;
    line_col(g->text, locate(g->text, g->len, p ? p : &root), &line, &col);
    pk_diag_set(g->diag, g->name, line, col, "%s", msg);
    return PK_EPARSE;
}

pk_err pk__ingest_nomem(pk__ingest *g)
{
    pk_diag_set(g->diag, g->name, 0, 0, "out of memory");
    return PK_ENOMEM;
}

const char *pk__ingest_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

bool pk__ingest_value(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s)
        return false;
    bool neg = s[0] == '-';
    if (strcmp(s + neg, "NaN") == 0)
        *out = NAN;
    else if (strcmp(s + neg, "Infinity") == 0)
        *out = neg ? -INFINITY : INFINITY;
    else
        return false;
    return true;
}

pk_err pk__ingest_number(pk__ingest *g, const json_t *obj, const char *key, const pk__jpath *p,
                         bool required, double *out, bool *present)
{
    const json_t *v = json_object_get(obj, key);
    if (present)
        *present = false;
    if (!v || json_is_null(v)) {
        if (required)
            return pk__ingest_fail(g, p, "missing number `%s`", key);
        return PK_OK;
    }
    pk__jpath at = *p;
    if (!pk__ingest_value(v, out))
        return pk__ingest_fail(g, pk__ingest_key(&at, key), "`%s` must be a number, not %s",
                               key, pk__ingest_type_name(v));
    if (present)
        *present = true;
    return PK_OK;
}

pk_err pk__ingest_check(pk__ingest *g, const pk__jpath *p, const char *what, double raw,
                        double v, unsigned rules)
{
    if (isnan(raw) || isnan(v))
        return pk__ingest_fail(g, p, "`%s` is NaN, not a measurement", what);
    if (isinf(raw))
        return pk__ingest_fail(g, p, "`%s` is infinite, not a measurement", what);
    if (isinf(v))
        return pk__ingest_fail(g, p, "`%s` is out of range: %g overflows", what, raw);
    if ((rules & PK__NONNEG) && v < 0)
        return pk__ingest_fail(g, p, "`%s` is negative (%g): not a measurement", what, raw);
    return PK_OK;
}

pk_err pk__ingest_check_zero(pk__ingest *g, const pk__jpath *p, const char *what,
                             const double *v, size_t n, unsigned rules)
{
    if (!(rules & PK__NONZERO))
        return PK_OK;
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0)
            return PK_OK;
    return pk__ingest_fail(g, p, "`%s` is 0 in every %s: nothing was measured", what,
                           n == 1 ? "value" : "run");
}

pk_err pk__ingest_array(pk__ingest *g, const json_t *obj, const char *key, const char *hint,
                        const pk__jpath *p, const json_t **arr, pk__jpath *at)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return pk__ingest_fail(g, p, "missing `%s`%s", key, hint ? hint : "");
    pk__jpath kp = *p;
    pk__ingest_key(&kp, key);
    if (!json_is_array(v))
        return pk__ingest_fail(g, &kp, "`%s` must be an array, not %s", key,
                               pk__ingest_type_name(v));
    *arr = v;
    *at = kp;
    return PK_OK;
}

/* "<prefix>/<bench>" (suffix k > 1: "<prefix>/<bench> #k") into a new string. */
static char *full_name(const pk__ingest *g, const char *bench, unsigned k)
{
    pk__buf b = {0};
    pk_err e = PK_OK;
    if (g->prefix && g->prefix[0])
        e = pk__buf_printf(&b, "%s/", g->prefix);
    if (e == PK_OK)
        e = pk__buf_puts(&b, bench);
    if (e == PK_OK && k > 1)
        e = pk__buf_printf(&b, " #%u", k);
    if (e != PK_OK) {
        pk__buf_free(&b);
        return NULL;
    }
    return pk__buf_take(&b);
}

pk_err pk__ingest_add(pk__ingest *g, const char *bench, const pk__jpath *p, pk_bench_data **out)
{
    *out = NULL;
    if (!bench[0])
        return pk__ingest_fail(g, p, "empty benchmark name");
    /* the k-th copy of a name in this input is "name #k"; a name the set had
     * before this call is an error (import with a prefix to keep both). The
     * last k given to a name is remembered, so n copies cost O(n), not O(n²). */
    char *first = full_name(g, bench, 1);
    if (!first)
        return pk__ingest_nomem(g);
    size_t last = 0;
    pk__hash_get(&g->copies, first, strlen(first), &last);
    pk_err e = PK_OK;
    for (unsigned k = last ? (unsigned)last + 1 : 1; e == PK_OK; k++) {
        char *full = k == 1 ? first : full_name(g, bench, k);
        if (!full) {
            e = pk__ingest_nomem(g);
            break;
        }
        const pk_bench_data *had = pk_resultset_find(g->rs, full);
        if (had && (size_t)(had - g->rs->benches) < g->n0)
            e = pk__ingest_fail(g, p, "benchmark `%s` is already defined (names must be unique; "
                                      "import with a prefix to keep both)", full);
        else if (!had && (e = pk_resultset_add(g->rs, full, out)) == PK_ENOMEM)
            pk__ingest_nomem(g);
        if (full != first)
            pk_free(full);
        if (e != PK_OK || had)
            continue;
        if (k > 1) {   /* remember k under the first copy's name, which rs owns */
            const pk_bench_data *one = pk_resultset_find(g->rs, first);
            if (one && pk__hash_put(&g->copies, one->name, strlen(one->name), k) != PK_OK)
                e = pk__ingest_nomem(g);
        }
        break;
    }
    pk_free(first);
    return e;
}

/* ---- parsing: BOM, NaN and Infinity ------------------------------------------ */

/* The spellings of non-finite numbers outside strings: Google Benchmark
 * (json_reporter.cc) and Python's json write them; strict JSON has none. */
static const char *const nonfinite[] = {"-Infinity", "Infinity", "-NaN", "NaN"};

static bool delimiter(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' ||
           c == '[' || c == ']' || c == '{' || c == '}';
}

/* One parse of text (BOM already left out). */
typedef struct parsed {
    json_t *root;
    json_error_t err;       /* when root is NULL */
    bool nomem;
} parsed;

/* Whether a ':' follows position i (whitespace skipped): the token before
 * it stands where a member name does. */
static bool before_colon(const char *text, size_t len, size_t i)
{
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return i < len && text[i] == ':';
}

/* Parse text; bare non-finite tokens in value positions become strings of
 * the same spelling first (on a copy: only when there are any). A token
 * where a member name stands is left alone, so {NaN: 1} stays invalid. Each
 * adds its two quotes, so a syntax error's column is moved back by two for
 * each one before it on its line. */
static void parse(const char *text, size_t len, parsed *out)
{
    memset(out, 0, sizeof *out);
    pk__buf q = {0};
    size_t *at = NULL, n_at = 0, cap_at = 0, copied = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
            continue;
        }
        if ((c != 'N' && c != 'I' && c != '-') || (i > 0 && !delimiter(text[i - 1])))
            continue;
        for (size_t k = 0; k < sizeof nonfinite / sizeof nonfinite[0]; k++) {
            size_t l = strlen(nonfinite[k]);
            if (l > len - i || memcmp(text + i, nonfinite[k], l) != 0 ||
                (i + l < len && !delimiter(text[i + l])))
                continue;
            if (before_colon(text, len, i + l))
                break;
            if (PK__PUSH_ROOM(at, n_at, cap_at) != PK_OK ||
                pk__buf_add(&q, text + copied, i - copied) != PK_OK ||
                pk__buf_printf(&q, "\"%s\"", nonfinite[k]) != PK_OK) {
                out->nomem = true;
                goto done;
            }
            at[n_at++] = i;
            copied = i + l;
            i += l - 1;
            break;
        }
    }
    if (n_at && pk__buf_add(&q, text + copied, len - copied) != PK_OK) {
        out->nomem = true;
        goto done;
    }
    out->root = json_loadb(n_at ? q.data : text, n_at ? q.len : len, JSON_REJECT_DUPLICATES,
                           &out->err);
    if (!out->root && json_error_code(&out->err) == json_error_out_of_memory)
        out->nomem = true;
    if (!out->root && n_at && out->err.line > 0 && out->err.position > 0) {
        /* columns as written: no quotes before the error on its line */
        size_t line = 1, j = 0, pos = (size_t)out->err.position;
        for (size_t i = 0; i < len && j < n_at; i++) {
            for (; j < n_at && at[j] == i; j++)
                if (line == (size_t)out->err.line && at[j] + 2 * j < pos &&
                    out->err.column > 2)
                    out->err.column -= 2;
            if (text[i] == '\n')
                line++;
        }
    }
done:
    pk__buf_free(&q);
    pk_free(at);
}

/* text without a leading UTF-8 byte order mark (Windows tools write one). */
static const char *skip_bom(const char *text, size_t *len)
{
    if (*len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        *len -= 3;
        return text + 3;
    }
    return text;
}

/* ---- detection and entry points -------------------------------------------- */

static pk_import_format detect_tree(const json_t *root)
{
    if (!json_is_object(root))
        return PK_IMPORT_AUTO;
    const char *schema = json_string_value(json_object_get(root, "schema"));
    if (schema && strcmp(schema, "perfkit/bench/v1") == 0)
        return PK_IMPORT_PERFKIT;
    if (json_object_get(root, "context") && json_object_get(root, "benchmarks"))
        return PK_IMPORT_GBENCH;
    const json_t *res = json_object_get(root, "results"), *r;
    if (json_is_array(res) && json_array_size(res) == 0)
        return PK_IMPORT_HYPERFINE;   /* no results: reported as such */
    size_t i;
    json_array_foreach(res, i, r)
        if (json_object_get(r, "times"))
            return PK_IMPORT_HYPERFINE;
    return PK_IMPORT_AUTO;
}

pk_import_format pk_ingest_detect(const char *text, size_t len)
{
    if (!text)
        return PK_IMPORT_AUTO;
    text = skip_bom(text, &len);
    parsed p;
    parse(text, len, &p);
    pk_import_format f = detect_tree(p.root);
    json_decref(p.root);
    return f;
}

pk_err pk_ingest_buffer(const char *text, size_t len, const char *name, pk_import_format fmt,
                        const char *prefix, pk_resultset *rs, pk_diag *diag)
{
    if ((!text && len) || !rs || fmt < PK_IMPORT_AUTO || fmt > PK_IMPORT_GBENCH) {
        pk_diag_set(diag, name, 0, 0, "invalid argument");
        return PK_EINVAL;
    }
    if (!text)
        text = "";
    text = skip_bom(text, &len);
    pk__ingest g = {.text = text, .len = len, .name = name ? name : "", .prefix = prefix,
                    .rs = rs, .diag = diag, .n0 = rs->n};
    parsed p;
    parse(text, len, &p);
    if (p.nomem) {
        json_decref(p.root);
        return pk__ingest_nomem(&g);
    }
    if (!p.root) {
        pk_diag_set(diag, g.name, p.err.line > 0 ? (unsigned)p.err.line : 1,
                    p.err.column > 0 ? (unsigned)p.err.column : 1, "invalid JSON: %s",
                    p.err.text);
        return PK_EPARSE;
    }
    if (fmt == PK_IMPORT_AUTO)
        fmt = detect_tree(p.root);
    pk_err e;
    switch (fmt) {
    case PK_IMPORT_PERFKIT: e = pk__ingest_perfkit(&g, p.root); break;
    case PK_IMPORT_HYPERFINE: e = pk__ingest_hyperfine(&g, p.root); break;
    case PK_IMPORT_GBENCH: e = pk__ingest_gbench(&g, p.root); break;
    default:
        e = pk__ingest_fail(&g, NULL, "not a format perfkit imports: expected perfkit JSON "
                                      "(\"schema\": \"perfkit/bench/v1\"), hyperfine "
                                      "--export-json (\"results\" with \"times\") or Google "
                                      "Benchmark JSON (\"context\" and \"benchmarks\")");
        break;
    }
    json_decref(p.root);
    pk__hash_free(&g.copies);
    if (e == PK_OK && rs->n == g.n0)
        e = pk__ingest_fail(&g, &g.results, "no benchmark results in %s", g.name);
    if (e != PK_OK)
        pk_resultset_truncate(rs, g.n0);   /* the set as it was */
    return e;
}

pk_err pk_ingest_file(const char *path, pk_import_format fmt, const char *prefix,
                      pk_resultset *rs, pk_diag *diag)
{
    if (!path || !rs) {
        pk_diag_set(diag, path, 0, 0, "invalid argument");
        return PK_EINVAL;
    }
    char *text = NULL;
    size_t len = 0;
    pk_err e = pk__file_read(path, PK__INPUT_IMPORT_MAX, "imports", &text, &len, diag);
    if (e != PK_OK)
        return e;
    e = pk_ingest_buffer(text, len, path, fmt, prefix, rs, diag);
    pk_free(text);
    return e;
}

/* ---- running a Google Benchmark binary ------------------------------------- */

/* The last lines of a stderr tail as one line ("a | b"), into buf. */
static void one_line(const char *tail, char *buf, size_t len)
{
    size_t n = strlen(tail);
    while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
        n--;
    size_t start = n > 400 ? n - 400 : 0;
    size_t o = 0;
    for (size_t i = start; i < n && o + 4 < len; i++) {
        if (tail[i] == '\n') {
            memcpy(buf + o, " | ", 3);
            o += 3;
        } else if (tail[i] != '\r') {
            buf[o++] = tail[i];
        }
    }
    buf[o] = '\0';
}

pk_err pk_ingest_gbench_run(const char *binary, const char *const *args, size_t n_args,
                            size_t repetitions, const char *prefix, pk_resultset *rs,
                            pk_diag *diag)
{
    return pk_ingest_gbench_run_in(binary, NULL, args, n_args, repetitions, prefix, rs, diag);
}

pk_err pk_ingest_gbench_run_in(const char *binary, const char *cwd, const char *const *args,
                               size_t n_args, size_t repetitions, const char *prefix,
                               pk_resultset *rs, pk_diag *diag)
{
    if (!binary || !binary[0] || !rs || (n_args && !args)) {
        pk_diag_set(diag, binary, 0, 0, "invalid argument");
        return PK_EINVAL;
    }
    char out_path[4096];
    pk_err e = pk__tempfile("perfkit-gbench-", ".json", out_path, sizeof out_path, NULL);
    if (e != PK_OK) {
        pk_diag_set(diag, out_path, 0, 0, "cannot create a temporary file: %s",
                    pk_strerror(e));
        return e;
    }

    char reps[48], out_arg[4200];
    snprintf(reps, sizeof reps, "--benchmark_repetitions=%zu", repetitions);
    snprintf(out_arg, sizeof out_arg, "--benchmark_out=%s", out_path);
    char **argv = pk_calloc(n_args + 6, sizeof *argv);
    pk_runner *runner = NULL;
    e = PK_ENOMEM;
    if (!argv) {
        pk_diag_set(diag, binary, 0, 0, "out of memory");
        goto done;
    }
    size_t k = 0;
    argv[k++] = (char *)binary;
    for (size_t i = 0; i < n_args; i++)
        argv[k++] = (char *)args[i];
    if (repetitions)   /* 0: the binary's own default */
        argv[k++] = reps;
    argv[k++] = (char *)"--benchmark_format=json";
    argv[k++] = out_arg;
    argv[k++] = (char *)"--benchmark_out_format=json";

    pk_run_opts ro;
    pk_run_opts_init(&ro);
    ro.output = PK_OUTPUT_NULL;
    ro.counters = false;
    if ((e = pk_runner_new(&ro, &runner)) != PK_OK) {
        pk_diag_set(diag, binary, 0, 0, "cannot set up the run: %s", pk_strerror(e));
        goto done;
    }
    pk_run_result res;
    if ((e = pk_runner_run_in(runner, cwd, argv, &res)) != PK_OK) {
        pk_diag_set(diag, binary, 0, 0, "%s", pk_runner_last_error(runner));
        goto done;
    }
    if (!pk_run_succeeded(&res)) {
        char tail[2048], line[512];
        pk_runner_stderr_tail(runner, tail, sizeof tail);
        one_line(tail, line, sizeof line);
        char how[64];
        if (res.timed_out)
            snprintf(how, sizeof how, "timed out");
        else if (res.term_signal)
            snprintf(how, sizeof how, "was killed by signal %d", res.term_signal);
        else
            snprintf(how, sizeof how, "exited with code %d", res.exit_code);
        pk_diag_set(diag, binary, 0, 0, "Google Benchmark binary %s%s%s", how,
                    line[0] ? ": " : "", line);
        e = PK_EFAIL;
        goto done;
    }
    struct stat st;
    if (stat(out_path, &st) == 0 && st.st_size == 0) {
        /* /bin/true, a script that prints text: not a Google Benchmark binary */
        pk_diag_set(diag, NULL, 0, 0,
                    "`%s` did not write Google Benchmark JSON: is it a Google Benchmark "
                    "binary? (it exited 0 and wrote nothing to --benchmark_out)", binary);
        e = PK_EPARSE;
        goto done;
    }
    e = pk_ingest_file(out_path, PK_IMPORT_GBENCH, prefix, rs, diag);
    if (e == PK_EPARSE && diag) {   /* the file is gone: name the binary */
        char msg[sizeof diag->message], at[48] = "";
        snprintf(msg, sizeof msg, "%s", diag->message);
        if (diag->line)
            snprintf(at, sizeof at, "line %u, column %u: ", diag->line, diag->column);
        pk_diag_set(diag, NULL, 0, 0,
                    "`%s` did not write Google Benchmark JSON: is it a Google Benchmark "
                    "binary? (its --benchmark_out, %s%s)", binary, at, msg);
    } else if (e == PK_ERANGE && diag) {
        snprintf(diag->file, sizeof diag->file, "%s (output)", binary);
    }
done:
    pk_runner_free(runner);
    pk_free(argv);
    unlink(out_path);
    return e;
}
