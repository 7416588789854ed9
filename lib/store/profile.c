/* profile.c — profiles stored with runs: pk_store_put_profile and
 * pk_store_get_profile, backend-neutral.
 *
 * A profile is folded text (perfkit/folded.h), highly repetitive — the same
 * frame names on every line — so it is kept as a zlib stream: a recording
 * of a few thousand distinct stacks shrinks about tenfold. Compression is
 * done here, once for every backend; a backend stores the stream and the
 * text's length. On reading, a stream that does not inflate to exactly
 * the recorded length is damage (PK_ECORRUPT), never a short profile. */
#include <inttypes.h>
#include <string.h>
#include <zlib.h>

#include "perfkit/alloc.h"
#include "store/store_int.h"

/* Profiles larger than this are refused: zlib's sizes are uLong, and a
 * folded profile of a gigabyte is a mistake, not a recording. */
#define PROFILE_MAX ((size_t)1 << 30)

static bool valid_name(const char *s)
{
    return s && s[0];
}

pk_err pk_store_put_profile(pk_store *s, int64_t run_id, const char *benchmark,
                            const char *kind, const char *folded, size_t len)
{
    if (!s)
        return PK_EINVAL;
    s->err[0] = '\0';
    if (!valid_name(benchmark) || !valid_name(kind) || (!folded && len) || len > PROFILE_MAX)
        return pk__store_fail(s, PK_EINVAL, "put_profile: invalid argument");
    if (run_id <= 0)
        return pk__store_fail(s, PK_ENOENT, "no run %" PRId64 " in history", run_id);
    uLongf cap = compressBound((uLong)len);
    Bytef *z = pk_malloc(cap ? cap : 1);
    if (!z)
        return pk__store_fail(s, PK_ENOMEM, "out of memory compressing a profile");
    int zr = compress2(z, &cap, (const Bytef *)(folded ? folded : ""), (uLong)len, 6);
    pk_err e = zr == Z_OK ? s->be->put_profile(s, run_id, benchmark, kind, z, cap, len)
                          : pk__store_fail(s, PK_ENOMEM, "compressing a profile: zlib error %d",
                                           zr);
    pk_free(z);
    return e;
}

pk_err pk_store_get_profile(pk_store *s, int64_t run_id, const char *benchmark,
                            const char *kind, char **folded, size_t *len)
{
    if (folded)
        *folded = NULL;
    if (len)
        *len = 0;
    if (!s)
        return PK_EINVAL;
    s->err[0] = '\0';
    if (!valid_name(benchmark) || !valid_name(kind) || !folded || !len)
        return pk__store_fail(s, PK_EINVAL, "get_profile: invalid argument");
    void *data = NULL;
    size_t data_len = 0, size = 0;
    pk_err e = s->be->get_profile(s, run_id, benchmark, kind, &data, &data_len, &size);
    if (e != PK_OK)
        return e;
    char *text = size <= PROFILE_MAX ? pk_malloc(size + 1) : NULL;
    if (!text) {
        pk_free(data);
        return size <= PROFILE_MAX
                   ? pk__store_fail(s, PK_ENOMEM, "out of memory reading a profile")
                   : pk__store_fail(s, PK_ECORRUPT, "the %s profile of '%s' in run %" PRId64
                                    " is damaged (size %zu)", kind, benchmark, run_id, size);
    }
    uLongf out = (uLongf)size;
    int zr = uncompress((Bytef *)text, &out, data, (uLong)data_len);
    pk_free(data);
    if (zr != Z_OK || out != size) {
        pk_free(text);
        if (zr == Z_MEM_ERROR)
            return pk__store_fail(s, PK_ENOMEM, "out of memory reading a profile");
        return pk__store_fail(s, PK_ECORRUPT, "the %s profile of '%s' in run %" PRId64
                              " is damaged", kind, benchmark, run_id);
    }
    text[size] = '\0';
    *folded = text;
    *len = size;
    return PK_OK;
}
