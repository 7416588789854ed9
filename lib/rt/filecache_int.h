/* rt/filecache_int.h — shared by the files of the tiered file cache
 * (filecache.c: API and memory tier; filecache_disk.c: entry files, format,
 * eviction; filecache_hash.c: stat tuples, content hashes, validation). */
#ifndef PK_RT_FILECACHE_INT_H
#define PK_RT_FILECACHE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "perfkit/filecache.h"

#define PK__FC_KEY_MAX 4095          /* longest kind or path */
#define PK__FC_ABSENT_INO UINT64_MAX /* tuple of a dependency that does not exist */

/* What a file looked like when an entry was made or last validated. */
typedef struct pk__fc_tuple {
    uint64_t dev, ino, size;     /* ino PK__FC_ABSENT_INO: the file did not exist */
    int64_t mtime_ns, ctime_ns;
    int64_t recorded_ns;         /* real clock when the tuple was taken */
    pk_filecache_hash hash;      /* of the bytes; zero for an absent file */
} pk__fc_tuple;

typedef struct pk__fc_dep {
    const char *path;            /* points into the entry's allocation */
    uint32_t path_len;
    pk__fc_tuple t;
} pk__fc_dep;

/* One entry, in one allocation: this struct, the payload (aligned), the
 * dependency array, then kind and path (NUL-terminated). */
typedef struct pk__fc_ent {
    struct pk__fc_ent *prev, *next;  /* memory LRU, most recent at head */
    uint64_t key;                    /* pk__fc_key(kind, path) */
    int64_t checked_ns;              /* monotonic time of the last validation */
    size_t charge;                   /* bytes charged to the memory tier */
    uint32_t refs;                   /* values handed out and not released */
    bool in_mem;                     /* in the table and the LRU list */
    bool dirty;                      /* a tuple was refreshed: rewrite the file */
    const char *kind, *path;
    uint32_t kind_len, path_len;
    uint32_t ndeps;
    pk__fc_dep *deps;
    pk__fc_tuple t;                  /* of path */
    size_t len;
    _Alignas(16) unsigned char data[];
} pk__fc_ent;

struct pk_filecache {
    char *dir;                       /* without a trailing '/' */
    size_t dir_len;
    pk_filecache_opts o;
    /* memory tier: open addressing on key, linear probing, fixed capacity */
    pk__fc_ent **slots;
    size_t cap;                      /* power of two >= 2 * max_mem_entries */
    pk__fc_ent *head, *tail;
    pk_filecache_stats st;
    uint64_t tmp_seq;                /* names of temporary files */
    char err[256];
    /* metrics (NULL until registered) */
    pk_metrics_counter *m_hit_mem, *m_hit_disk, *m_miss, *m_inval, *m_corrupt;
    pk_metrics_counter *m_ev_mem, *m_ev_disk;
    pk_metrics_gauge *m_bytes_mem, *m_bytes_disk, *m_entries_mem;
};

/* Key of (kind, path) in the memory table: XXH3-64. */
uint64_t pk__fc_key(const char *kind, size_t kind_len, const char *path, size_t path_len);

/* ---- filecache_hash.c ----------------------------------------------------- */

/* Take path's tuple now: stat, and hash unless `known` (may be NULL) has the
 * same stat fields and is settled, in which case its hash is reused. A
 * missing file gives PK_OK with an absent tuple when absent_ok, else
 * PK_ENOENT. *hashed tells whether the file was read. */
pk_err pk__fc_tuple_take(pk_filecache *fc, const char *path, const pk__fc_tuple *known,
                         bool absent_ok, pk__fc_tuple *out, bool *hashed);

typedef enum pk__fc_valid {
    PK__FC_VALID = 0,        /* nothing changed */
    PK__FC_REFRESHED = 1,    /* valid; some tuple was re-recorded (e->dirty) */
    PK__FC_STALE = 2,        /* a file changed: the entry is invalid */
} pk__fc_valid;

/* Validate e against the file system (stat, hash where needed); updates the
 * tuples of e in place when a file only changed its stat fields. Errors:
 * PK_EIO, PK_EPERM, PK_ENOMEM while hashing (the entry's state unknown). */
pk_err pk__fc_validate(pk_filecache *fc, pk__fc_ent *e, pk__fc_valid *out);

/* ---- filecache_disk.c ----------------------------------------------------- */

/* Count the entry files (fc->st.disk_bytes) and remove stale temporary files. */
pk_err pk__fc_disk_scan(pk_filecache *fc);
/* Read and verify the entry file of (kind, path, key); PK_ENOENT when there
 * is none, or it is torn/foreign (then it is removed, st.corrupt counted),
 * or it belongs to another key. Refreshes the file's mtime for LRU. */
pk_err pk__fc_disk_read(pk_filecache *fc, const char *kind, size_t kind_len, const char *path,
                        size_t path_len, pk__fc_ent **out);
/* Write e as its entry file atomically, evicting older files first to stay
 * within max_disk_bytes. Errors: PK_ERANGE, PK_EIO, PK_EPERM, PK_ENOMEM. */
pk_err pk__fc_disk_write(pk_filecache *fc, const pk__fc_ent *e);
/* Remove the entry file of (kind, path) (absent is fine). */
pk_err pk__fc_disk_remove(pk_filecache *fc, const char *kind, size_t kind_len, const char *path,
                          size_t path_len);

/* Allocate an entry for the given sizes, fields laid out, data uninitialised. */
pk__fc_ent *pk__fc_ent_alloc(const char *kind, size_t kind_len, const char *path,
                             size_t path_len, size_t len, uint32_t ndeps,
                             const size_t *dep_lens);

/* Count one event in a statistic and its metric (m may be NULL). */
static inline void pk__fc_inc(uint64_t *stat, pk_metrics_counter *m)
{
    (*stat)++;
    if (m)
        pk_metrics_counter_inc(m);
}

/* Set fc's last error message (printf-style); returns e. */
pk_err pk__fc_fail(pk_filecache *fc, pk_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
