/* machine.c — describe the machine a measurement was taken on.
 *
 * CPU model from /proc/cpuinfo ("model name", else "Hardware" / "cpu" /
 * "Processor" as ARM and POWER kernels spell it), online CPUs from sysconf,
 * kernel and arch from uname, MemTotal from /proc/meminfo, load from
 * getloadavg. The fingerprint is 64-bit FNV-1a over
 * "cpu_model|cores|kernel|arch|memGiB" (memory rounded to whole GiB so a few
 * MiB reserved differently by the firmware do not change it).
 * Reference: FNV-1a, http://www.isthe.com/chongo/tech/comp/fnv/ */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "perfkit/machine.h"

#ifndef PK_VERSION
#define PK_VERSION "0.0.0-dev"
#endif

const char *pk_version(void)
{
    return PK_VERSION;
}

/* Truncating string copy (len > 0). */
static void copy(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Trim blanks at both ends of s in place; returns the new start. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void read_cpu_model(char *dst, size_t len)
{
    static const char *const keys[] = {"model name", "Hardware", "cpu model", "cpu",
                                       "Processor"};
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return;
    char line[512];
    int best = (int)(sizeof keys / sizeof keys[0]);
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *key = trim(line), *val = trim(colon + 1);
        for (int k = 0; k < best; k++) {
            if (strcmp(key, keys[k]) == 0 && *val) {
                copy(dst, len, val);
                best = k;
                break;
            }
        }
        if (best == 0)
            break;
    }
    fclose(f);
}

static uint64_t read_mem_total(void)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (!f)
        return 0;
    char line[256];
    uint64_t kib = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (sscanf(line, "MemTotal: %llu kB", &v) == 1) {
            kib = v;
            break;
        }
    }
    fclose(f);
    return kib * 1024u;
}

pk_err pk_machine_get(pk_machine *out)
{
    if (!out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    copy(out->cpu_model, sizeof out->cpu_model, "unknown");
    copy(out->kernel, sizeof out->kernel, "unknown");
    copy(out->arch, sizeof out->arch, "unknown");
    copy(out->hostname, sizeof out->hostname, "unknown");
    copy(out->perfkit_version, sizeof out->perfkit_version, pk_version());

    read_cpu_model(out->cpu_model, sizeof out->cpu_model);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->cores = n > 0 ? (int)n : 0;
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(out->kernel, sizeof out->kernel, "%.60s %.60s", u.sysname, u.release);
        copy(out->arch, sizeof out->arch, u.machine);
        copy(out->hostname, sizeof out->hostname, u.nodename);
    }
    out->mem_bytes = read_mem_total();
    double l[3];
    if (getloadavg(l, 3) == 3)
        memcpy(out->load, l, sizeof l);
    return PK_OK;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

void pk_machine_fingerprint(const pk_machine *m, char buf[17])
{
    uint64_t h = 0xcbf29ce484222325u;
    if (m) {
        const uint64_t gib = 1024ull * 1024u * 1024u;
        char tail[64];
        snprintf(tail, sizeof tail, "|%d|", m->cores);
        h = fnv1a(h, m->cpu_model);
        h = fnv1a(h, tail);
        h = fnv1a(h, m->kernel);
        h = fnv1a(h, "|");
        h = fnv1a(h, m->arch);
        snprintf(tail, sizeof tail, "|%" PRIu64, (m->mem_bytes + gib / 2) / gib);
        h = fnv1a(h, tail);
    }
    snprintf(buf, 17, "%016" PRIx64, h);
}
