/* folded.c — a recording's stacks: raw while recording, folded at the end.
 *
 * While recording, each sample's (process, comm, addresses) is one key of a
 * hash table counting identical samples, so memory grows with distinct
 * stacks, not with samples, and nothing is named yet (naming waits until
 * every mapping is known). At the end each distinct raw stack is named
 * frame by frame (a return address is looked up at address - 1, inside the
 * call), joined root first as "comm;root;...;leaf", identical names merged
 * and the lines sorted in byte order — stackcollapse-perf.pl's output.
 * A comm's spaces become '_' as stackcollapse-perf.pl does. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "perfkit/alloc.h"
#include "record_int.h"

pk_err pk__record_thread_set(pk_record *r, pid_t pid, pid_t tid, const char *comm)
{
    pk__record_thread *t = NULL;
    for (size_t i = 0; i < r->n_threads && !t; i++)
        if (r->threads[i].tid == tid)
            t = &r->threads[i];
    if (!t) {
        if (PK__PUSH_ROOM(r->threads, r->n_threads, r->cap_threads) != PK_OK)
            return PK_ENOMEM;
        t = &r->threads[r->n_threads++];
        t->tid = tid;
    }
    t->pid = pid;
    snprintf(t->comm, sizeof t->comm, "%s", comm);
    for (char *c = t->comm; *c; c++)
        if (*c == ' ' || *c == ';')
            *c = '_';
    return PK_OK;
}

const char *pk__record_comm(pk_record *r, pid_t tid)
{
    for (size_t i = r->n_threads; i-- > 0;)
        if (r->threads[i].tid == tid)
            return r->threads[i].comm;
    return r->fallback_comm;
}

static pk_err comm_index(pk_record *r, const char *comm, uint32_t *out)
{
    for (size_t i = 0; i < r->n_comms; i++)
        if (!strcmp(r->comms[i], comm)) {
            *out = (uint32_t)i;
            return PK_OK;
        }
    if (PK__PUSH_ROOM(r->comms, r->n_comms, r->cap_comms) != PK_OK)
        return PK_ENOMEM;
    snprintf(r->comms[r->n_comms], sizeof r->comms[0], "%s", comm);
    *out = (uint32_t)r->n_comms++;
    return PK_OK;
}

pk_err pk__record_raw_add(pk_record *r, size_t proc, pid_t tid, const uint64_t *ips, size_t n)
{
    uint32_t ci;
    if (comm_index(r, pk__record_comm(r, tid), &ci) != PK_OK)
        return PK_ENOMEM;
    char key[8 + 8 * PK__RECORD_MAX_DEPTH];
    if (n > PK__RECORD_MAX_DEPTH)
        n = PK__RECORD_MAX_DEPTH;
    uint32_t upid = (uint32_t)proc;
    memcpy(key, &upid, 4);
    memcpy(key + 4, &ci, 4);
    memcpy(key + 8, ips, 8 * n);
    size_t len = 8 + 8 * n, at;
    if (pk__hash_get(&r->raw_index, key, len, &at)) {
        r->raw[at].count++;
        return PK_OK;
    }
    if (PK__PUSH_ROOM(r->raw, r->n_raw, r->cap_raw) != PK_OK)
        return PK_ENOMEM;
    char *copy = pk_malloc(len);
    if (!copy)
        return PK_ENOMEM;
    memcpy(copy, key, len);
    if (pk__hash_put(&r->raw_index, copy, len, r->n_raw) != PK_OK) {
        pk_free(copy);
        return PK_ENOMEM;
    }
    r->raw[r->n_raw++] = (pk__record_raw){copy, len, 1};
    return PK_OK;
}

static int by_stack(const void *a, const void *b)
{
    return strcmp(((const pk__record_folded *)a)->stack, ((const pk__record_folded *)b)->stack);
}

/* The folded line of raw stack w into b (emptied first). */
static pk_err fold_one(pk_record *r, const pk__record_raw *w, pk__buf *b)
{
    uint32_t pi, ci;
    memcpy(&pi, w->key, 4);
    memcpy(&ci, w->key + 4, 4);
    size_t n = (w->len - 8) / 8;
    b->len = 0;
    if (pk__buf_puts(b, r->comms[ci]) != PK_OK)
        return PK_ENOMEM;
    pk__record_proc *p = r->procs[pi];
    for (size_t i = n; i-- > 0;) {
        uint64_t ip;
        memcpy(&ip, w->key + 8 + 8 * i, 8);
        char name[1024];   /* one frame, or a function and those inlined in it */
        if (ip >= PK__RECORD_KERNEL_MIN)
            pk__record_ksym_name(r, i ? ip - 1 : ip, name, sizeof name);
        else
            pk__record_symbol(p, i ? ip - 1 : ip, name, sizeof name);
        if (pk__buf_puts(b, ";") != PK_OK || pk__buf_puts(b, name) != PK_OK)
            return PK_ENOMEM;
    }
    return PK_OK;
}

pk_err pk__record_fold(pk_record *r)
{
    pk__hash index = {0};
    pk__buf b = {0};
    pk_err e = PK_OK;
    for (size_t i = 0; i < r->n_raw && e == PK_OK; i++) {
        if ((e = fold_one(r, &r->raw[i], &b)) != PK_OK)
            break;
        size_t at;
        if (pk__hash_get(&index, b.data, b.len, &at)) {
            r->folded[at].count += r->raw[i].count;
            continue;
        }
        char *s = pk_strdup(b.data);
        if (!s || PK__PUSH_ROOM(r->folded, r->n_folded, r->cap_folded) != PK_OK) {
            pk_free(s);
            e = PK_ENOMEM;
            break;
        }
        r->folded[r->n_folded] = (pk__record_folded){s, r->raw[i].count};
        if ((e = pk__hash_put(&index, s, b.len, r->n_folded)) != PK_OK) {
            pk_free(s);
            break;
        }
        r->n_folded++;
    }
    pk__hash_free(&index);
    pk__buf_free(&b);
    if (e == PK_OK && r->n_folded)
        qsort(r->folded, r->n_folded, sizeof *r->folded, by_stack);
    return e;
}

void pk__record_raw_free(pk_record *r)
{
    for (size_t i = 0; i < r->n_raw; i++)
        pk_free(r->raw[i].key);
    pk_free(r->raw);
    pk__hash_free(&r->raw_index);
    for (size_t i = 0; i < r->n_folded; i++)
        pk_free(r->folded[i].stack);
    pk_free(r->folded);
    pk_free(r->threads);
    pk_free(r->comms);
}

size_t pk_record_stack_count(const pk_record *r)
{
    return r ? r->n_folded : 0;
}

void pk_record_stack_get(const pk_record *r, size_t i, const char **stack, uint64_t *count)
{
    *stack = r->folded[i].stack;
    *count = r->folded[i].count;
}

pk_err pk_record_write_folded(const pk_record *r, FILE *f)
{
    for (size_t i = 0; i < r->n_folded; i++)
        if (fprintf(f, "%s %llu\n", r->folded[i].stack,
                    (unsigned long long)r->folded[i].count) < 0)
            return PK_EIO;
    return fflush(f) ? PK_EIO : PK_OK;
}
