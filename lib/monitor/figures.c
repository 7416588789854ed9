/* figures.c — the one table of monitor figures (name, unit) and alert
 * level names; every output (CSV, JSON lines, metrics, config keys) reads
 * it, so a figure is named the same everywhere. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
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
    [PK_MON_PROCESSES] = {"processes", PK_MON_UNIT_COUNT},
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

/* The multiplier of a size suffix, or 0. */
static double size_unit(const char *u)
{
    static const struct {
        const char *s;
        double m;
    } units[] = {{"", 1},         {"B", 1},           {"kB", 1e3},        {"KB", 1e3},
                 {"MB", 1e6},     {"GB", 1e9},        {"TB", 1e12},       {"K", 1024.0},
                 {"KiB", 1024.0}, {"M", 1048576.0},   {"MiB", 1048576.0}, {"G", 1073741824.0},
                 {"GiB", 1073741824.0}, {"T", 1099511627776.0}, {"TiB", 1099511627776.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(u, units[i].s))
            return units[i].m;
    return 0;
}

pk_err pk_monitor_parse_value(pk_monitor_figure f, const char *text, double *out,
                              const char **why)
{
    static const char *const expect[] = {
        [PK_MON_UNIT_PERCENT] = "expected a percentage like 90%",
        [PK_MON_UNIT_BYTES] = "expected a size like 512MiB",
        [PK_MON_UNIT_COUNT] = "expected a number like 800",
        [PK_MON_UNIT_SECONDS] = "expected a duration like 30s",
        [PK_MON_UNIT_BYTES_PER_S] = "expected a rate like 10MiB/s",
        [PK_MON_UNIT_PER_S] = "expected a rate like 50/s"};
    pk_monitor_unit unit = pk_monitor_figure_unit(f);
    const char *reason = expect[unit];
    if (why)
        *why = reason;
    if (!text || !out || (unsigned)f >= PK_MON_NFIGURES)
        return PK_EPARSE;
    const char *s = text;
    while (*s == ' ')
        s++;
    if (!((*s >= '0' && *s <= '9') || *s == '.'))
        return PK_EPARSE;   /* every figure is >= 0: a negative level is a typo */
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return PK_EPARSE;
    char u[16];
    size_t n = strlen(end);
    while (n && end[n - 1] == ' ')
        n--;
    if (*end == ' ')
        return PK_EPARSE;
    if (n >= sizeof u)
        return PK_EPARSE;
    memcpy(u, end, n);
    u[n] = '\0';
    double m = 0;
    switch (unit) {
    case PK_MON_UNIT_PERCENT:
        m = !strcmp(u, "") || !strcmp(u, "%") ? 1 : 0;
        break;
    case PK_MON_UNIT_COUNT:
        m = !strcmp(u, "") ? 1 : 0;
        break;
    case PK_MON_UNIT_SECONDS:
        m = !strcmp(u, "") || !strcmp(u, "s") ? 1 : !strcmp(u, "ms") ? 1e-3 : !strcmp(u, "min") ? 60 : 0;
        break;
    case PK_MON_UNIT_BYTES:
        m = size_unit(u);
        break;
    case PK_MON_UNIT_BYTES_PER_S:
    case PK_MON_UNIT_PER_S:
        if (n >= 2 && !strcmp(u + n - 2, "/s"))
            u[n - 2] = '\0';
        m = unit == PK_MON_UNIT_PER_S ? (!strcmp(u, "") ? 1 : 0) : size_unit(u);
        break;
    }
    if (m == 0)
        return PK_EPARSE;
    *out = v * m;
    if (why)
        *why = NULL;
    return PK_OK;
}
