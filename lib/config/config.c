/* config.c — perfkit.yml: load, parse the top level, free.
 *
 * The file is read whole, hashed (64-bit FNV-1a over the bytes, so history
 * can tell which contract a run was judged under) and turned into a node
 * tree (config_yaml.c). The top level is read in a fixed order — version,
 * history, regression, benchmarks, sizes — so every benchmark's policy can
 * start from the global one wherever `regression:` appears in the file.
 * Reference: FNV hash, http://www.isthe.com/chongo/tech/comp/fnv/ */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>

#include "core/file.h"
#include "perfkit/alloc.h"
#include "perfkit/store.h"

enum { T_VERSION, T_HISTORY, T_REGRESSION, T_BENCHMARKS, T_SIZES, T_PAIR, T_PROFILE, T_MONITOR, T_COUNT };
static const char *const top_keys[T_COUNT] = {"version", "history", "regression", "benchmarks",
                                              "sizes", "pair", "profile", "monitor"};
static const char *const size_keys[PK_SIZE_COUNT] = {"raw", "gzip", "brotli", "zstd"};

void pk_policy_init(pk_policy *p)
{
    p->threshold = PK_THRESHOLD_AUTO;   /* each figure's own, from the table */
    p->alpha = 0.05;
    p->method = PK_TEST_MANN_WHITNEY;
    p->window = PK_DEFAULT_WINDOW;
}

void pk_config_free(pk_config *c)
{
    if (!c)
        return;
    pk_free(c->path);
    pk_free(c->dir);
    pk_free(c->history_path);
    pk_free(c->baseline_branch);
    pk_free(c->pair_base);
    pk_free(c->pair_build);
    for (size_t i = 0; i < c->n_benches; i++)
        pk__cfg_bench_clear(&c->benches[i]);
    pk_free(c->benches);
    for (size_t i = 0; i < c->n_sizes; i++) {
        pk_free(c->sizes[i].pattern);
        for (int k = 0; k < PK_SIZE_COUNT; k++)
            pk_free(c->sizes[i].text[k]);
    }
    pk_free(c->sizes);
    pk_free(c->warnings);
    pk__cfg_monitor_clear(c);
    pk_free(c);
}

