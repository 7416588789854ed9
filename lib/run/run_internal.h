/* run_internal.h — private glue between the files of lib/run (runner.c,
 * perfctr.c, cachegrind.c, resolve.c). Not part of the public API. */
#ifndef PERFKIT_RUN_INTERNAL_H
#define PERFKIT_RUN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "perfkit/run.h"

/* ---- perfctr.c: perf_event counters on the perfkit process, inherited by
 * every child it spawns while they are enabled. */
typedef struct pk__perfctr {
    int fd[PK_CTR_COUNT];  /* -1 when not open */
    uint32_t ok;           /* counters that opened and passed the probe */
    uint64_t base[PK_CTR_COUNT][3];  /* last raw reading (value, enabled, running) */
} pk__perfctr;

/* Open the counters in want (bit mask). Never fails: counters the machine
 * lacks stay closed and their bit stays clear in pc->ok. */
void pk__perfctr_open(pk__perfctr *pc, uint32_t want);
void pk__perfctr_close(pk__perfctr *pc);
/* ENABLE every open counter (call right before spawning). */
void pk__perfctr_start(pk__perfctr *pc);
/* DISABLE every open counter (call right after the child is reaped). */
void pk__perfctr_stop(pk__perfctr *pc);
/* Read every open counter into vals as the change since the previous read;
 * returns the mask of counters measured (opened, and scheduled for a non-zero
 * time since the previous read). */
uint32_t pk__perfctr_read(pk__perfctr *pc, uint64_t vals[PK_CTR_COUNT]);

/* ---- cachegrind.c: instruction counts by running under valgrind. */
typedef struct pk__cg {
    char *valgrind;        /* resolved path of valgrind; owned */
    char *out_path;        /* temp file for --cachegrind-out-file; owned */
    char *out_opt;         /* "--cachegrind-out-file=<out_path>"; owned */
    char **argv;           /* scratch argv for the wrapped command; owned */
    size_t argv_cap;
} pk__cg;

/* Find valgrind and create the temp out file. Errors: PK_ENOENT (no
 * valgrind), PK_EIO (temp file), PK_ENOMEM. msg/msg_len get a message. */
pk_err pk__cg_init(pk__cg *cg, char *msg, size_t msg_len);
void   pk__cg_free(pk__cg *cg);
/* Build the valgrind argv around (path, argv[1..]); the result is borrowed
 * from cg, valid until the next call. Truncates the out file. NULL: ENOMEM. */
char *const *pk__cg_wrap(pk__cg *cg, const char *path, char *const argv[]);
/* Ir from the "summary:" line of the out file; false if missing/unparsable. */
bool pk__cg_read_ir(const pk__cg *cg, uint64_t *ir);

/* ---- heap.c: heap figures by running under perfkit mem's interposer. */
typedef struct pk__heap {
    char *out_path;        /* the event file each run writes (a temp file); owned */
    char **envp;           /* the runs' environment (pk_mem_environ); owned */
} pk__heap;

/* Find libperfkit-mem.so, create the temp event file, build the
 * environment. Errors: PK_ENOENT (no interposer: msg says where it
 * looked), PK_EIO (temp file), PK_ENOMEM. msg/msg_len get a message. */
pk_err pk__heap_init(pk__heap *h, char *msg, size_t msg_len);
void   pk__heap_free(pk__heap *h);
/* Truncate the event file before a run. */
void   pk__heap_reset(const pk__heap *h);
/* Read the run's event file into res's heap figures; heap_ok false when
 * the file is missing, damaged or cut short (a killed or statically linked
 * program). */
void   pk__heap_read(const pk__heap *h, pk_run_result *res);

/* ---- resolve.c: a program run in another directory. */

/* The program name to resolve for prog started in directory cwd: prog
 * itself when cwd is NULL, prog is absolute or has no '/' (a PATH search);
 * else "cwd/prog", written into buf. NULL when buf is too small. */
const char *pk__run_in_dir(const char *cwd, const char *prog, char *buf, size_t len);

/* ---- runner.c: commands in messages. */

/* s in backticks for a message, whole when it has at most 60 bytes, else
 * its first 60 (whole UTF-8 characters) and its length:
 * "`echo aaaa…` (1048581 bytes)", so the reason after it is never cut off.
 * Always NUL-terminated; a buf of 96 bytes holds any; NULL s reads as "".
 * Returns buf. */
char *pk__run_quote(const char *s, char *buf, size_t len);

#endif
