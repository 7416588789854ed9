/* figure.c — the one table of figures (figure.h): unit kind, direction,
 * whether the figure is an exact count, and its default comparison.
 *
 * A short static table looked up by name with a linear scan (a dozen rows;
 * called per budget and per series, never per sample). Names outside the
 * table are classified by pattern: a rate (names ending in "_per_second" or "/s") is
 * higher-is-better, anything else a plain lower-is-better count. */
#include "perfkit/figure.h"

#include <string.h>

#define NOISY(n, k)                                                                      \
    {n, k, PK_LOWER_IS_BETTER, false, PK_TEST_MANN_WHITNEY, PK_DEFAULT_THRESHOLD}

static const pk_figure_info table[] = {
    NOISY("wall", PK_UNIT_DURATION),
    NOISY("user", PK_UNIT_DURATION),
    NOISY("sys", PK_UNIT_DURATION),
    NOISY("rss", PK_UNIT_SIZE),
    NOISY("real_time", PK_UNIT_DURATION),
    NOISY("cpu_time", PK_UNIT_DURATION),
    NOISY("task-clock", PK_UNIT_DURATION),
    {"instructions", PK_UNIT_COUNT, PK_LOWER_IS_BETTER, true, PK_TEST_EXACT, 0.0},
};

#define N_TABLE (sizeof table / sizeof table[0])

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

void pk_figure_lookup(const char *figure, pk_figure_info *out)
{
    if (!out)
        return;
    for (size_t i = 0; figure && i < N_TABLE; i++)
        if (strcmp(figure, table[i].name) == 0) {
            *out = table[i];
            return;
        }
    *out = (pk_figure_info)NOISY(figure, PK_UNIT_COUNT);
    if (figure && (ends_with(figure, "_per_second") || ends_with(figure, "/s")))
        out->direction = PK_HIGHER_IS_BETTER;
}

pk_unit_kind pk_figure_kind(const char *figure)
{
    pk_figure_info fi;
    pk_figure_lookup(figure, &fi);
    return fi.kind;
}

pk_direction pk_figure_direction(const char *figure)
{
    pk_figure_info fi;
    pk_figure_lookup(figure, &fi);
    return fi.direction;
}

bool pk_figure_deterministic(const char *figure)
{
    pk_figure_info fi;
    pk_figure_lookup(figure, &fi);
    return fi.deterministic;
}

const char *const *pk_figure_names(size_t *n)
{
    static const char *const names[N_TABLE] = {
        "wall", "user", "sys", "rss", "real_time", "cpu_time", "task-clock", "instructions",
    };
    if (n)
        *n = N_TABLE;
    return names;
}
