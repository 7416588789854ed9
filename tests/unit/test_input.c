/* Unit tests for lib/core/input.c: plain and gzip inputs read through one
 * stream, detected by the magic bytes; several members; truncated, corrupt
 * and trailing-garbage gzip as clean errors naming the file; every
 * allocation failing in turn ends in a clean error without a leak. The gzip
 * data is made here with zlib (deflate, gzip framing). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "perfkit/alloc.h"
#include "perfkit/input.h"
#include "fault.h"

/* gzip of text (one member) into a new malloc'd buffer. */
static unsigned char *gzip_of(const char *text, size_t len, size_t *out_len)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void put_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* Read the whole stream; *err set to pk_input's error (PK_OK when none). */
static char *read_all(pk_input *in, size_t *len, pk_err *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    FILE *f = pk_input_stream(in);
    for (;;) {
        if (n == cap)
            buf = realloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    pk_input_error(in, err);
    cr_assert_eq(ferror(f) != 0, *err != PK_OK);
    *len = n;
    return buf;
}

/* Lines of text, len bytes. */
static char *text_of(size_t len)
{
    char *t = malloc(len + 32);
    size_t n = 0;
    for (unsigned i = 0; n < len; i++)
        n += (size_t)snprintf(t + n, 32, "main;f%u;g%u %u\n", i % 97, i % 13, i);
    return t;
}

static char tmpdir[] = "/tmp/pk_input_XXXXXX";
static char path[256];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/in", tmpdir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
}

TestSuite(input, .init = setup, .fini = teardown);

Test(input, plain_text_unchanged_any_size)
{
    size_t sizes[] = {0, 1, 2, 3, 65535, 65536, 300001};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *t = text_of(sizes[k]);
        put_file(path, t, sizes[k]);
        pk_input *in;
        cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
        cr_assert(!pk_input_gzip(in));
        cr_assert_str_eq(pk_input_name(in), path);
        size_t n;
        pk_err e;
        char *got = read_all(in, &n, &e);
        cr_assert_eq(e, PK_OK);
        cr_assert_eq(n, sizes[k]);
        cr_assert(n == 0 || memcmp(got, t, n) == 0);
        pk_input_close(in);
        free(got);
        free(t);
    }
}

Test(input, gzip_inflated_by_magic_not_name)
{
    size_t len = 1 << 20;   /* many refills of the 64 KiB buffer */
    char *t = text_of(len);
    size_t zlen;
    unsigned char *z = gzip_of(t, len, &zlen);
    put_file(path, z, zlen);   /* named "in", no .gz */
    pk_input *in;
    cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
    cr_assert(pk_input_gzip(in));
    size_t n;
    pk_err e;
    char *got = read_all(in, &n, &e);
    cr_assert_eq(e, PK_OK);
    cr_assert_eq(n, len);
    cr_assert(memcmp(got, t, len) == 0);
    cr_assert_null(pk_input_error(in, NULL));
    pk_input_close(in);
    free(got);
    free(z);
    free(t);
}

Test(input, gzip_members_in_turn)
{
    size_t la, lb;
    unsigned char *a = gzip_of("a;b 1\n", 6, &la), *b = gzip_of("c 2\n", 4, &lb);
    unsigned char both[256];
    memcpy(both, a, la);
    memcpy(both + la, b, lb);
    put_file(path, both, la + lb);
    pk_input *in;
    cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
    size_t n;
    pk_err e;
    char *got = read_all(in, &n, &e);
    cr_assert_eq(e, PK_OK);
    cr_assert_eq(n, 10);
    cr_assert(memcmp(got, "a;b 1\nc 2\n", 10) == 0);
    pk_input_close(in);
    free(got);
    free(a);
    free(b);
}

