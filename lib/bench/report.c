/* report.c — microbenchmark results as Google Benchmark's console table and
 * JSON.
 *
 * The JSON follows benchmark/src/json_reporter.cc of GB 1.7.1 key for key
 * (context: date, host_name, executable, num_cpus, mhz_per_cpu,
 * cpu_scaling_enabled, caches, load_avg, library_build_type; one row per
 * repetition and per aggregate), times in ns, doubles as %.16e. Fields GB
 * leaves out when unset (bytes/items per second) are left out; a value that
 * is not finite is written as null. Machine facts come from sysfs and
 * /proc/cpuinfo as GB reads them; what cannot be read is 0 / empty. */
#include "bench/bench_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

/* ---- machine context ------------------------------------------------------ */
static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

static long mhz_per_cpu(void)
{
    char buf[256];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof buf))
        return lround(atof(buf) / 1000.0);
    FILE *f = fopen("/proc/cpuinfo", "r");
    long mhz = 0;
    while (f && fgets(buf, sizeof buf, f)) {
        if (strncmp(buf, "cpu MHz", 7) == 0) {
            const char *c = strchr(buf, ':');
            if (c)
                mhz = lround(atof(c + 1));
            break;
        }
    }
    if (f)
        fclose(f);
    return mhz;
}

static bool scaling_enabled(long ncpu)
{
    for (long i = 0; i < ncpu; i++) {
        char path[128], buf[64];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/cpufreq/scaling_governor", i);
        if (read_line(path, buf, sizeof buf) && strcmp(buf, "performance") != 0)
            return true;
    }
    return false;
}

static int popcount_hexmap(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        int v = *s >= '0' && *s <= '9' ? *s - '0'
              : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
              : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : 0;
        n += __builtin_popcount((unsigned)v);
    }
    return n;
}

static void write_caches(FILE *f)
{
    fprintf(f, "    \"caches\": [");
    for (int i = 0, k = 0; i < 16; i++) {
        char dir[96], path[160], type[64], level[16], size[32], map[256];
        snprintf(dir, sizeof dir, "/sys/devices/system/cpu/cpu0/cache/index%d", i);
        snprintf(path, sizeof path, "%s/type", dir);
        if (!read_line(path, type, sizeof type))
            break;
        snprintf(path, sizeof path, "%s/level", dir);
        if (!read_line(path, level, sizeof level))
            break;
        snprintf(path, sizeof path, "%s/size", dir);
        if (!read_line(path, size, sizeof size))
            break;
        snprintf(path, sizeof path, "%s/shared_cpu_map", dir);
        int sharing = read_line(path, map, sizeof map) ? popcount_hexmap(map) : 0;
        char *end;
        long long bytes = strtoll(size, &end, 10);
        bytes *= *end == 'K' ? 1024 : *end == 'M' ? 1024LL * 1024 : *end == 'G' ? 1024LL << 20 : 1;
        fprintf(f, "%s\n      {\n        \"type\": \"%s\",\n        \"level\": %d,\n"
                   "        \"size\": %lld,\n        \"num_sharing\": %d\n      }",
                k++ ? "," : "", type, atoi(level), bytes, sharing);
    }
    fprintf(f, "\n    ],\n");
}

static void write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void write_context(FILE *f, const pk_bench_results *r)
{
    char date[64] = "", host[256] = "";
    time_t now = (time_t)(pk__clock_ns(PK__CLOCK_REAL) / 1000000000);
    struct tm tm;
    if (localtime_r(&now, &tm)) {
        char z[8];
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
        strftime(z, sizeof z, "%z", &tm);   /* +hhmm → +hh:mm as GB */
        size_t n = strlen(date);
        if (strlen(z) == 5)
            snprintf(date + n, sizeof date - n, "%.3s:%.2s", z, z + 3);
    }
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3)
        load[0] = load[1] = load[2] = 0;
    fprintf(f, "{\n  \"context\": {\n    \"date\": ");
    write_string(f, date);
    fprintf(f, ",\n    \"host_name\": ");
    write_string(f, host);
    fprintf(f, ",\n    \"executable\": ");
    write_string(f, r->executable ? r->executable : "");
    fprintf(f, ",\n    \"num_cpus\": %ld,\n    \"mhz_per_cpu\": %ld,\n"
               "    \"cpu_scaling_enabled\": %s,\n",
            ncpu > 0 ? ncpu : 0, mhz_per_cpu(), scaling_enabled(ncpu) ? "true" : "false");
    write_caches(f);
    fprintf(f, "    \"load_avg\": [%g,%g,%g],\n", load[0], load[1], load[2]);
