/* perfkit/machine.h — what machine a measurement was taken on.
 * Recorded next to every exported result and used as the history fingerprint.
 * Thread-safety: safe (reads /proc and uname on each call). */
#ifndef PERFKIT_MACHINE_H
#define PERFKIT_MACHINE_H

#include <stdint.h>
#include "perfkit/api.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

typedef struct pk_machine {
    char cpu_model[128];   /* /proc/cpuinfo "model name", or "unknown" */
    int cores;             /* online logical CPUs */
    char kernel[128];      /* uname: sysname release */
    char arch[32];         /* uname machine */
    char hostname[64];
    uint64_t mem_bytes;    /* MemTotal */
    double load[3];        /* 1, 5, 15 minute load averages */
    char perfkit_version[32];
} pk_machine;

/* Fill *out. Fields that cannot be read are left "unknown" / 0; only a NULL
 * out is an error (PK_EINVAL). */
pk_err pk_machine_get(pk_machine *out);

/* Stable fingerprint of the hardware and OS (not load or hostname), as 16 hex
 * digits + NUL into buf[17]. */
void pk_machine_fingerprint(const pk_machine *m, char buf[17]);

/* The library's version string, e.g. "0.1.0". */
const char *pk_version(void);

PK_END_DECLS
#endif
