/* record/symbolize.h — lib/record's symbolizer, for modules that name
 * addresses offline (lib/mem: the stacks of an allocation profile, with the
 * module maps its event file recorded). The one module-private header of
 * record another module may include (tools/layers.conf `shared-internal`).
 *
 * A pk__record_proc here is a set of executable file mappings and the
 * libdwfl session made from them on first use; names come from symbol
 * tables, separate debug files by build-id, and DWARF (inlined functions,
 * source lines). Thread-safety: one thread per process object. */
#ifndef PK_RECORD_SYMBOLIZE_H
#define PK_RECORD_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "perfkit/error.h"

typedef struct pk__record_proc pk__record_proc;

/* A process outside any recording: new (NULL on ENOMEM), then one
 * executable file mapping [start, end) at file offset pgoff added at a time
 * (paths not starting with '/' are skipped; errors: PK_ENOMEM), freed with
 * its session (NULL is a no-op). pid names its JIT map (/tmp/perf-PID.map). */
pk__record_proc *pk__record_proc_new(pid_t pid, bool no_inline);
pk_err pk__record_proc_map(pk__record_proc *p, uint64_t start, uint64_t end, uint64_t pgoff,
                           const char *path);
void pk__record_proc_free(pk__record_proc *p);

/* Whether a mapping of p holds addr. */
bool pk__record_proc_maps(const pk__record_proc *p, uint64_t addr);

/* The name of addr in p ("[unknown]" when none) into buf: the function,
 * then ";"-joined the functions inlined there, outermost first; a ';' or
 * newline inside a name becomes '_'. */
void pk__record_symbol(pk__record_proc *p, uint64_t addr, char *buf, size_t len);

/* The source file and line of addr in p (DWARF line table): false when
 * unknown. *file borrowed from p's session. */
bool pk__record_srcline(pk__record_proc *p, uint64_t addr, const char **file, unsigned *line);

#endif
