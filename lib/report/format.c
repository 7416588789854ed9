/* format.c — names of the output formats (format.h). */
#include "perfkit/format.h"

#include <string.h>

static const char *const names[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = "text",   [PK_FORMAT_JSON] = "json",
    [PK_FORMAT_MARKDOWN] = "markdown", [PK_FORMAT_JUNIT] = "junit",
    [PK_FORMAT_CSV] = "csv",     [PK_FORMAT_HYPERFINE_JSON] = "hyperfine-json",
};

const char *pk_format_name(pk_format f)
{
    return (unsigned)f < PK_FORMAT_COUNT ? names[f] : "unknown";
}

pk_err pk_format_parse(const char *name, pk_format *out)
{
    for (unsigned i = 0; name && out && i < PK_FORMAT_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (pk_format)i;
            return PK_OK;
        }
    return PK_EINVAL;
}
