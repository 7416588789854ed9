/* format.c — names of the output formats, time units and sort orders
 * (format.h): the spellings hyperfine uses, and perfkit's short ones. */
#include "perfkit/format.h"

#include <string.h>

static const char *const names[PK_FORMAT_COUNT] = {
    [PK_FORMAT_TEXT] = "text",   [PK_FORMAT_JSON] = "json",
    [PK_FORMAT_MARKDOWN] = "markdown", [PK_FORMAT_JUNIT] = "junit",
    [PK_FORMAT_CSV] = "csv",     [PK_FORMAT_HYPERFINE_JSON] = "hyperfine-json",
    [PK_FORMAT_ASCIIDOC] = "asciidoc", [PK_FORMAT_ORGMODE] = "orgmode",
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

pk_err pk_time_unit_parse(const char *name, pk_time_unit *out)
{
    static const struct {
        const char *name;
        pk_time_unit unit;
    } units[] = {
        {"microsecond", PK_TIME_UNIT_US}, {"us", PK_TIME_UNIT_US}, {"\xc2\xb5s", PK_TIME_UNIT_US},
        {"millisecond", PK_TIME_UNIT_MS}, {"ms", PK_TIME_UNIT_MS},
        {"second", PK_TIME_UNIT_S},       {"s", PK_TIME_UNIT_S},
    };
    for (size_t i = 0; name && out && i < sizeof units / sizeof units[0]; i++)
        if (strcmp(name, units[i].name) == 0) {
            *out = units[i].unit;
            return PK_OK;
        }
    return PK_EINVAL;
}

pk_err pk_sort_order_parse(const char *name, pk_sort_order *out)
{
    if (!name || !out)
        return PK_EINVAL;
    if (strcmp(name, "auto") == 0 || strcmp(name, "command") == 0)
        *out = PK_SORT_INPUT;
    else if (strcmp(name, "mean-time") == 0)
        *out = PK_SORT_MEAN;
    else
        return PK_EINVAL;
    return PK_OK;
}
