/* Unit tests for lib/size/size.c: raw, gzip, brotli and zstd sizes.
 *
 * Expected figures were computed once from the same buffers written to files
 * (Debian 12: GNU gzip 1.12, zlib 1.2.13, brotli 1.0.9, zstd 1.5.4):
 *   buffer        raw     gzip -9 -n  zlib 9/gzip  brotli -q11 -w22  zstd -19
 *   empty         0       20          20           1                 13
 *   'a' x 100000  100000  133         133          14                25
 *   lines         199974  12484       12484        5798              5051
 *   random 64KiB  65536   65564       65574        65540             65550
 * gzip figures are zlib's; GNU gzip has its own deflate, equal on text but
 * 10 bytes smaller on the random buffer (its stored blocks are larger).
 * brotli and zstd figures are exact only for those library versions, so
 * they are checked exactly there and for plausibility elsewhere. */
#include <brotli/encode.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "perfkit/alloc.h"
#include "perfkit/size.h"
#include "fault.h"

#define ALL ((1u << PK_SIZE_GZIP) | (1u << PK_SIZE_BROTLI) | (1u << PK_SIZE_ZSTD))

static size_t fill_lines(char *buf, size_t cap)
{
    size_t n = 0;
    for (int i = 0; n + 64 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "line %d: perfkit measures truthfully\n", i);
    return n;
}

static void fill_random(unsigned char *buf, size_t n)
{
    uint64_t x = 42;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (unsigned char)(x >> 56);
    }
}

static bool same_versions(void)
{
    return ZSTD_versionNumber() == 10504 && BrotliEncoderVersion() == 0x1000009;
}

static void expect(const void *data, size_t len, uint64_t gz, uint64_t br, uint64_t zs)
{
    pk_size s;
    cr_assert_eq(pk_size_buffer(data, len, ALL, &s), PK_OK);
    cr_assert_eq(s.measured, 0xfu);
    cr_assert_eq(s.bytes[PK_SIZE_RAW], len);
    cr_assert_eq(s.bytes[PK_SIZE_GZIP], gz, "gzip %lu", (unsigned long)s.bytes[PK_SIZE_GZIP]);
    if (same_versions()) {
        cr_assert_eq(s.bytes[PK_SIZE_BROTLI], br, "brotli %lu",
                     (unsigned long)s.bytes[PK_SIZE_BROTLI]);
        cr_assert_eq(s.bytes[PK_SIZE_ZSTD], zs, "zstd %lu", (unsigned long)s.bytes[PK_SIZE_ZSTD]);
    } else {
        cr_assert_leq(s.bytes[PK_SIZE_BROTLI], br + br / 10 + 16);
        cr_assert_leq(s.bytes[PK_SIZE_ZSTD], zs + zs / 10 + 16);
    }
}

Test(size, names)
{
    for (int c = 0; c < PK_SIZE_COUNT; c++)
        cr_assert_eq((int)pk_compression_from_name(pk_compression_name((pk_compression)c)), c);
    cr_assert_str_eq(pk_compression_name(PK_SIZE_BROTLI), "brotli");
    cr_assert_str_eq(pk_compression_name(PK_SIZE_COUNT), "unknown");
    cr_assert_eq(pk_compression_from_name("gz"), PK_SIZE_COUNT);
    cr_assert_eq(pk_compression_from_name(NULL), PK_SIZE_COUNT);
}

Test(size, empty)
{
    expect(NULL, 0, 20, 1, 13);
    expect("", 0, 20, 1, 13);
}

Test(size, repetitive_text)
{
    char *a = malloc(100000);
    memset(a, 'a', 100000);
    expect(a, 100000, 133, 14, 25);
    free(a);
    char *lines = malloc(200000);
    size_t n = fill_lines(lines, 200000);
    cr_assert_eq(n, 199974);
    expect(lines, n, 12484, 5798, 5051);
    free(lines);
}

Test(size, random_bytes_do_not_shrink)
{
    static unsigned char r[65536];
    fill_random(r, sizeof r);
    expect(r, sizeof r, 65574, 65540, 65550);
}

Test(size, mask_selects_compressors)
{
    const char *t = "hello hello hello hello";
    pk_size s;
    memset(&s, 0xff, sizeof s);
    cr_assert_eq(pk_size_buffer(t, strlen(t), 0, &s), PK_OK);
    cr_assert_eq(s.measured, 1u << PK_SIZE_RAW);   /* raw is always measured */
    cr_assert_eq(s.bytes[PK_SIZE_RAW], strlen(t));
    cr_assert_eq(s.bytes[PK_SIZE_GZIP], 0);
    cr_assert_eq(pk_size_buffer(t, strlen(t), 1u << PK_SIZE_ZSTD, &s), PK_OK);
    cr_assert_eq(s.measured, (1u << PK_SIZE_RAW) | (1u << PK_SIZE_ZSTD));
    cr_assert_gt(s.bytes[PK_SIZE_ZSTD], 0);
    cr_assert_eq(pk_size_buffer(t, strlen(t), 1u << PK_SIZE_RAW, &s), PK_OK);
    cr_assert_eq(s.measured, 1u);
    cr_assert_eq(pk_size_buffer(t, strlen(t), 1u << PK_SIZE_COUNT, &s), PK_EINVAL);
    cr_assert_eq(pk_size_buffer(NULL, 3, ALL, &s), PK_EINVAL);
    cr_assert_eq(pk_size_buffer(t, 3, ALL, NULL), PK_EINVAL);
}

