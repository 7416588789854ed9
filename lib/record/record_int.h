/* record/record_int.h — what the files of lib/record share: the recording,
 * the processes it saw (their mappings and libdwfl sessions), the raw stacks
 * and the internal steps between them.
 *
 *   sampler.c  perf_event_open per CPU, the command's fork/exec, ring buffers
 *   symbols.c  per-process mappings → libdwfl modules; address → name
 *   unwind.c   DWARF mode: a copied user stack → return addresses (libdwfl)
 *   kallsyms.c kernel addresses → names (--kernel)
 *   demangle.c C++ names demangled (libstdc++'s __cxa_demangle, at run time)
 *   folded.c   raw stacks (pid, comm, addresses) → sorted folded stacks */
#ifndef PK_RECORD_INT_H
#define PK_RECORD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/hash.h"
#include "perfkit/record.h"
#include "symbolize.h"

#define PK__RECORD_MAX_DEPTH 127

typedef struct pk__record_map {
    uint64_t start, end, pgoff;
    char *path;                 /* owned */
    bool reported;              /* given to the process's libdwfl session */
} pk__record_map;

struct Dwfl;

/* A process (thread group) of the recording. */
typedef struct pk__record_proc {
    pid_t pid;
    pk__record_map *maps;       /* executable file mappings, owned */
    size_t n_maps, cap_maps;
    struct Dwfl *dwfl;          /* NULL until first needed */
    bool dwfl_stale;            /* maps changed since the modules were reported */
    bool attached;              /* DWARF mode: dwfl_attach_state done */
    bool proc_maps_read;        /* /proc/PID/maps was read once as a fallback */
    bool no_jit_map;            /* /tmp/perf-PID.map could not be opened */
    bool no_inline;             /* the recording's no_inline option */
    bool no_demangle;           /* the recording's no_demangle option */
    /* DWARF mode: the sample being unwound (unwind.c's callbacks read it) */
    const uint64_t *regs;       /* 17 registers, DWARF order */
    const unsigned char *stack;
    uint64_t stack_sp;
    size_t stack_len;
} pk__record_proc;

typedef struct pk__record_thread {
    pid_t tid, pid;
    char comm[17];
} pk__record_thread;

/* A distinct raw stack: key = process index in procs (4 bytes), comm
 * index (4), addresses
 * (8 each, leaf first; the first exact, the others return addresses). */
typedef struct pk__record_raw {
    char *key;                  /* owned */
    size_t len;
    uint64_t count;
} pk__record_raw;

typedef struct pk__record_ksym {
    uint64_t addr;
    char *name;                 /* owned */
} pk__record_ksym;

/* Kernel addresses (x86-64, and the upper half on every 64-bit Linux). */
#define PK__RECORD_KERNEL_MIN 0xffff800000000000ULL

typedef struct pk__record_folded {
    char *stack;                /* owned, "comm;root;...;leaf" */
    uint64_t count;
} pk__record_folded;

struct pk_record {
    pk_record_opts o;
    pk_record_stats st;
    pk__record_proc **procs;      /* owned, each owned (stable addresses:
                                     libdwfl keeps a pointer to one) */
    size_t n_procs, cap_procs;
    pk__record_thread *threads;
    size_t n_threads, cap_threads;
    char (*comms)[17];          /* distinct comm names, index in raw keys */
    size_t n_comms, cap_comms;
    pk__record_raw *raw;
    size_t n_raw, cap_raw;
    pk__hash raw_index;
    pk__record_folded *folded;
    size_t n_folded, cap_folded;
    pk__record_ksym *ksyms;     /* /proc/kallsyms text symbols, by address */
    size_t n_ksyms, cap_ksyms;
    bool ksyms_loaded;
    char fallback_comm[17];     /* the command's name, for threads not seen */
    char *msg;                  /* owned: the last error's message */
};

/* sampler.c / shared: set r->msg (printf-style); returns e. */
pk_err pk__record_fail(pk_record *r, pk_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* symbols.c */
pk__record_proc *pk__record_proc_get(pk_record *r, pid_t pid, bool create);
pk_err pk__record_map_add(pk_record *r, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
                          const char *path);
pk_err pk__record_proc_fork(pk_record *r, pid_t pid, pid_t ppid);
void pk__record_proc_read_maps(pk_record *r, pk__record_proc *p);
/* The process's libdwfl session with every mapping reported; NULL when
 * libdwfl could not be set up. */
struct Dwfl *pk__record_dwfl(pk__record_proc *p);
/* pk__record_symbol, pk__record_srcline, pk__record_proc_new/map/free:
 * symbolize.h */
void pk__record_procs_free(pk_record *r);

/* unwind.c: unwind p's current sample (p->regs, p->stack) into ips (at most
 * max, leaf first). Returns how many. */
size_t pk__record_unwind(pk__record_proc *p, pid_t tid, uint64_t *ips, size_t max);

/* demangle.c: name[0..n) ("_Z..." only) demangled into buf (len bytes,
 * NUL-terminated, cut to fit); false (buf untouched) when it is not a C++
 * name, the demangler refuses it or no demangler is found. Thread-safe. */
bool pk__record_demangle(const char *name, size_t n, char *buf, size_t len);

/* kallsyms.c: the kernel function at addr, "name_[k]" ("[kernel]" when
 * the kernel hides its symbols) */
void pk__record_ksym_name(pk_record *r, uint64_t addr, char *buf, size_t len);
void pk__record_ksyms_free(pk_record *r);

/* folded.c */
pk_err pk__record_raw_add(pk_record *r, size_t proc, pid_t tid, const uint64_t *ips, size_t n);
pk_err pk__record_fold(pk_record *r);
void pk__record_raw_free(pk_record *r);
/* The comm of thread tid (the fallback name when it was never seen). */
const char *pk__record_comm(pk_record *r, pid_t tid);
pk_err pk__record_thread_set(pk_record *r, pid_t pid, pid_t tid, const char *comm);

#endif
