/* copy.c — pk_store_copy: one history into another, between any backends
 * (SQLite ↔ PostgreSQL), so a team can move its history to a shared server
 * and back.
 *
 * Runs are read oldest first by id (run_span, then each id; a missing id
 * is skipped) and stored one transaction each through the destination's
 * put_runs, which gives them its own next ids; a map from source ids to
 * destination ids carries the profiles (copied as stored: the zlib stream,
 * no recompression) and, last, the pins. A run is recognised as already
 * there by its identity (commit, start time, branch, fingerprint, host;
 * backend find_run), and a profile or pin the destination holds already
 * is left as it is, which makes a second copy a no-op (it counts nothing)
 * and lets a copy that failed half-way be run again. Backend-neutral: only the vtable. */
#include <inttypes.h>
#include <string.h>

#include "perfkit/alloc.h"
#include "store/store_int.h"

/* Source run id → destination id, for ids first..first+n-1. */
typedef struct id_map {
    int64_t first;
    size_t n;
    int64_t *to;
} id_map;

static int64_t mapped(const id_map *m, int64_t id)
{
    if (!m->to || id < m->first || (uint64_t)(id - m->first) >= m->n)
        return 0;
    return m->to[id - m->first];
}

/* Whether (bench, kind) is among the n profiles have_b/have_k. */
static bool has_profile(char **have_b, char **have_k, size_t n, const char *bench,
                        const char *kind)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(have_b[i], bench) == 0 && strcmp(have_k[i], kind) == 0)
            return true;
    return false;
}

/* The profiles of run src of from into run dst of to; when the run was
 * there already (skipped), only those the destination lacks. */
static pk_err copy_profiles(pk_store *from, pk_store *to, int64_t src, int64_t dst,
                            bool skipped, pk_store_copy_stats *st, pk_store **where)
{
    char **benches = NULL, **kinds = NULL, **have_b = NULL, **have_k = NULL;
    size_t n = 0, have = 0;
    pk_err e = from->be->list_profiles(from, src, &benches, &kinds, &n);
    if (e != PK_OK) {
        *where = from;
        return e;
    }
    if (n && skipped && (e = to->be->list_profiles(to, dst, &have_b, &have_k, &have)) != PK_OK)
        *where = to;
    for (size_t i = 0; e == PK_OK && i < n; i++) {
        if (has_profile(have_b, have_k, have, benches[i], kinds[i]))
            continue;
        void *data = NULL;
        size_t len = 0, size = 0;
        if ((e = from->be->get_profile(from, src, benches[i], kinds[i], &data, &len,
                                       &size)) != PK_OK) {
            *where = from;
            break;
        }
        if ((e = to->be->put_profile(to, dst, benches[i], kinds[i], data, len, size)) != PK_OK)
            *where = to;
        else
            st->profiles_copied++;
        pk_free(data);
    }
    pk_store_free_names(benches, n);
    pk_store_free_names(kinds, n);
    pk_store_free_names(have_b, have);
    pk_store_free_names(have_k, have);
    return e;
}

/* Run src of from into to (unless there already): *dst its id there. */
static pk_err copy_run(pk_store *from, pk_store *to, int64_t src, int64_t *dst,
                       pk_store_copy_stats *st, pk_store **where)
{
    pk_run_meta meta;
    pk_resultset *rs = NULL;
    *dst = 0;
    bool skipped = false;
    pk_err e = from->be->get_run(from, src, &meta, &rs);
    if (e == PK_ENOENT) {   /* a gap in the ids */
        from->err[0] = '\0';
        return PK_OK;
    }
    if (e != PK_OK) {
        *where = from;
        return e;
    }
    if ((e = to->be->find_run(to, &meta, dst)) == PK_OK) {
        if (*dst > 0) {
            st->runs_skipped++;
            skipped = true;
        } else {
            pk_run_meta *metas[1] = {&meta};
            const pk_resultset *sets[1] = {rs};
            if ((e = to->be->put_runs(to, metas, sets, 1)) == PK_OK) {
                *dst = meta.id;
                st->runs_copied++;
            }
        }
    }
    pk_resultset_free(rs);
    if (e != PK_OK) {
        *where = to;
        return e;
    }
    return copy_profiles(from, to, src, *dst, skipped, st, where);
}

static pk_err copy_pins(pk_store *from, pk_store *to, const id_map *map,
                        pk_store_copy_stats *st, pk_store **where)
{
    char **names = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    pk_err e = from->be->list_pins(from, &names, &ids, &n);
    if (e != PK_OK) {
        *where = from;
        return e;
    }
    for (size_t i = 0; e == PK_OK && i < n; i++) {
        int64_t dst = mapped(map, ids[i]), cur = 0;
        if (dst <= 0)
            continue;   /* cannot happen: pins reference stored runs */
        if ((e = to->be->pinned(to, names[i], &cur)) == PK_OK && cur == dst)
            continue;   /* pinned there already: a copy run again */
        if (e == PK_OK && (e = to->be->pin(to, dst, names[i])) == PK_OK)
            st->pins_copied++;
        else
            *where = to;
    }
    pk_store_free_names(names, n);
    pk_free(ids);
    return e;
}

pk_err pk_store_copy(pk_store *from, pk_store *to, pk_store_copy_stats *stats,
                     pk_store **failed_in)
{
    pk_store_copy_stats local;
    pk_store_copy_stats *st = stats ? stats : &local;
    pk_store *where = NULL;
    memset(st, 0, sizeof *st);
    if (failed_in)
        *failed_in = NULL;
    if (!from || !to)
        return PK_EINVAL;
    from->err[0] = to->err[0] = '\0';
    if (from == to) {
        if (failed_in)
            *failed_in = to;
        return pk__store_fail(to, PK_EINVAL, "copy: a history cannot be copied into itself");
    }
    int64_t first = 0, last = 0, count = 0;
    pk_err e = from->be->run_span(from, &first, &last, &count);
    id_map map = {.first = first, .n = count > 0 ? (size_t)(last - first + 1) : 0, .to = NULL};
    if (e != PK_OK) {
        where = from;
    } else if (map.n && !(map.to = pk_calloc(map.n, sizeof *map.to))) {
        where = to;
        e = pk__store_fail(to, PK_ENOMEM, "out of memory copying %zu runs", map.n);
    }
    for (size_t i = 0; e == PK_OK && map.to && i < map.n; i++)
        e = copy_run(from, to, first + (int64_t)i, &map.to[i], st, &where);
    if (e == PK_OK)
        e = copy_pins(from, to, &map, st, &where);
    pk_free(map.to);
    if (failed_in)
        *failed_in = e == PK_OK ? NULL : where;
    return e;
}
