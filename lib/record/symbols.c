/* symbols.c — the processes of a recording: their executable mappings,
 * a libdwfl session each, and address → function name.
 *
 * Mappings come from PERF_RECORD_MMAP2 (executable file mappings only) and,
 * for a process first seen without any, once from /proc/PID/maps. A FORK
 * of a new process copies its parent's mappings (a thread shares its
 * process's). Each file is reported to libdwfl at its load bias, computed
 * from the ELF program header that holds the mapping's file offset:
 * bias = start - pgoff + p_offset - p_vaddr (0 for ET_EXEC). libdwfl then
 * finds symbols in .symtab/.dynsym and separate debug files through the
 * build-id (dwfl_standard_find_debuginfo); functions inlined at an address
 * become frames of their own (DWARF inlined-subroutine scopes, as perf
 * script --inline shows them). C++ names are demangled (demangle.c), an
 * inlined one from its DW_AT_linkage_name. Addresses outside every module
 * are looked up in /tmp/perf-PID.map (JIT maps: "START SIZE name" in hex).
 * References: elfutils libdwfl.h; perf's tools/perf/util/symbol-elf.c;
 * linux tools/perf/Documentation/jit-interface.txt. */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "perfkit/alloc.h"
#include "record_int.h"

static char *debuginfo_path;   /* libdwfl's default search path */

static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

pk__record_proc *pk__record_proc_get(pk_record *r, pid_t pid, bool create)
{
    for (size_t i = 0; i < r->n_procs; i++)
        if (r->procs[i]->pid == pid)
            return r->procs[i];
    /* an array of pointers: the element is a pointer on purpose */
    if (!create || pk__grow((void **)&r->procs, &r->cap_procs, r->n_procs + 1,
                            sizeof(pk__record_proc *)) != PK_OK)
        return NULL;
    pk__record_proc *p = pk_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->pid = pid;
    p->no_inline = r->o.no_inline;
    p->no_demangle = r->o.no_demangle;
    r->procs[r->n_procs++] = p;
    return p;
}

static pk_err map_push(pk__record_proc *p, uint64_t start, uint64_t end, uint64_t pgoff,
                       const char *path)
{
    for (size_t i = 0; i < p->n_maps; i++) {
        pk__record_map *m = &p->maps[i];
        if (m->start == start && m->end == end && m->pgoff == pgoff && !strcmp(m->path, path))
            return PK_OK;
    }
    if (PK__PUSH_ROOM(p->maps, p->n_maps, p->cap_maps) != PK_OK)
        return PK_ENOMEM;
    char *copy = pk_strdup(path);
    if (!copy)
        return PK_ENOMEM;
    p->maps[p->n_maps++] = (pk__record_map){start, end, pgoff, copy, false};
    p->dwfl_stale = true;
    return PK_OK;
}

pk_err pk__record_map_add(pk_record *r, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
                          const char *path)
{
    if (path[0] != '/')   /* [vdso], //anon, memfd: nothing to read symbols from */
        return PK_OK;
    pk__record_proc *p = pk__record_proc_get(r, pid, true);
    return p ? map_push(p, start, start + len, pgoff, path) : PK_ENOMEM;
}

pk_err pk__record_proc_fork(pk_record *r, pid_t pid, pid_t ppid)
{
    if (pid == ppid || pk__record_proc_get(r, pid, false))
        return PK_OK;
    pk__record_proc *child = pk__record_proc_get(r, pid, true);
    if (!child)
        return PK_ENOMEM;
    pk__record_proc *parent = pk__record_proc_get(r, ppid, false);
    for (size_t i = 0; parent && i < parent->n_maps; i++) {
        pk__record_map m = parent->maps[i];
        if (map_push(child, m.start, m.end, m.pgoff, m.path) != PK_OK)
            return PK_ENOMEM;
    }
    return PK_OK;
}

