/* procparse.c — exact parsers of the /proc/PID and cgroup v2 files the
 * sampler reads (proc(5), cgroup-v2.rst). Each is a pure function of the
 * text, so captured files make its tests; numbers are read with strtoull
 * and every field must be a whole number, or the file is PK_EPARSE. */
#include "monitor/monitor_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The whole number at *p (spaces before it skipped); advances *p. */
static bool num(const char **p, uint64_t *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    *out = v;
    *p = end;
    return true;
}

/* Skip one space-separated field (a number that may be negative). */
static bool skip_field(const char **p)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (!*s || *s == '\n')
        return false;
    while (*s && *s != ' ' && *s != '\n')
        s++;
    *p = s;
    return true;
}

pk_err pk__mon_parse_stat(const char *text, size_t len, pk__mon_stat *out)
{
    /* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime vsize rss ... (fields 1..24 of proc(5)) */
    const char *rp = NULL;
    for (size_t i = len; i > 0; i--)
        if (text[i - 1] == ')') {
            rp = text + i - 1;
            break;
        }
    const char *lp = memchr(text, '(', len);
    if (!rp || !lp || lp > rp || rp[1] != ' ' || !rp[2] || rp[3] != ' ')
        return PK_EPARSE;
    size_t cl = (size_t)(rp - lp - 1);
    cl = cl < sizeof out->comm ? cl : sizeof out->comm - 1;
    memcpy(out->comm, lp + 1, cl);
    out->comm[cl] = '\0';
    out->state = rp[2];
    const char *p = rp + 3;
    uint64_t f[25] = {0};   /* f[k]: field k (1-based), fields 4..24 */
    for (int k = 4; k <= 24; k++) {
        if (k == 5 || k == 6 || k == 7 || k == 8 || k == 16 || k == 17 || k == 18 ||
            k == 19 || k == 21) {
            if (!skip_field(&p))   /* signed or irrelevant fields */
                return PK_EPARSE;
            continue;
        }
        if (!num(&p, &f[k]))
            return PK_EPARSE;
    }
    out->ppid = f[4];
    out->minflt = f[10];
    out->majflt = f[12];
    out->utime = f[14];
    out->stime = f[15];
    out->threads = f[20];
    out->vsize = f[23];
    out->rss_pages = f[24];
    return PK_OK;
}

/* The value after "key" at the start of a line (the key includes its ':'). */
static const char *line_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, key, kl))
            return p + kl;
    return NULL;
}

pk_err pk__mon_parse_status(const char *text, size_t len, pk__mon_status *out)
{
    (void)len;
    memset(out, 0, sizeof *out);
    const char *v;
    if ((v = line_value(text, "VmSwap:"))) {
        if (!num(&v, &out->swap_bytes))
            return PK_EPARSE;
        out->swap_bytes *= 1024;   /* "kB": KiB */
        out->has_swap = true;
    }
    const char *vc = line_value(text, "voluntary_ctxt_switches:");
    const char *nc = line_value(text, "nonvoluntary_ctxt_switches:");
    if (vc && nc) {
        if (!num(&vc, &out->vol_ctxsw) || !num(&nc, &out->invol_ctxsw))
            return PK_EPARSE;
        out->has_ctxsw = true;
    }
    if (!(v = line_value(text, "Uid:")) || !num(&v, &out->uid))
        return PK_EPARSE;
    return PK_OK;
}

pk_err pk__mon_parse_io(const char *text, size_t len, pk__mon_io *out)
{
    (void)len;
    static const char *const keys[] = {"rchar:", "wchar:", "syscr:", "syscw:", "read_bytes:",
                                       "write_bytes:"};
    uint64_t *dst[] = {&out->rchar, &out->wchar, &out->syscr, &out->syscw, &out->read_bytes,
                       &out->write_bytes};
    for (size_t i = 0; i < 6; i++) {
        const char *v = line_value(text, keys[i]);
        if (!v || !num(&v, dst[i]))
            return PK_EPARSE;
    }
    return PK_OK;
}

pk_err pk__mon_parse_statm(const char *text, size_t len, uint64_t *size, uint64_t *resident)
{
    (void)len;
    const char *p = text;
    return num(&p, size) && num(&p, resident) ? PK_OK : PK_EPARSE;
}

pk_err pk__mon_parse_nofile(const char *text, size_t len, uint64_t *soft, bool *unlimited)
{
    (void)len;
    const char *v = line_value(text, "Max open files");
    if (!v)
        return PK_EPARSE;
    while (*v == ' ')
        v++;
    *unlimited = !strncmp(v, "unlimited", 9);
    if (*unlimited) {
        *soft = 0;
        return PK_OK;
    }
    return num(&v, soft) ? PK_OK : PK_EPARSE;
}

pk_err pk__mon_parse_pss(const char *text, size_t len, uint64_t *pss_bytes)
{
    (void)len;
    const char *v = line_value(text, "Pss:");
    if (!v || !num(&v, pss_bytes))
        return PK_EPARSE;
    *pss_bytes *= 1024;
    return PK_OK;
}

pk_err pk__mon_parse_pressure(const char *text, size_t len, double *avg10)
{
    (void)len;
    const char *v = line_value(text, "some avg10=");
    if (!v || *v < '0' || *v > '9')
        return PK_EPARSE;
    char *end;
    double d = strtod(v, &end);
    if (end == v || (*end != ' ' && *end != '\n' && *end))
        return PK_EPARSE;
    *avg10 = d;
    return PK_OK;
}

pk_err pk__mon_parse_cg_value(const char *text, size_t len, uint64_t *v, bool *unlimited)
{
    (void)len;
    *unlimited = !strncmp(text, "max", 3) && (text[3] == '\n' || !text[3]);
    if (*unlimited) {
        *v = 0;
        return PK_OK;
    }
    const char *p = text;
    if (!num(&p, v) || (*p && *p != '\n'))
        return PK_EPARSE;
    return PK_OK;
}

pk_err pk__mon_parse_cgroup(const char *text, size_t len, char *out, size_t out_len)
{
    (void)len;
    const char *v = line_value(text, "0::");
    if (!v)
        return PK_ENOENT;
    size_t n = strcspn(v, "\n");
    if (n + 1 > out_len)
        return PK_ERANGE;
    memcpy(out, v, n);
    out[n] = '\0';
    return PK_OK;
}