pk_err pk__cfg_policy(pk__cfg_ctx *c, const pk__ynode *v, pk_policy *p, const char *where)
{
    static const char *const keys[] = {"threshold", "alpha", "method", "window"};
    static const char *const methods[] = {"mann-whitney", "t-test", "exact"};
    static const pk_test_method method_val[] = {PK_TEST_MANN_WHITNEY, PK_TEST_WELCH,
                                                PK_TEST_EXACT};
    char what[192];
    snprintf(what, sizeof what, "`regression` of %s", where);
    pk_err e = pk__cfg_check_map(c, v, what, "key", true), acc = PK_OK;
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        const pk__ynode *val = v->items[i + 1];
        size_t m;
        switch (pk__cfg_key_index(v->items[i]->str, keys, 4)) {
        case 0:
            e = pk__cfg_percent(c, "threshold", val, &p->threshold);
            break;
        case 1:
            if ((e = pk__cfg_number(c, "alpha", val, &p->alpha)) == PK_OK &&
                !(p->alpha > 0 && p->alpha < 1))
                e = pk__cfg_error_at(c, val, "`alpha` must be between 0 and 1, e.g. 0.05, got `%s`",
                                     val->str);
            break;
        case 2:
            if ((e = pk__cfg_enum(c, "method", val, methods, 3, &m)) == PK_OK)
                p->method = method_val[m];
            break;
        case 3: {
            double w = 0;
            if ((e = pk__cfg_number(c, "window", val, &w)) == PK_OK &&
                !(w >= 1 && w <= 1000 && w == (double)(size_t)w))
                e = pk__cfg_error_at(c, val, "`window` must be a whole number of runs from 1 "
                                     "to 1000, e.g. 10, got `%s`", val->str);
            if (e == PK_OK)
                p->window = (size_t)w;
            break;
        }
        default:
            e = pk__cfg_unknown_key(c, v->items[i], what, keys, 4);
            break;
        }
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

/* dir/rel, or rel itself when it is absolute. NULL on allocation failure. */
static char *join(const char *dir, const char *rel)
{
    if (rel[0] == '/')
        return pk_strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    bool slash = a && dir[a - 1] == '/';
    char *s = pk_malloc(a + b + 2);
    if (s)
        snprintf(s, a + b + 2, "%s%s%s", dir, slash ? "" : "/", rel);
    return s;
}

static pk_err history(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    static const char *const keys[] = {"path", "baseline-branch", "url"};
    pk_err e = pk__cfg_check_map(c, v, "`history`", "key", true), acc = PK_OK;
    if (e != PK_OK)
        return e;
    bool where = false;   /* path or url seen: the history is one of them */
    for (size_t i = 0; i < v->n; i += 2) {
        const pk__ynode *val = v->items[i + 1];
        char *path = NULL, *branch = NULL;
        int key = pk__cfg_key_index(v->items[i]->str, keys, 3);
        if ((key == 0 || key == 2) && where) {
            e = pk__cfg_error_at(c, v->items[i], "`history` takes `path` (a SQLite file) or "
                                 "`url` (PostgreSQL), not both");
            if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
                return acc;
            continue;
        }
        where = where || key == 0 || key == 2;
        switch (key) {
        case 0:
            if ((e = pk__cfg_string(c, "path", val, &path)) != PK_OK)
                break;
            pk_free(cfg->history_path);
            /* a URL here works too; `url:` says it plainly */
            cfg->history_path = pk_store_is_url(path) ? pk_strdup(path) : join(cfg->dir, path);
            pk_free(path);
            if (!cfg->history_path)
                return pk__cfg_nomem(c);
            break;
        case 2:   /* a shared history: postgres://user@host/db (perfkit/store.h) */
            if ((e = pk__cfg_string(c, "url", val, &path)) != PK_OK)
                break;
            if (!pk_store_is_url(path)) {
                e = pk__cfg_error_at(c, val, "`url` must be a postgres:// or postgresql:// URL "
                                  "(a file is `path:`)");
                pk_free(path);
                break;
            }
            pk_free(cfg->history_path);
            cfg->history_path = path;
            break;
        case 1:
            if ((e = pk__cfg_string(c, "baseline-branch", val, &branch)) == PK_OK) {
                pk_free(cfg->baseline_branch);
                cfg->baseline_branch = branch;
            }
            break;
        default:
            e = pk__cfg_unknown_key(c, v->items[i], "`history`", keys, 3);
            break;
        }
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

/* `pair: { base: REF, build: CMD }`: paired mode (perfkit/check.h). */
static pk_err pair(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    static const char *const keys[] = {"base", "build"};
    cfg->pair_pos = pk__cfg_pos(v);
    if (v->kind == PK__YN_SCALAR)
        return pk__cfg_error_at(c, v, "`pair` is a mapping, e.g. { base: origin/main, build: "
                                      "make -j2 }, got `%s`", v->str);
    pk_err e = pk__cfg_check_map(c, v, "`pair`", "key", true), acc = PK_OK;
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        const pk__ynode *val = v->items[i + 1];
        switch (pk__cfg_key_index(v->items[i]->str, keys, 2)) {
        case 0:
            e = pk__cfg_string(c, "base", val, &cfg->pair_base);
            if (e == PK_OK && (!cfg->pair_base[0] || cfg->pair_base[0] == '-'))
                e = pk__cfg_error_at(c, val, "`base` must name a commit, branch or tag, e.g. "
                                             "origin/main, got `%s`", val->str);
            break;
        case 1:
            e = pk__cfg_string(c, "build", val, &cfg->pair_build);
            break;
        default:
            e = pk__cfg_unknown_key(c, v->items[i], "`pair`", keys, 2);
            break;
        }
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

static bool is_null(const pk__ynode *v)
{
    return v->kind == PK__YN_SCALAR && v->plain &&
           (v->len == 0 || strcmp(v->str, "~") == 0 || strcmp(v->str, "null") == 0);
}

static pk_err benchmarks(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    if (is_null(v))
        return PK_OK;
    pk_err e = pk__cfg_check_map(c, v, "`benchmarks`", "benchmark", false);
    if (e != PK_OK)
        return e;
    cfg->benches = pk_calloc(v->n / 2 ? v->n / 2 : 1, sizeof *cfg->benches);
    if (!cfg->benches)
        return pk__cfg_nomem(c);
    pk_err acc = PK_OK;   /* every benchmark is read: all their errors in one pass */
    for (size_t i = 0; i < v->n; i += 2) {
        pk_cfg_bench *b = &cfg->benches[cfg->n_benches++];
        e = pk__cfg_bench(c, v->items[i], v->items[i + 1], &cfg->policy, &cfg->profile, b);
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

static pk_err size_budget(pk__cfg_ctx *c, const pk__ynode *k, const pk__ynode *v,
                          pk_size_budget *s)
{
    char what[160];
    snprintf(what, sizeof what, "size budget `%.120s`", k->str);
    s->pos = pk__cfg_pos(k);
    if (!(s->pattern = pk_strdup(k->str)))
        return pk__cfg_nomem(c);
    if (is_null(v) || (v->kind == PK__YN_MAP && v->n == 0))
        return pk__cfg_error_at(c, k, "%s needs at least one of raw, gzip, brotli or zstd, e.g. "
                                "{ gzip: 50KB }", what);
    pk_err e = pk__cfg_check_map(c, v, what, "key", true), acc = PK_OK;
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < v->n; i += 2) {
        const pk__ynode *key = v->items[i], *val = v->items[i + 1];
        int x = pk__cfg_key_index(key->str, size_keys, PK_SIZE_COUNT);
        if (x < 0)
            e = pk__cfg_unknown_key(c, key, what, size_keys, PK_SIZE_COUNT);
        else
            e = pk__cfg_quantity(c, size_keys[x], size_keys[x], val, PK_UNIT_SIZE, &s->limit[x]);
        if (e == PK_OK) {
            pk_free(s->text[x]);
            if (!(s->text[x] = pk_strdup(val->str)))
                return pk__cfg_nomem(c);
            s->has[x] = true;
        }
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

static pk_err sizes(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg)
{
    if (is_null(v))
        return PK_OK;
    pk_err e = pk__cfg_check_map(c, v, "`sizes`", "pattern", false);
    if (e != PK_OK)
        return e;
    cfg->sizes = pk_calloc(v->n / 2 ? v->n / 2 : 1, sizeof *cfg->sizes);
    if (!cfg->sizes)
        return pk__cfg_nomem(c);
    pk_err acc = PK_OK;
    for (size_t i = 0; i < v->n; i += 2) {
        pk_size_budget *s = &cfg->sizes[cfg->n_sizes++];
        e = size_budget(c, v->items[i], v->items[i + 1], s);
        if ((acc = pk__cfg_keep(acc, e)) == PK_ENOMEM)
            return acc;
    }
    return acc;
}

static pk_err version(pk__cfg_ctx *c, const pk__ynode *v)
{
    size_t n;
    pk_err e = pk__cfg_whole(c, "version", v, 0, SIZE_MAX / 2, &n);
    if (e != PK_OK)
        return e;
    if (n != 1)
        return pk__cfg_error_at(c, v, "unsupported `version: %s` — this perfkit reads version 1",
                                v->str);
    return PK_OK;
}

static pk_err top_level(pk__cfg_ctx *c, const pk__ynode *root, pk_config *cfg)
{
    const pk__ynode *val[T_COUNT] = {0};
    if (!root)
        return pk__cfg_error(c, 1, 1,
                             "empty config: write `version: 1` and a `benchmarks:` or "
                             "`sizes:` mapping");
    if (is_null(root))
        return pk__cfg_error(c, 1, 1,
                                "empty config: write `version: 1` and a `benchmarks:` or "
                                "`sizes:` mapping");
    pk_err e = pk__cfg_check_map(c, root, "the top level", "key", true);
    if (e != PK_OK)
        return e;
    pk_err acc = PK_OK;
    for (size_t i = 0; i < root->n; i += 2) {
        int k = pk__cfg_key_index(root->items[i]->str, top_keys, T_COUNT);
        if (k < 0)
            acc = pk__cfg_keep(acc, pk__cfg_unknown_key(c, root->items[i], "the top level",
                                                        top_keys, T_COUNT));
        else
            val[k] = root->items[i + 1];
    }
    /* every section is read whatever an earlier one said: all errors at once */
    if (val[T_VERSION])
        acc = pk__cfg_keep(acc, version(c, val[T_VERSION]));
    if (val[T_HISTORY] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, history(c, val[T_HISTORY], cfg));
    if (val[T_REGRESSION] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pk__cfg_policy(c, val[T_REGRESSION], &cfg->policy, "the config"));
    if (val[T_PROFILE] && acc != PK_ENOMEM)   /* before the benchmarks: they start from it */
        acc = pk__cfg_keep(acc, pk__cfg_profile(c, val[T_PROFILE], &cfg->profile, "the config"));
    if (val[T_BENCHMARKS] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, benchmarks(c, val[T_BENCHMARKS], cfg));
    if (val[T_SIZES] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, sizes(c, val[T_SIZES], cfg));
    if (val[T_PAIR] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pair(c, val[T_PAIR], cfg));
    if (val[T_MONITOR] && acc != PK_ENOMEM)
        acc = pk__cfg_keep(acc, pk__cfg_monitor(c, val[T_MONITOR], cfg));
    return acc;
}

/* The directory part of name: "." for a bare name, "/" for "/x". */
static char *dir_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    if (!slash)
        return pk_strdup(".");
    if (slash == name)
        return pk_strdup("/");
    return pk_strndup(name, (size_t)(slash - name));
}

pk_err pk_config_parse_all(const char *text, size_t len, const char *name, pk_config **out,
                           pk_diag_list *errors)
{
    pk_diag_list own;
    pk_diag_list_init(&own);
    pk__cfg_ctx c = {.file = name ? name : "", .errors = errors ? errors : &own};
    pk_err e = PK_EINVAL;
    if (out)
        *out = NULL;
    if (!out || (!text && len)) {
        pk__cfg_error(&c, 0, 0, "pk_config_parse: invalid argument");
        goto done;
    }
    pk_config *cfg = pk_calloc(1, sizeof *cfg);
    if (!cfg) {
        e = pk__cfg_nomem(&c);
        goto done;
    }
    pk_policy_init(&cfg->policy);
    pk_profile_policy_init(&cfg->profile);
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ull;
    }
    snprintf(cfg->hash, sizeof cfg->hash, "%016llx", (unsigned long long)h);
    pk__ynode *root = NULL;
    if (!(cfg->path = pk_strdup(c.file)) || !(cfg->dir = dir_of(c.file)) ||
        !(cfg->baseline_branch = pk_strdup("main"))) {
        pk__cfg_nomem(&c);
        e = PK_ENOMEM;   /* spelled out: the analyzer must see nothing below runs */
    } else if ((e = pk__yaml_load(text ? text : "", len, &c, &root)) != PK_OK) {
        /* recorded: YAML stops at its first syntax error */
    } else if ((e = top_level(&c, root, cfg)) == PK_OK && c.failed) {
        e = PK_EPARSE;   /* a duplicate key, recorded while reading on */
    }
    if (e == PK_OK && !cfg->history_path &&
        !(cfg->history_path = join(cfg->dir, ".perfkit/history.db")))
        e = pk__cfg_nomem(&c);
    pk__ynode_free(root);
    if (e == PK_OK && c.more_warnings) {   /* the last one kept says how many more there are */
        pk_diag *last = &c.warnings[c.n_warnings - 1];
        pk_diag_set(last, c.file, 0, 0,
                    "%zu more commands hold shell syntax but run without `shell: true`",
                    c.more_warnings + 1);
    }
    if (e != PK_OK) {
        pk_free(c.warnings);
        pk_config_free(cfg);
    } else {
        cfg->warnings = c.warnings;
        cfg->n_warnings = c.n_warnings;
        *out = cfg;
    }
done:
    pk_diag_list_clear(&own);
    return e;
}

/* The first of errors (by position) into diag, or e's own words. */
static void first_error(const pk_diag_list *errors, pk_err e, const char *name, pk_diag *diag)
{
    if (!diag)
        return;
    if (errors->n)
        *diag = errors->items[0];
    else
        pk_diag_set(diag, name, 0, 0, "%s", pk_strerror(e));
}

pk_err pk_config_parse(const char *text, size_t len, const char *name, pk_config **out,
                       pk_diag *diag)
{
    if (!out)
        return PK_EINVAL;
    pk_diag_list errors;
    pk_diag_list_init(&errors);
    pk_err e = pk_config_parse_all(text, len, name, out, &errors);
    if (e != PK_OK)
        first_error(&errors, e, name, diag);
    pk_diag_list_clear(&errors);
    return e;
}

pk_err pk_config_load_all(const char *path, pk_config **out, pk_diag_list *errors)
{
    if (!out)
        return PK_EINVAL;
    *out = NULL;
    if (!path)
        return PK_EINVAL;
    char *buf;
    size_t len;
    pk_diag d;
    pk_err e = pk__file_read(path, PK__INPUT_CONFIG_MAX, "configuration files", &buf, &len, &d);
    if (e == PK_OK)
        e = pk_config_parse_all(buf, len, path, out, errors);
    else if (errors)
        pk_diag_list_add(errors, &d);
    pk_free(buf);
    return e;
}

pk_err pk_config_load(const char *path, pk_config **out, pk_diag *diag)
{
    if (!out)
        return PK_EINVAL;
    pk_diag_list errors;
    pk_diag_list_init(&errors);
    pk_err e = pk_config_load_all(path, out, &errors);
    if (e != PK_OK)
        first_error(&errors, e, path, diag);
    pk_diag_list_clear(&errors);
    return e;
}