#ifdef NDEBUG
    fprintf(f, "    \"library_build_type\": \"release\"\n  },\n");
#else
    fprintf(f, "    \"library_build_type\": \"debug\"\n  },\n");
#endif
}

/* ---- JSON ------------------------------------------------------------------ */
static void write_double(FILE *f, const char *key, double v)
{
    fprintf(f, ",\n      \"%s\": ", key);
    if (isfinite(v))
        fprintf(f, "%.16e", v);
    else
        fprintf(f, "null");
}

static void write_row(FILE *f, const pk_bench_row *w)
{
    bool agg = w->type == PK_BENCH_AGGREGATE;
    fprintf(f, "    {\n      \"name\": ");
    write_string(f, w->name);
    fprintf(f, ",\n      \"family_index\": %zu,\n      \"per_family_instance_index\": %zu,\n"
               "      \"run_name\": ",
            w->family_index, w->instance_index);
    write_string(f, w->run_name);
    fprintf(f, ",\n      \"run_type\": \"%s\",\n      \"repetitions\": %u,\n",
            agg ? "aggregate" : "iteration", w->repetitions);
    if (!agg)
        fprintf(f, "      \"repetition_index\": %u,\n", w->repetition_index);
    fprintf(f, "      \"threads\": 1,\n");
    if (agg)
        fprintf(f, "      \"aggregate_name\": \"%s\",\n      \"aggregate_unit\": \"%s\",\n",
                w->aggregate, strcmp(w->aggregate, "cv") == 0 ? "percentage" : "time");
    if (w->error) {
        fprintf(f, "      \"error_occurred\": true,\n      \"error_message\": ");
        write_string(f, w->error);
        fprintf(f, ",\n");
    }
    fprintf(f, "      \"iterations\": %llu", (unsigned long long)w->iterations);
    write_double(f, "real_time", w->error ? 0 : w->real_ns);
    write_double(f, "cpu_time", w->error ? 0 : w->cpu_ns);
    fprintf(f, ",\n      \"time_unit\": \"ns\"");
    if (!w->error) {
        if (!isnan(w->bytes_per_second))
            write_double(f, "bytes_per_second", w->bytes_per_second);
        if (!isnan(w->items_per_second))
            write_double(f, "items_per_second", w->items_per_second);
        if (!isnan(w->allocs_per_iter)) {
            write_double(f, "allocs_per_iter", w->allocs_per_iter);
            write_double(f, "alloc_bytes_per_iter", w->alloc_bytes_per_iter);
        }
        for (size_t i = 0; i < w->n_counters; i++) {
            fprintf(f, ",\n      ");
            write_string(f, w->counters[i].name);
            fprintf(f, ": ");
            if (isfinite(w->counters[i].value))
                fprintf(f, "%.16e", w->counters[i].value);
            else
                fprintf(f, "null");
        }
    }
    fprintf(f, "\n    }");
}