void pk__record_proc_read_maps(pk_record *r, pk__record_proc *p)
{
    (void)r;
    if (p->proc_maps_read)
        return;
    p->proc_maps_read = true;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        uint64_t start, end, off;
        char perms[8];
        int name_at = 0;
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n", &start, &end,
                   perms, &off, &name_at) < 4 || !name_at || perms[2] != 'x')
            continue;
        char *name = line + name_at;
        name[strcspn(name, "\n")] = '\0';
        if (name[0] == '/' && map_push(p, start, end, off, name) != PK_OK)
            break;
    }
    fclose(f);
}

/* The load bias of path mapped at start from file offset pgoff; false when
 * the file is not an ELF file we can place. */
static bool elf_bias(const char *path, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = false;
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    GElf_Ehdr eh;
    size_t nph;
    if (elf && gelf_getehdr(elf, &eh) && elf_getphdrnum(elf, &nph) == 0) {
        if (eh.e_type == ET_EXEC) {
            *bias = 0;
            ok = true;
        }
        for (size_t i = 0; !ok && i < nph; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
                continue;
            uint64_t align = ph.p_align ? ph.p_align : 1;
            uint64_t seg_off = ph.p_offset & ~(align - 1);
            if (pgoff >= seg_off && pgoff < ph.p_offset + ph.p_filesz) {
                *bias = start - pgoff + ph.p_offset - ph.p_vaddr;
                ok = true;
            }
        }
    }
    if (elf)
        elf_end(elf);
    close(fd);
    return ok;
}

struct Dwfl *pk__record_dwfl(pk__record_proc *p)
{
    if (!p->dwfl) {
        elf_version(EV_CURRENT);
        p->dwfl = dwfl_begin(&callbacks);
        if (!p->dwfl)
            return NULL;
        p->dwfl_stale = true;
    }
    if (!p->dwfl_stale)
        return p->dwfl;
    dwfl_report_begin_add(p->dwfl);
    for (size_t i = 0; i < p->n_maps; i++) {
        pk__record_map *m = &p->maps[i];
        uint64_t bias;
        if (m->reported)
            continue;
        m->reported = true;
        if (!elf_bias(m->path, m->start, m->pgoff, &bias))
            continue;
        const char *base = strrchr(m->path, '/');
        dwfl_report_elf(p->dwfl, base ? base + 1 : m->path, m->path, -1, bias, true);
    }
    dwfl_report_end(p->dwfl, NULL, NULL);
    p->dwfl_stale = false;
    return p->dwfl;
}

/* /tmp/perf-PID.map: "START SIZE name" lines, hex without 0x. */
static bool jit_symbol(pk__record_proc *p, uint64_t addr, char *buf, size_t len)
{
    if (p->no_jit_map)
        return false;
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)p->pid);
    FILE *f = fopen(path, "re");
    if (!f) {
        p->no_jit_map = true;
        return false;
    }
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        uint64_t start, size;
        int at = 0;
        if (sscanf(line, "%" SCNx64 " %" SCNx64 " %n", &start, &size, &at) < 2 || !at)
            continue;
        if (addr >= start && addr - start < size) {
            char *name = line + at;
            name[strcspn(name, "\n")] = '\0';
            snprintf(buf, len, "%s", name);
            found = true;
        }
    }
    fclose(f);
    return found;
}

/* Append "name" to buf (at *at, of len) with ';' and newlines made '_':
 * a frame separator inside a name would split the frame. */
static void put_name(char *buf, size_t len, size_t *at, const char *name, size_t n)
{
    if (*at && *at + 1 < len)
        buf[(*at)++] = ';';
    for (size_t i = 0; i < n && name[i] && *at + 1 < len; i++)
        buf[(*at)++] = name[i] == ';' || name[i] == '\n' ? '_' : name[i];
    buf[*at] = '\0';
}

/* put_name of a symbol, demangled when it is a C++ name and p wants it. */
static void put_symbol(const pk__record_proc *p, char *buf, size_t len, size_t *at,
                       const char *name, size_t n)
{
    char plain[1024];
    if (!p->no_demangle && pk__record_demangle(name, n, plain, sizeof plain))
        put_name(buf, len, at, plain, SIZE_MAX);
    else
        put_name(buf, len, at, name, n);
}

