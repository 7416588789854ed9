/* table.c — a uint64-keyed open-addressing table for the reader's live
 * blocks (pointer → size, stack, thread) and threads (tid → last
 * allocation): linear probing, at most half full, capacity a power of two,
 * backward-shift deletion (no tombstones: a program that allocates and
 * frees a billion times keeps the table as small as its live set). Keys
 * are mixed with a 64-bit finaliser (splitmix64): pointers are aligned, so
 * their low bits alone would chain. */
#include <string.h>

#include "mem_int.h"
#include "perfkit/alloc.h"

static size_t slot_of(const pk__mem_table *t, uint64_t key)
{
    uint64_t z = key + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (size_t)z & (t->cap - 1);
}

pk__mem_entry *pk__mem_table_get(const pk__mem_table *t, uint64_t key)
{
    if (!t->cap || !key)
        return NULL;
    for (size_t i = slot_of(t, key);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i].key == key)
            return &t->slots[i];
        if (!t->slots[i].key)
            return NULL;
    }
}

static pk_err grow(pk__mem_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    pk__mem_entry *s = pk_calloc(cap, sizeof *s);
    if (!s)
        return PK_ENOMEM;
    pk__mem_table nt = {s, cap, t->n};
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].key)
            continue;
        size_t j = slot_of(&nt, t->slots[i].key);
        while (s[j].key)
            j = (j + 1) & (cap - 1);
        s[j] = t->slots[i];
    }
    pk_free(t->slots);
    *t = nt;
    return PK_OK;
}

pk__mem_entry *pk__mem_table_put(pk__mem_table *t, uint64_t key, bool *added)
{
    *added = false;
    pk__mem_entry *e = pk__mem_table_get(t, key);
    if (e)
        return e;
    if ((t->n + 1) * 2 > t->cap && grow(t) != PK_OK)
        return NULL;
    size_t i = slot_of(t, key);
    while (t->slots[i].key)
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = (pk__mem_entry){.key = key};
    t->n++;
    *added = true;
    return &t->slots[i];
}

void pk__mem_table_del(pk__mem_table *t, pk__mem_entry *e)
{
    size_t mask = t->cap - 1, i = (size_t)(e - t->slots);
    for (size_t j = (i + 1) & mask; t->slots[j].key; j = (j + 1) & mask) {
        size_t home = slot_of(t, t->slots[j].key);
        /* j's entry may move to the hole at i when its home is not in (i, j] */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    memset(&t->slots[i], 0, sizeof t->slots[i]);
    t->n--;
}

void pk__mem_table_free(pk__mem_table *t)
{
    pk_free(t->slots);
    memset(t, 0, sizeof *t);
}
