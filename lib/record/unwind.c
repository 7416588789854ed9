/* unwind.c — DWARF mode: a sample's copied user stack and registers →
 * return addresses, with elfutils' libdwfl.
 *
 * The process's libdwfl session (symbols.c) is attached once to a state
 * whose callbacks serve the sample being unwound: the registers the kernel
 * saved (PERF_SAMPLE_REGS_USER, mapped to DWARF numbering), memory reads
 * from the stack copy (PERF_SAMPLE_STACK_USER; a read outside it ends the
 * walk). libdwfl steps frames with the CFI of each module (.eh_frame,
 * .debug_frame), so code without frame pointers unwinds too. This is how
 * perf's util/unwind-libdw.c does it. x86-64 only.
 * References: elfutils libdwfl.h (Dwfl_Thread_Callbacks), perf_event_open(2),
 * System V AMD64 ABI §3.6.2 (DWARF register numbers). */
#include <elfutils/libdwfl.h>
#include <string.h>

#include "record_int.h"

#define NREGS 17   /* rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
    (void)dwfl;
    (void)arg;
    (void)thread_argp;
    return 0;   /* threads are named by the sample, never enumerated */
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
    (void)dwfl;
    (void)tid;
    *thread_argp = arg;
    return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
    (void)dwfl;
    const pk__record_proc *p = arg;
    if (addr < p->stack_sp || addr - p->stack_sp + 8 > p->stack_len)
        return false;
    memcpy(result, p->stack + (addr - p->stack_sp), 8);
    return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
    const pk__record_proc *p = arg;
    Dwarf_Word regs[NREGS];
    for (size_t i = 0; i < NREGS; i++)
        regs[i] = p->regs[i];
    return dwfl_thread_state_registers(thread, 0, NREGS, regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
    .next_thread = next_thread,
    .get_thread = get_thread,
    .memory_read = memory_read,
    .set_initial_registers = set_initial_registers,
};

typedef struct walk {
    uint64_t *ips;
    size_t n, max;
} walk;

static int on_frame(Dwfl_Frame *state, void *arg)
{
    walk *w = arg;
    Dwarf_Addr pc;
    bool activation;
    if (!dwfl_frame_pc(state, &pc, &activation) || pc == 0)
        return DWARF_CB_ABORT;
    w->ips[w->n++] = pc;
    return w->n < w->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

size_t pk__record_unwind(pk__record_proc *p, pid_t tid, uint64_t *ips, size_t max)
{
    Dwfl *d = pk__record_dwfl(p);
    if (!d)
        return 0;
    if (!p->attached) {
        if (!dwfl_attach_state(d, NULL, p->pid, &thread_callbacks, p))
            return 0;
        p->attached = true;
    }
    walk w = {ips, 0, max};
    dwfl_getthread_frames(d, tid, on_frame, &w);
    return w.n;
}
