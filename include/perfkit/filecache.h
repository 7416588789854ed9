/* perfkit/filecache.h — a tiered "parse once" cache of data derived from files.
 *
 * A program that parses, compiles or indexes files keeps what it derived
 * from each file here, under the file's path and a `kind` (the name of the
 * derivation: "ast", "symbols/v3"...). An entry is valid exactly while the
 * file's bytes are those it was derived from, and the bytes of every file it
 * declared as a dependency too: validity is decided by content hash
 * (XXH3-128 of the bytes), with a stat fast path as in ccache's direct mode:
 * when a file's (st_dev, st_ino, size, mtime_ns, ctime_ns) are those
 * recorded with the entry, the file is not read. A changed tuple makes the
 * file be hashed again: the same hash keeps the entry (and records the new
 * tuple), another hash invalidates it. A tuple recorded less than
 * `racy_ns` after the file's own mtime/ctime is not trusted (a write in the
 * same timestamp tick could leave it unchanged, git's "racily clean" case):
 * such a file is hashed on every validation until a later validation
 * records a settled tuple.
 *
 *   pk_filecache *fc;  pk_filecache_open("/var/cache/app", NULL, &fc);
 *   const void *v; size_t n;
 *   if (pk_filecache_get(fc, "src/a.c", "ast", &v, &n) == PK_OK) {
 *       use(v, n);  pk_filecache_release(fc, v);
 *   } else {                                  // PK_ENOENT: a miss
 *       blob b = parse("src/a.c");            // reads a.c and inc/a.h
 *       const char *deps[] = {"inc/a.h"};
 *       pk_filecache_put(fc, "src/a.c", "ast", b.data, b.len, deps, 1);
 *   }
 *
 * Tiers: a memory tier (LRU, bounded in entries and bytes) in front of a
 * disk tier (one file per entry in a directory, bounded in bytes, LRU by the
 * entry file's mtime, which a hit refreshes at most once a second). A memory
 * hit within `trust_ns` of the entry's last validation does not even stat.
 *
 * Disk format (versioned, native byte order, docs/rt.md): a 32-byte header
 * (magic "PKFC", format version, lengths, an XXH3-64 checksum of the whole
 * file) then the key, the stat tuples and hashes, the payload. Each write
 * goes to a temporary file renamed over the entry, so a reader sees the old
 * file or the new one, never a mix; the checksum is verified on every read,
 * and a torn or foreign entry file is a miss and is removed — a kill -9 (or
 * with `sync` PK_FILECACHE_SYNC_NONE, a power loss) never yields a
 * corrupted hit.
 *
 * Thread-safety: a handle is not thread-safe (use one per thread, or lock
 * around it). Any number of handles, in any number of processes, may share
 * one directory; entries a process writes are seen by the others, and the
 * disk bound is exact for one writer (with several, each corrects its count
 * when it evicts). */
#ifndef PERFKIT_FILECACHE_H
#define PERFKIT_FILECACHE_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/metrics.h"

PK_BEGIN_DECLS

typedef struct pk_filecache pk_filecache;

/* When a disk write is forced to storage (a crash of the process never loses
 * or tears an entry whatever the choice; this is about power loss). */
typedef enum pk_filecache_sync {
    PK_FILECACHE_SYNC_NONE = 0,  /* no fsync: after a power loss an entry may be
                                    missing or torn — a miss, never a wrong hit */
    PK_FILECACHE_SYNC_FILE = 1,  /* fsync the file before the rename: a renamed
                                    entry has its bytes on storage */
    PK_FILECACHE_SYNC_FULL = 2,  /* and fsync the directory after it: the entry
                                    survives a power loss once put returns */
} pk_filecache_sync;

/* Defaults (pk_filecache_opts_init) in brackets. */
typedef struct pk_filecache_opts {
    uint64_t max_disk_bytes;  /* [256 MiB] sum of the entry files' sizes; >= 4096 */
    size_t max_mem_bytes;     /* [16 MiB] memory tier, payloads + keys + ~200 B
                                 per entry; 0: no memory tier */
    size_t max_mem_entries;   /* [4096] */
    int64_t trust_ns;         /* [0] a memory hit this soon after the entry's
                                 last validation skips the stat calls (measured
                                 on a coarse clock: a few ms resolution) */
    int64_t racy_ns;          /* [1 s] see above; > the file system's
                                 timestamp granularity */
    pk_filecache_sync sync;   /* [PK_FILECACHE_SYNC_NONE] */
} pk_filecache_opts;

void pk_filecache_opts_init(pk_filecache_opts *o);

/* Open (creating it and its parents when missing) the cache directory dir;
 * o NULL means the defaults. Files of dir that are not entries (names other
 * than "<32 hex>.pkfc" and "tmp-*") are never touched. Leftover temporary
 * files of dead writers are removed. On PK_OK *out owns the handle (close
 * with pk_filecache_close); on error *out is NULL. Errors: PK_EINVAL (NULL
 * argument, an option out of range), PK_EPERM, PK_EIO (dir not creatable or
 * readable), PK_ENOMEM. */
