/* figures.c — the one table of monitor figures (name, unit) and alert
 * level names; every output (CSV, JSON lines, metrics, config keys) reads
 * it, so a figure is named the same everywhere. */
#include <stdio.h>
#include <string.h>

#include "perfkit/monitor.h"

static const struct {
    const char *name;
    pk_monitor_unit unit;
} figures[PK_MON_NFIGURES] = {
    [PK_MON_CPU] = {"cpu", PK_MON_UNIT_PERCENT},
    [PK_MON_CPU_USER] = {"cpu_user", PK_MON_UNIT_PERCENT},
    [PK_MON_CPU_SYS] = {"cpu_sys", PK_MON_UNIT_PERCENT},
    [PK_MON_CPU_SECONDS] = {"cpu_seconds", PK_MON_UNIT_SECONDS},
    [PK_MON_RSS] = {"rss", PK_MON_UNIT_BYTES},
    [PK_MON_PSS] = {"pss", PK_MON_UNIT_BYTES},
    [PK_MON_VSIZE] = {"vsize", PK_MON_UNIT_BYTES},
    [PK_MON_SWAP] = {"swap", PK_MON_UNIT_BYTES},
    [PK_MON_THREADS] = {"threads", PK_MON_UNIT_COUNT},
    [PK_MON_FDS] = {"fds", PK_MON_UNIT_COUNT},
    [PK_MON_FD_LIMIT] = {"fd_limit", PK_MON_UNIT_COUNT},
    [PK_MON_FD_USE] = {"fd_use", PK_MON_UNIT_PERCENT},
    [PK_MON_READ_BYTES] = {"read", PK_MON_UNIT_BYTES},
    [PK_MON_WRITE_BYTES] = {"write", PK_MON_UNIT_BYTES},
    [PK_MON_READ_RATE] = {"read_rate", PK_MON_UNIT_BYTES_PER_S},
    [PK_MON_WRITE_RATE] = {"write_rate", PK_MON_UNIT_BYTES_PER_S},
    [PK_MON_READ_SYSCALLS] = {"read_syscalls", PK_MON_UNIT_COUNT},
    [PK_MON_WRITE_SYSCALLS] = {"write_syscalls", PK_MON_UNIT_COUNT},
    [PK_MON_DISK_READ_BYTES] = {"disk_read", PK_MON_UNIT_BYTES},
    [PK_MON_DISK_WRITE_BYTES] = {"disk_write", PK_MON_UNIT_BYTES},
    [PK_MON_MINOR_FAULTS] = {"minor_faults", PK_MON_UNIT_COUNT},
    [PK_MON_MAJOR_FAULTS] = {"major_faults", PK_MON_UNIT_COUNT},
    [PK_MON_MAJOR_FAULT_RATE] = {"major_fault_rate", PK_MON_UNIT_PER_S},
    [PK_MON_CTXSW_VOLUNTARY] = {"ctxsw_voluntary", PK_MON_UNIT_COUNT},
    [PK_MON_CTXSW_INVOLUNTARY] = {"ctxsw_involuntary", PK_MON_UNIT_COUNT},
    [PK_MON_CTXSW_RATE] = {"ctxsw_rate", PK_MON_UNIT_PER_S},
    [PK_MON_CGROUP_MEMORY] = {"cgroup_memory", PK_MON_UNIT_BYTES},
    [PK_MON_CGROUP_MEMORY_MAX] = {"cgroup_memory_max", PK_MON_UNIT_BYTES},
    [PK_MON_CGROUP_MEMORY_USE] = {"cgroup_memory_use", PK_MON_UNIT_PERCENT},
    [PK_MON_CGROUP_SWAP] = {"cgroup_swap", PK_MON_UNIT_BYTES},
    [PK_MON_PSI_CPU] = {"psi_cpu", PK_MON_UNIT_PERCENT},
    [PK_MON_PSI_MEMORY] = {"psi_memory", PK_MON_UNIT_PERCENT},
    [PK_MON_PSI_IO] = {"psi_io", PK_MON_UNIT_PERCENT},
};

const char *pk_monitor_figure_name(pk_monitor_figure f)
{
    return (unsigned)f < PK_MON_NFIGURES ? figures[f].name : "?";
}

pk_monitor_unit pk_monitor_figure_unit(pk_monitor_figure f)
{
    return (unsigned)f < PK_MON_NFIGURES ? figures[f].unit : PK_MON_UNIT_COUNT;
}

/* a == b with '-' read as '_' */
static int same(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a == '-' ? '_' : *a) != *b)
            return 0;
    return !*a && !*b;
}

int pk_monitor_figure_find(const char *name)
{
    if (!name)
        return -1;
    for (int f = 0; f < PK_MON_NFIGURES; f++)
        if (same(name, figures[f].name))
            return f;
    return -1;
}

static const char *const levels[PK_MON_NLEVELS] = {"none", "info", "warning", "critical"};

const char *pk_monitor_level_name(pk_monitor_level l)
{
    return (unsigned)l < PK_MON_NLEVELS ? levels[l] : "?";
}

int pk_monitor_level_find(const char *name)
{
    for (int l = 0; name && l < PK_MON_NLEVELS; l++)
        if (!strcmp(name, levels[l]))
            return l;
    return -1;
}

char *pk_monitor_metric_name(const char *prefix, pk_monitor_figure f, char *buf, size_t len)
{
    static const char *const suffix[] = {
        [PK_MON_UNIT_PERCENT] = "_percent", [PK_MON_UNIT_BYTES] = "_bytes",
        [PK_MON_UNIT_COUNT] = "", [PK_MON_UNIT_SECONDS] = "_total",
        [PK_MON_UNIT_BYTES_PER_S] = "_bytes_per_second", [PK_MON_UNIT_PER_S] = "_per_second"};
    const char *name = pk_monitor_figure_name(f);
    const char *suf = suffix[pk_monitor_figure_unit(f)];
    if (f == PK_MON_CPU_SECONDS)
        suf = "";   /* "cpu_seconds" says its unit already */
    else if (f == PK_MON_READ_BYTES || f == PK_MON_WRITE_BYTES || f == PK_MON_DISK_READ_BYTES ||
             f == PK_MON_DISK_WRITE_BYTES)
        suf = "_bytes";
    if (len)
        snprintf(buf, len, "%s%s%s", prefix ? prefix : "", name, suf);
    return buf;
}