/* The name of an inlined function: its linkage name demangled (C++:
 * "ns::f(int)", qualified as the symbol of a function that was not inlined
 * would be), else DW_AT_name. */
static void put_inline_name(const pk__record_proc *p, Dwarf_Die *die, char *buf, size_t len,
                            size_t *at)
{
    Dwarf_Attribute attr;
    const char *linkage = NULL;
    if (!p->no_demangle &&
        (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
         dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr)))
        linkage = dwarf_formstring(&attr);
    if (linkage) {
        put_symbol(p, buf, len, at, linkage, strlen(linkage));
        return;
    }
    const char *name = dwarf_diename(die);
    put_name(buf, len, at, name ? name : "[inlined]", SIZE_MAX);
}

/* The functions inlined at addr, outermost first, after the function's own
 * name: DWARF's DW_TAG_inlined_subroutine scopes around the address
 * (dwarf_getscopes; innermost first, so walked backwards). */
static void put_inlines(const pk__record_proc *p, Dwfl_Module *m, uint64_t addr, char *buf,
                        size_t len, size_t *at)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(m, addr, &bias);
    Dwarf_Die *scopes = NULL;
    int n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    for (int i = n - 1; i >= 0; i--) {
        if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
            put_inline_name(p, &scopes[i], buf, len, at);
    }
    free(scopes);   /* libdw's allocation, not ours */
}

void pk__record_symbol(pk__record_proc *p, uint64_t addr, char *buf, size_t len)
{
    Dwfl *d = pk__record_dwfl(p);
    Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
    size_t at = 0;
    buf[0] = '\0';
    if (m) {
        GElf_Off off;
        GElf_Sym sym;
        const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
        if (name) {
            /* "__libc_start_main@@GLIBC_2.34": the version is noise in a profile */
            put_symbol(p, buf, len, &at, name, strcspn(name, "@"));
            if (!p->no_inline)
                put_inlines(p, m, addr, buf, len, &at);
            return;
        }
        const char *mod = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        snprintf(buf, len, "[%s]", mod ? mod : "unknown");
        return;
    }
    if (!jit_symbol(p, addr, buf, len))
        snprintf(buf, len, "[unknown]");
}

pk__record_proc *pk__record_proc_new(pid_t pid, bool no_inline)
{
    pk__record_proc *p = pk_calloc(1, sizeof *p);
    if (p) {
        p->pid = pid;
        p->no_inline = no_inline;
    }
    return p;
}

pk_err pk__record_proc_map(pk__record_proc *p, uint64_t start, uint64_t end, uint64_t pgoff,
                           const char *path)
{
    return path[0] == '/' ? map_push(p, start, end, pgoff, path) : PK_OK;
}

bool pk__record_proc_maps(const pk__record_proc *p, uint64_t addr)
{
    for (size_t i = 0; i < p->n_maps; i++)
        if (addr >= p->maps[i].start && addr < p->maps[i].end)
            return true;
    return false;
}

bool pk__record_srcline(pk__record_proc *p, uint64_t addr, const char **file, unsigned *line)
{
    Dwfl *d = pk__record_dwfl(p);
    Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
    Dwfl_Line *l = m ? dwfl_module_getsrc(m, addr) : NULL;
    int ln = 0;
    const char *f = l ? dwfl_lineinfo(l, NULL, &ln, NULL, NULL, NULL) : NULL;
    if (!f || ln <= 0)
        return false;
    *file = f;
    *line = (unsigned)ln;
    return true;
}

void pk__record_proc_free(pk__record_proc *p)
{
    if (!p)
        return;
    for (size_t j = 0; j < p->n_maps; j++)
        pk_free(p->maps[j].path);
    pk_free(p->maps);
    if (p->dwfl)
        dwfl_end(p->dwfl);
    pk_free(p);
}

void pk__record_procs_free(pk_record *r)
{
    for (size_t i = 0; i < r->n_procs; i++)
        pk__record_proc_free(r->procs[i]);
    pk_free(r->procs);
    r->procs = NULL;
    r->n_procs = r->cap_procs = 0;
}