pk_err pk_bench_write_json(FILE *f, const pk_bench_results *r)
{
    if (!f || !r)
        return PK_EINVAL;
    write_context(f, r);
    fprintf(f, "  \"benchmarks\": [\n");
    for (size_t i = 0; i < r->n; i++) {
        write_row(f, &r->rows[i]);
        fprintf(f, "%s\n", i + 1 < r->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fflush(f) == 0 && !ferror(f) ? PK_OK : PK_EIO;
}

/* ---- console ----------------------------------------------------------------- */
/* v with a binary (1024) or decimal (1000) prefix, GB's HumanReadableNumber. */
static void human(char *buf, size_t len, double v, bool binary)
{
    static const char *const dec[] = {"", "k", "M", "G", "T", "P"};
    static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    double base = binary ? 1024 : 1000;
    int k = 0;
    while (fabs(v) >= base && k < 5) {
        v /= base;
        k++;
    }
    snprintf(buf, len, "%.6g%s", v, binary ? bin[k] : dec[k]);
}

static void fmt_time(char *buf, size_t len, double ns)
{
    if (!isfinite(ns))
        snprintf(buf, len, "%10s", "n/a");
    else if (ns < 10)
        snprintf(buf, len, "%10.2f", ns);
    else if (ns < 100)
        snprintf(buf, len, "%10.1f", ns);
    else
        snprintf(buf, len, "%10.0f", ns);
}

/* " name=value": cv rows (pct) as a percentage, as GB prints them. */
static void counter(FILE *f, const char *name, double v, bool pct, bool binary, const char *unit)
{
    char num[64];
    if (pct) {
        fprintf(f, " %s=%.2f%%", name, v * 100);
        return;
    }
    human(num, sizeof num, v, binary);
    fprintf(f, " %s=%s%s", name, num, unit);
}

pk_err pk_bench_write_console(FILE *f, const pk_bench_results *r)
{
    if (!f || !r)
        return PK_EINVAL;
    int width = 10;
    for (size_t i = 0; i < r->n; i++)
        if ((int)strlen(r->rows[i].name) > width)
            width = (int)strlen(r->rows[i].name);
    char dash[512];
    int total = width + 44;
    if (total > (int)sizeof dash - 1)
        total = (int)sizeof dash - 1;
    memset(dash, '-', (size_t)total);
    dash[total] = '\0';
    fprintf(f, "%s\n%-*s %13s %15s %12s\n%s\n", dash, width, "Benchmark", "Time", "CPU",
            "Iterations", dash);
    for (size_t i = 0; i < r->n; i++) {
        const pk_bench_row *w = &r->rows[i];
        fprintf(f, "%-*s ", width, w->name);
        if (w->error) {
            fprintf(f, "ERROR OCCURRED: '%s'\n", w->error);
            continue;
        }
        char a[64], b[64];
        if (w->aggregate && strcmp(w->aggregate, "cv") == 0) {
            fprintf(f, "%10.2f %-4s %10.2f %-4s %10llu", w->real_ns * 100, "%", w->cpu_ns * 100,
                    "%", (unsigned long long)w->iterations);
        } else {
            fmt_time(a, sizeof a, w->real_ns);
            fmt_time(b, sizeof b, w->cpu_ns);
            fprintf(f, "%s %-4s %s %-4s %10llu", a, "ns", b, "ns",
                    (unsigned long long)w->iterations);
        }
        bool pct = w->aggregate && strcmp(w->aggregate, "cv") == 0;
        if (!isnan(w->bytes_per_second))
            counter(f, "bytes_per_second", w->bytes_per_second, pct, true, "B/s");
        if (!isnan(w->items_per_second))
            counter(f, "items_per_second", w->items_per_second, pct, false, "/s");
        if (!isnan(w->allocs_per_iter)) {
            counter(f, "allocs_per_iter", w->allocs_per_iter, pct, false, "");
            counter(f, "alloc_bytes_per_iter", w->alloc_bytes_per_iter, pct, true, "B");
        }
        for (size_t c = 0; c < w->n_counters; c++)
            counter(f, w->counters[c].name, w->counters[c].value, pct, false, "");
        fprintf(f, "\n");
    }
    return fflush(f) == 0 && !ferror(f) ? PK_OK : PK_EIO;
}