Test(input, truncated_at_every_length_is_an_error)
{
    char *t = text_of(5000);
    size_t zlen;
    unsigned char *z = gzip_of(t, 5000, &zlen);
    for (size_t cut = 2; cut < zlen; cut++) {
        put_file(path, z, cut);
        pk_input *in;
        cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
        size_t n;
        pk_err e;
        char *got = read_all(in, &n, &e);
        cr_assert_eq(e, PK_ECORRUPT, "cut at %zu of %zu", cut, zlen);
        const pk_diag *d = pk_input_error(in, NULL);
        cr_assert_str_eq(d->file, path);
        /* the last 8 bytes are the CRC and size: a cut there is also "truncated" */
        cr_assert(strstr(d->message, "truncated gzip data"), "%zu: %s", cut, d->message);
        cr_assert(n <= 5000 && memcmp(got, t, n) == 0);
        pk_input_close(in);
        free(got);
    }
    free(z);
    free(t);
}

Test(input, corrupt_and_trailing_garbage)
{
    size_t zlen;
    unsigned char *z = gzip_of("main;a 1\n", 9, &zlen);
    unsigned char buf[128];
    memcpy(buf, z, zlen);
    buf[zlen - 6] ^= 0xff;   /* the CRC-32 */
    put_file(path, buf, zlen);
    pk_input *in;
    cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
    size_t n;
    pk_err e;
    free(read_all(in, &n, &e));
    cr_assert_eq(e, PK_ECORRUPT);
    cr_assert_str_eq(pk_input_error(in, NULL)->message, "corrupt gzip data (incorrect data check)");
    pk_input_close(in);

    memcpy(buf, z, zlen);
    memcpy(buf + zlen, "junk", 4);
    put_file(path, buf, zlen + 4);
    cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
    char *got = read_all(in, &n, &e);
    cr_assert_eq(e, PK_ECORRUPT);
    cr_assert_eq(n, 9);   /* the member itself was delivered */
    cr_assert(memcmp(got, "main;a 1\n", 9) == 0);
    cr_assert(strstr(pk_input_error(in, NULL)->message, "not gzip"));
    pk_input_close(in);
    free(got);
    free(z);
}

Test(input, open_errors_name_the_file)
{
    pk_input *in = (pk_input *)1;
    pk_diag d = {0};
    cr_assert_eq(pk_input_open("/nonexistent/x.folded", &in, &d), PK_ENOENT);
    cr_assert_null(in);
    cr_assert_str_eq(d.file, "/nonexistent/x.folded");
    cr_assert(strstr(d.message, "cannot open"));
    cr_assert_eq(pk_input_open(tmpdir, &in, &d), PK_EINVAL);
    cr_assert(strstr(d.message, "is a directory"));
    cr_assert_eq(pk_input_open("x", NULL, &d), PK_EINVAL);
    pk_input_close(NULL);
}

Test(input, every_allocation_failing_is_clean)
{
    size_t len = 200000;
    char *t = text_of(len);
    size_t zlen;
    unsigned char *z = gzip_of(t, len, &zlen);
    put_file(path, z, zlen);
    fault_arm(-1);
    pk_input *in;
    cr_assert_eq(pk_input_open(path, &in, NULL), PK_OK);
    size_t n;
    pk_err e;
    free(read_all(in, &n, &e));
    pk_input_close(in);
    long total = fault_requests();
    cr_assert_gt(total, 2);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_err oe = pk_input_open(path, &in, NULL);
        if (oe == PK_OK) {
            char *got = read_all(in, &n, &e);
            cr_assert(e == PK_OK || e == PK_ENOMEM, "k=%ld: %d", k, e);
            cr_assert(e != PK_OK || (n == len && memcmp(got, t, len) == 0));
            free(got);
            pk_input_close(in);
        } else {
            cr_assert_eq(oe, PK_ENOMEM);
            cr_assert_null(in);
        }
        cr_assert_eq(fault_live(), 0, "k=%ld leaks", k);
    }
    fault_disarm();
    free(z);
    free(t);
}
