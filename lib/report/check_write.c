/* check_write.c — pk_check_write: the one entry point of the check
 * writers, a table from pk_format to writer (check_write.h). A format the
 * table lacks is PK_ENOTSUP; a new format is one more row. */
#include "perfkit/check_write.h"

typedef pk_err (*check_writer)(FILE *f, const pk_check_report *r, const pk_write_opts *o);

static pk_err json(FILE *f, const pk_check_report *r, const pk_write_opts *o)
{
    (void)o;
    return pk_check_write_json(f, r);
}

static pk_err markdown(FILE *f, const pk_check_report *r, const pk_write_opts *o)
{
    (void)o;
    return pk_check_write_markdown(f, r);
}

static pk_err junit(FILE *f, const pk_check_report *r, const pk_write_opts *o)
{
    (void)o;
    return pk_check_write_junit(f, r);
}

static const check_writer writers[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = pk_check_write_text,
    [PK_FORMAT_JSON] = json,
    [PK_FORMAT_MARKDOWN] = markdown,
    [PK_FORMAT_JUNIT] = junit,
};

pk_err pk_check_write(FILE *f, const pk_check_report *r, pk_format fmt, const pk_write_opts *o)
{
    if ((unsigned)fmt >= PK_FORMAT_COUNT || !writers[fmt])
        return PK_ENOTSUP;
    return writers[fmt](f, r, o);
}
