/* bench_write.c — the one writer interface of a command benchmark
 * (report.h): a table from pk_format to the writer of that format, so a new
 * format is one more row and a caller never names a writer function. */
#include "report/report_int.h"

typedef pk_err (*bench_writer)(FILE *, const pk_bench_report *, const pk_write_opts *);

static const bench_writer writers[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = pk__report_bench_text,
    [PK_FORMAT_JSON] = pk__report_bench_json,
    [PK_FORMAT_HYPERFINE_JSON] = pk__report_bench_hyperfine,
    [PK_FORMAT_CSV] = pk__report_bench_csv,
    [PK_FORMAT_MARKDOWN] = pk__report_bench_markdown,
    [PK_FORMAT_ASCIIDOC] = pk__report_bench_asciidoc,
    [PK_FORMAT_ORGMODE] = pk__report_bench_orgmode,
};

pk_err pk_bench_report_write(FILE *f, const pk_bench_report *r, pk_format fmt,
                             const pk_write_opts *o)
{
    if (!f || !r)
        return PK_EINVAL;
    if ((unsigned)fmt >= PK_FORMAT_COUNT || !writers[fmt])
        return PK_ENOTSUP;
    return writers[fmt](f, r, o);
}
