/* config_int.h — private to lib/config/config*.c: the YAML node tree the
 * loader builds, the parse context that reports located errors, and the value
 * converters shared by the top-level and per-benchmark parsers. */
#ifndef PK_CONFIG_INT_H
#define PK_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/config.h"

/* ---- node tree (config_yaml.c) ------------------------------------------- */

typedef enum pk__ynode_kind {
    PK__YN_SCALAR = 0,
    PK__YN_SEQ,
    PK__YN_MAP,
} pk__ynode_kind;

typedef struct pk__ynode pk__ynode;
struct pk__ynode {
    pk__ynode_kind kind;
    unsigned line, column;   /* 1-based start of the node */
    char *str;               /* SCALAR: value, NUL-terminated (no NUL inside) */
    size_t len;
    bool quoted;             /* SCALAR: single- or double-quoted */
    bool plain;              /* SCALAR: plain style (no quotes, not a block) */
    pk__ynode **items;       /* SEQ: n items; MAP: n/2 pairs, key then value */
    size_t n, cap;
};

typedef struct pk__cfg_ctx pk__cfg_ctx;

/* Parse text[0..len-1] into a tree. On PK_OK *out is the root, or NULL for an
 * empty stream. Errors: PK_EPARSE (recorded in c at the offending position:
 * the first syntax error ends the parse), PK_ENOMEM. */
pk_err pk__yaml_load(const char *text, size_t len, pk__cfg_ctx *c, pk__ynode **out);
void pk__ynode_free(pk__ynode *n);   /* NULL is a no-op */

/* ---- parse context (config_value.c) ------------------------------------- */

/* Every error is recorded in errors and parsing goes on with the next key,
 * benchmark or size budget, so one pass reports them all (config.h); a
 * step that cannot go on (out of memory) returns PK_ENOMEM. */
struct pk__cfg_ctx {
    const char *file;
    pk_diag_list *errors;    /* every error of the file, sorted by position */
    bool failed;             /* an error was recorded */
    pk_diag *warnings;       /* collected while parsing, moved to the config */
    size_t n_warnings, cap_warnings, more_warnings;
};

/* The first error of acc and e: PK_OK only when both are; PK_ENOMEM wins,
 * as it ends the parse. The loops that go on after an error keep it so. */
static inline pk_err pk__cfg_keep(pk_err acc, pk_err e)
{
    if (acc == PK_ENOMEM || e == PK_OK)
        return acc;
    return acc == PK_OK || e == PK_ENOMEM ? e : acc;
}

/* Record the error at (line, column) and return PK_EPARSE (PK_ENOMEM when
 * there is no memory to record it). */
pk_err pk__cfg_error(pk__cfg_ctx *c, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same at node n. */
pk_err pk__cfg_error_at(pk__cfg_ctx *c, const pk__ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a warning at (line, column); past PK_CONFIG_WARNINGS_MAX only
 * counted. Errors: PK_ENOMEM. */
pk_err pk__cfg_warn(pk__cfg_ctx *c, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record an out-of-memory diagnostic and return PK_ENOMEM. */
pk_err pk__cfg_nomem(pk__cfg_ctx *c);

pk_src_pos pk__cfg_pos(const pk__ynode *n);

/* "a list", "a mapping" (or "a value" for a scalar). */
const char *pk__cfg_node_what(const pk__ynode *n);

/* The key table entry matching key (underscores read as dashes), or -1. */
int pk__cfg_key_index(const char *key, const char *const *keys, size_t n);

/* Check that map is a mapping with non-empty scalar, unique keys (compared
 * after underscore → dash when normalize). what names the mapping in messages
 * ("`history`", "benchmark `sort`"), noun its keys ("key", "benchmark").
 * Every duplicate key is recorded, and still PK_OK: the entries can be read
 * (the parse fails all the same). Errors: PK_EPARSE (not a mapping, a key
 * that is not a non-empty scalar: its entries cannot be read), PK_ENOMEM. */
pk_err pk__cfg_check_map(pk__cfg_ctx *c, const pk__ynode *map, const char *what,
                         const char *noun, bool normalize);

/* Report an unknown key with a did-you-mean from keys. Returns PK_EPARSE. */
pk_err pk__cfg_unknown_key(pk__cfg_ctx *c, const pk__ynode *key, const char *where,
                           const char *const *keys, size_t n);

/* Value converters: each reports "`key` must be ..., got `v`" at the value.
 * key is the name used in messages. */
pk_err pk__cfg_string(pk__cfg_ctx *c, const char *key, const pk__ynode *v, char **out);
/* A whole number in [min, max]; above max: "`runs`: 4000000000 is more
 * than the limit of 1000000". */
pk_err pk__cfg_whole(pk__cfg_ctx *c, const char *key, const pk__ynode *v, size_t min,
                     size_t max, size_t *out);
pk_err pk__cfg_bool(pk__cfg_ctx *c, const char *key, const pk__ynode *v, bool *out);
pk_err pk__cfg_number(pk__cfg_ctx *c, const char *key, const pk__ynode *v, double *out);
/* A fraction written as a percentage ("5%") or a bare number in [0, 1]. */
pk_err pk__cfg_percent(pk__cfg_ctx *c, const char *key, const pk__ynode *v, double *out);
/* A duration; bare numbers are seconds when bare_seconds. Result in ns. */
pk_err pk__cfg_duration(pk__cfg_ctx *c, const char *key, const pk__ynode *v,
                        bool bare_seconds, double *out);
/* A limit of the given kind for figure (named in kind-mismatch messages). */
pk_err pk__cfg_quantity(pk__cfg_ctx *c, const char *key, const char *figure,
                        const pk__ynode *v, pk_unit_kind kind, double *out);
/* One word of words (matched after underscore → dash) into *idx. */
pk_err pk__cfg_enum(pk__cfg_ctx *c, const char *key, const pk__ynode *v,
                    const char *const *words, size_t n, size_t *idx);

/* ---- sections (config.c, config_bench.c) ---------------------------------- */

pk_err pk__cfg_policy(pk__cfg_ctx *c, const pk__ynode *v, pk_policy *p, const char *where);
/* `profile:` (scalar or mapping) over *p, which holds the defaults or the
 * enclosing value; where names the scope for messages. */
pk_err pk__cfg_profile(pk__cfg_ctx *c, const pk__ynode *v, pk_profile_policy *p,
                       const char *where);
pk_err pk__cfg_bench(pk__cfg_ctx *c, const pk__ynode *name, const pk__ynode *body,
                     const pk_policy *global, const pk_profile_policy *gprofile,
                     pk_cfg_bench *b);
void pk__cfg_bench_clear(pk_cfg_bench *b);
/* `monitor:` into cfg's monitor_* fields (config_monitor.c); clear frees them. */
pk_err pk__cfg_monitor(pk__cfg_ctx *c, const pk__ynode *v, pk_config *cfg);
void pk__cfg_monitor_clear(pk_config *cfg);

#endif
