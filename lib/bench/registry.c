/* registry.c — the microbenchmark registry: definitions in registration
 * order, expanded to named instances ("fn", "fn/64") and filtered.
 *
 * Design: an intrusive singly linked list. PK_BENCHMARK* macros link static
 * nodes from constructors (nothing is allocated before main(), so a test can
 * still install its allocator); pk_bench_register() allocates its node.
 * Argument ranges follow Google Benchmark's AddRange: lo, every power of mult
 * strictly between lo and hi, hi. Filters are POSIX extended regexes matched
 * anywhere in the name (GB's --benchmark_filter). */
#include "bench/bench_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/buf.h"
#include "perfkit/alloc.h"

static pk_bench_node *head, *tail;

void pk__bench_register_node(pk_bench_node *node)
{
    node->next = NULL;
    if (tail)
        tail->next = node;
    else
        head = node;
    tail = node;
}

pk_err pk__bench_def_args(const pk_bench_def *def, int64_t *args, size_t *n)
{
    *n = 0;
    if (def->n_args) {
        if (def->n_args > PK_BENCH_MAX_ARGS || !def->args)
            return PK_EINVAL;
        memcpy(args, def->args, def->n_args * sizeof *args);
        *n = def->n_args;
        return PK_OK;
    }
    if (def->range_hi <= 0)
        return def->range_lo || def->range_mult ? PK_EINVAL : PK_OK;
    int64_t lo = def->range_lo, hi = def->range_hi, mult = def->range_mult ? def->range_mult : 8;
    if (lo < 0 || hi < lo || mult < 2)
        return PK_EINVAL;
    size_t k = 0;
    args[k++] = lo;
    if (lo == hi) {
        *n = k;
        return PK_OK;
    }
    for (int64_t p = 1; p < hi; p = p > INT64_MAX / mult ? hi : p * mult) {
        if (p > lo) {
            if (k == PK_BENCH_MAX_ARGS - 1)
                return PK_EINVAL;
            args[k++] = p;
        }
    }
    args[k++] = hi;
    *n = k;
    return PK_OK;
}

static bool registered(const char *name)
{
    for (const pk_bench_node *p = head; p; p = p->next)
        if (strcmp(p->def->name, name) == 0)
            return true;
    return false;
}

pk_err pk_bench_register(const pk_bench_def *def)
{
    int64_t args[PK_BENCH_MAX_ARGS];
    size_t n;
    if (!def || !def->name || !def->name[0] || !def->fn || registered(def->name) ||
        pk__bench_def_args(def, args, &n) != PK_OK)
        return PK_EINVAL;
    pk_bench_node *node = pk_malloc(sizeof *node);
    if (!node)
        return PK_ENOMEM;
    node->def = def;
    node->owned = true;
    pk__bench_register_node(node);
    return PK_OK;
}

void pk_bench_registry_clear(void)
{
    pk_bench_node *p = head;
    head = tail = NULL;
    while (p) {
        pk_bench_node *next = p->next;
        p->next = NULL;
        if (p->owned)
            pk_free(p);
        p = next;
    }
}

pk_err pk__bench_instances(const char *filter, pk__bench_instance **out, size_t *n,
                           pk_diag *diag)
{
    *out = NULL;
    *n = 0;
    regex_t re;
    memset(&re, 0, sizeof re);
    bool use_re = filter && *filter && strcmp(filter, "all") != 0 && strcmp(filter, ".") != 0;
    if (use_re) {
        int rc = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[256];
            regerror(rc, &re, msg, sizeof msg);
            pk_diag_set(diag, "", 0, 0, "invalid filter regex `%s`: %s", filter, msg);
            return PK_EINVAL;
        }
    }
    pk_err e = PK_OK;
    pk__bench_instance *v = NULL;
    size_t k = 0, cap = 0, family = 0;
    for (const pk_bench_node *p = head; p; p = p->next) {
        int64_t args[PK_BENCH_MAX_ARGS];
        size_t na;
        if (pk__bench_def_args(p->def, args, &na) != PK_OK) {
            pk_diag_set(diag, "", 0, 0, "benchmark `%s`: invalid arguments", p->def->name);
            e = PK_EINVAL;
            goto done;
        }
        size_t inst = 0;
        bool any = false;
        for (size_t i = 0; i < (na ? na : 1); i++) {
            pk__bench_instance b = {.def = p->def, .has_arg = na > 0, .arg = na ? args[i] : 0};
            if (na)
                snprintf(b.name, sizeof b.name, "%s/%" PRId64, p->def->name, args[i]);
            else
                snprintf(b.name, sizeof b.name, "%s", p->def->name);
            if (use_re && regexec(&re, b.name, 0, NULL, 0) != 0)
                continue;
            if (PK__PUSH_ROOM(v, k, cap) != PK_OK) {
                e = PK_ENOMEM;
                goto done;
            }
            b.family_index = family;
            b.instance_index = inst++;
            v[k++] = b;
            any = true;
        }
        family += any;   /* GB numbers the families that survive the filter */
    }
done:
    if (use_re)
        regfree(&re);
    if (e != PK_OK) {
        pk_free(v);
        return e;
    }
    *out = v;
    *n = k;
    return PK_OK;
}

pk_err pk_bench_list(FILE *f, const char *filter, pk_diag *diag)
{
    pk__bench_instance *v;
    size_t n;
    pk_err e = pk__bench_instances(filter, &v, &n, diag);
    if (e != PK_OK)
        return e;
    for (size_t i = 0; i < n; i++)
        if (fprintf(f, "%s\n", v[i].name) < 0)
            e = PK_EIO;
    pk_free(v);
    return e;
}