Test(size, file_matches_buffer)
{
    char path[] = "/tmp/pk-test-size-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    char *lines = malloc(200000);
    size_t n = fill_lines(lines, 200000);
    cr_assert_eq(write(fd, lines, n), (ssize_t)n);
    close(fd);
    pk_size a, b;
    cr_assert_eq(pk_size_file(path, ALL, &a), PK_OK);
    cr_assert_eq(pk_size_buffer(lines, n, ALL, &b), PK_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    unlink(path);
    free(lines);
}

/* A file is streamed in chunks: sizes do not depend on where the chunks
 * end (3.5 chunks of text here), and raw alone is the file's size. */
Test(size, streamed_file_matches_buffer)
{
    char path[] = "/tmp/pk-test-size-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t cap = 7 * 64 * 1024;
    char *lines = malloc(cap);
    size_t n = fill_lines(lines, cap);
    lines[n / 3] = 'X';   /* not one repeating period */
    cr_assert_eq(write(fd, lines, n), (ssize_t)n);
    close(fd);
    uint32_t mask = (1u << PK_SIZE_GZIP) | (1u << PK_SIZE_ZSTD);
    pk_size a, b;
    cr_assert_eq(pk_size_file(path, mask, &a), PK_OK);
    cr_assert_eq(pk_size_buffer(lines, n, mask, &b), PK_OK);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "gzip %lu/%lu zstd %lu/%lu",
                 (unsigned long)a.bytes[PK_SIZE_GZIP], (unsigned long)b.bytes[PK_SIZE_GZIP],
                 (unsigned long)a.bytes[PK_SIZE_ZSTD], (unsigned long)b.bytes[PK_SIZE_ZSTD]);
    cr_assert_eq(pk_size_file(path, 0, &a), PK_OK);
    cr_assert_eq(a.measured, 1u);
    cr_assert_eq(a.bytes[PK_SIZE_RAW], n);
    unlink(path);
    free(lines);
}

/* Only regular files: a device (/dev/zero never ends, /dev/null is no
 * artifact) or a FIFO (may never answer) is refused at once, by name. */
Test(size, devices_and_fifos_are_refused, .timeout = 20)
{
    pk_size s;
    pk_diag d;
    cr_assert_eq(pk_size_file("/dev/zero", ALL, &s), PK_EINVAL);
    cr_assert_eq(pk_size_file_diag("/dev/zero", 0, &s, &d), PK_EINVAL);
    cr_assert_str_eq(d.file, "/dev/zero");
    cr_assert_str_eq(d.message, "is a character device, not a regular file");
    cr_assert_eq(pk_size_file_diag("/dev/null", ALL, &s, &d), PK_EINVAL);
    char dir[] = "/tmp/pk-test-size-XXXXXX", fifo[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(pk_size_file_diag(fifo, ALL, &s, &d), PK_EINVAL);   /* no writer: no wait */
    cr_assert_str_eq(d.message, "is a FIFO, not a regular file");
    unlink(fifo);
    rmdir(dir);
}

Test(size, file_errors)
{
    pk_size s;
    cr_assert_eq(pk_size_file("/nonexistent/app.wasm", ALL, &s), PK_ENOENT);
    cr_assert_eq(pk_size_file("/tmp", ALL, &s), PK_EINVAL);
    cr_assert_eq(pk_size_file(NULL, ALL, &s), PK_EINVAL);
    cr_assert_eq(pk_size_file("/tmp", 1u << 7, &s), PK_EINVAL);
    if (geteuid() != 0) {   /* root reads anything */
        char path[] = "/tmp/pk-test-size-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        chmod(path, 0);
        cr_assert_eq(pk_size_file(path, ALL, &s), PK_EPERM);
        unlink(path);
    }
}

/* zlib's state comes from pk_malloc; brotli's and zstd's from libc (brotli
 * 1.0 exits on a failed allocation, zstd's custom allocators are
 * experimental API). */
Test(size, every_allocation_failure_is_clean)
{
    char *lines = malloc(200000);
    size_t n = fill_lines(lines, 200000);
    pk_size ref;
    cr_assert_eq(pk_size_buffer(lines, n, ALL, &ref), PK_OK);
    long k;
    for (k = 0;; k++) {
        fault_arm(k);
        pk_size s;
        pk_err e = pk_size_buffer(lines, n, ALL, &s);
        long reqs = fault_requests();
        fault_disarm();
        cr_assert_eq(fault_live(), 0, "leak when failing allocation %ld", k);
        if (e == PK_OK) {
            cr_assert_leq(reqs, k);
            cr_assert_eq(memcmp(&s, &ref, sizeof s), 0);
            break;
        }
        cr_assert_eq(e, PK_ENOMEM, "allocation %ld: %s", k, pk_strerror(e));
    }
    cr_assert_gt(k, 2);
    free(lines);
}