pk_err pk_filecache_open(const char *dir, const pk_filecache_opts *o, pk_filecache **out);
/* Frees the handle and the memory tier. Values still held (not released)
 * stay valid until released (pk_filecache_release after close is not
 * allowed: release everything first). NULL is a no-op. */
void   pk_filecache_close(pk_filecache *fc);

/* The valid entry for (path, kind): *data (borrowed: valid, unchanged, until
 * pk_filecache_release(fc, *data)) holds its *len bytes. path is used as
 * given (not canonicalised: "a.c" and "./a.c" are two entries). Validation
 * stats path and each dependency, and hashes those whose tuple changed (see
 * above); an invalid entry is removed from both tiers. A memory hit does
 * not allocate. Errors: PK_ENOENT (a miss: no entry, an invalid one, a torn
 * one, or path itself is gone), PK_EINVAL (NULL argument), PK_ENOMEM,
 * PK_EIO (a file could not be read while validating: treat as a miss). On
 * error *data is NULL and *len 0. */
pk_err pk_filecache_get(pk_filecache *fc, const char *path, const char *kind,
                        const void **data, size_t *len);
/* Give back a value pk_filecache_get returned. NULL is a no-op. */
void   pk_filecache_release(pk_filecache *fc, const void *data);

/* Store data[0..len-1] as the entry for (path, kind), replacing any,
 * derived from path and from the files deps[0..ndeps-1] (may be NULL when
 * ndeps is 0; a dependency that does not exist is recorded as absent: the
 * entry stays valid while it does not appear). path and the deps are
 * stat'ed and hashed now: a file changed between the caller's read and this
 * call gives an entry that will not validate (conservative), unless the
 * change kept size and timestamps and came before the hash. The data is
 * copied. Errors: PK_EINVAL (NULL argument, kind or a path longer than 4095
 * bytes), PK_ENOENT (path does not exist), PK_ERANGE (the entry would not
 * fit in max_disk_bytes), PK_EIO, PK_EPERM (writing the entry), PK_ENOMEM;
 * on error the cache holds no entry for (path, kind). */
pk_err pk_filecache_put(pk_filecache *fc, const char *path, const char *kind,
                        const void *data, size_t len, const char *const *deps, size_t ndeps);

/* Drop the entry for (path, kind) from both tiers (PK_OK also when there was
 * none). Errors: PK_EINVAL, PK_EIO (the file could not be removed). */
pk_err pk_filecache_remove(pk_filecache *fc, const char *path, const char *kind);

/* XXH3-128 of a file's bytes (the content hash entries are keyed by). */
typedef struct pk_filecache_hash {
    uint64_t lo, hi;
} pk_filecache_hash;

/* Hash the regular file at path, streaming (256 KiB buffer). Errors:
 * PK_EINVAL (NULL argument, not a regular file), PK_ENOENT, PK_EPERM,
 * PK_EIO, PK_ENOMEM. Thread-safety: safe. */
pk_err pk_filecache_hash_file(const char *path, pk_filecache_hash *out);

/* Counters since open (of this handle: other processes' use is not seen). */
typedef struct pk_filecache_stats {
    uint64_t mem_hits;        /* served from the memory tier */
    uint64_t disk_hits;       /* read from the disk tier and valid */
    uint64_t misses;          /* gets answered PK_ENOENT (invalidations included) */
    uint64_t invalidations;   /* entries found invalid (a file changed) and dropped */
    uint64_t corrupt;         /* entry files torn or foreign: missed and removed */
    uint64_t rehashes;        /* files hashed to validate (stat tuple changed or racy) */
    uint64_t puts;            /* entries stored */
    uint64_t mem_evictions;   /* entries evicted from the memory tier */
    uint64_t disk_evictions;  /* entry files evicted from the disk tier */
    uint64_t mem_entries, mem_bytes;  /* memory tier now (bytes as charged) */
    uint64_t disk_bytes;      /* entry files now, as this handle counts them */
} pk_filecache_stats;

void pk_filecache_stats_get(const pk_filecache *fc, pk_filecache_stats *out);

/* Export the statistics into r, named <prefix>_hits_total{tier="memory"|
 * "disk"}, <prefix>_misses_total, <prefix>_invalidations_total,
 * <prefix>_corrupt_total, <prefix>_evictions_total{tier}, and gauges
 * <prefix>_bytes{tier} and <prefix>_entries{tier="memory"} (prefix NULL:
 * "perfkit_filecache"); the hit ratio is hits / (hits + misses). From then
 * on fc updates them as it goes (a few ns per get); r must outlive fc.
 * Counts before the call are added at once. Errors: PK_EINVAL (NULL fc or
 * r, a bad prefix, names already in r, already registered), PK_ENOMEM. */
pk_err pk_filecache_register_metrics(pk_filecache *fc, pk_metrics_registry *r,
                                     const char *prefix);

/* The message of the last error on fc ("" when none); borrowed, valid until
 * the next call on fc. */
const char *pk_filecache_last_error(const pk_filecache *fc);

PK_END_DECLS
#endif
