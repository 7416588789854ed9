/* figure.c — the unit kind of a figure name, so budgets can check that a
 * limit carries the right unit ("wall" wants a duration, "rss" a size).
 * Names follow resultset.h: perfkit's own figures and Google Benchmark's
 * time columns; anything else (counters, user counters) is a plain count. */
#include "perfkit/config.h"

#include <string.h>

pk_unit_kind pk_figure_kind(const char *figure)
{
    static const char *const durations[] = {"wall",     "user",     "sys",
                                            "real_time", "cpu_time", "task-clock"};
    if (!figure)
        return PK_UNIT_COUNT;
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
        if (strcmp(figure, durations[i]) == 0)
            return PK_UNIT_DURATION;
    if (strcmp(figure, "rss") == 0)
        return PK_UNIT_SIZE;
    return PK_UNIT_COUNT;
}
