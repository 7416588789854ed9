/* figure.c — the one table of figures (figure.h): unit kind, direction,
 * whether the figure is an exact count, and its default comparison.
 *
 * One list (FIGURES) makes both the table and the names for "did you mean";
 * a figure's default test and threshold follow from whether it is
 * deterministic, so that rule is written once. Lookup is a linear scan of a
 * dozen rows (called per budget and per series, never per sample). Names
 * outside the table are classified by pattern: a rate (ending in
 * "_per_second" or "/s") is higher-is-better, anything else a plain
 * lower-is-better count. The words for a change (pk_figure_change_word)
 * follow from the kind and direction, so every writer says "slower" of a
 * time and "larger" of a size. */
#include "perfkit/figure.h"

#include <string.h>

#define DUR PK_UNIT_DURATION
#define SIZE PK_UNIT_SIZE
#define COUNT PK_UNIT_COUNT
#define LOWER PK_LOWER_IS_BETTER
#define HIGHER PK_HIGHER_IS_BETTER

/*   name                kind   direction  deterministic */
#define FIGURES(X)                                                                        \
    X("wall",             DUR,   LOWER,     false)                                        \
    X("user",             DUR,   LOWER,     false)                                        \
    X("sys",              DUR,   LOWER,     false)                                        \
    X("rss",              SIZE,  LOWER,     false)                                        \
    X("real_time",        DUR,   LOWER,     false)                                        \
    X("cpu_time",         DUR,   LOWER,     false)                                        \
    X("task-clock",       DUR,   LOWER,     false)                                        \
    X("instructions",     COUNT, LOWER,     true)                                         \
    X("items_per_second", COUNT, HIGHER,    false)                                        \
    X("bytes_per_second", COUNT, HIGHER,    false)                                        \
    X("iterations",       COUNT, HIGHER,    false)                                        \
    X("raw",              SIZE,  LOWER,     true)                                         \
    X("gzip",             SIZE,  LOWER,     true)                                         \
    X("brotli",           SIZE,  LOWER,     true)                                         \
    X("zstd",             SIZE,  LOWER,     true)                                         \
    X("heap.peak",        SIZE,  LOWER,     true)                                         \
    X("heap.leaked",      SIZE,  LOWER,     true)                                         \
    X("allocs.count",     COUNT, LOWER,     true)                                         \
    X("allocs.bytes",     SIZE,  LOWER,     true)

/* The defaults follow from determinism: exact counts get the exact test and
 * no threshold, noisy figures a rank test and the one default threshold. */
#define ROW(name, kind, dir, det)                                                          \
    {name, kind, dir, det, (det) ? PK_TEST_EXACT : PK_TEST_MANN_WHITNEY,                   \
     (det) ? 0.0 : PK_DEFAULT_THRESHOLD, (det) ? PK_DEFAULT_PAIRED_EXACT_THRESHOLD : PK_DEFAULT_PAIRED_THRESHOLD},
#define NAME(name, kind, dir, det) name,

static const pk_figure_info table[] = {FIGURES(ROW)};
static const char *const names[] = {FIGURES(NAME)};

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
    bool rate = figure && (ends_with(figure, "_per_second") || ends_with(figure, "/s"));
    static const pk_figure_info plain[] = {ROW(NULL, COUNT, LOWER, false)};
    *out = plain[0];
    out->name = figure;
    out->direction = rate ? HIGHER : LOWER;
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

void pk_figure_compare_opts(const char *figure, pk_compare_opts *o)
{
    if (!o)
        return;
    pk_figure_info fi;
    pk_figure_lookup(figure, &fi);
    if (o->threshold == PK_THRESHOLD_AUTO)
        o->threshold = fi.threshold;
    if (fi.deterministic && o->method == PK_TEST_MANN_WHITNEY)
        o->method = fi.method;
}

void pk_figure_paired_compare_opts(const char *figure, pk_compare_opts *o)
{
    if (!o)
        return;
    if (o->threshold == PK_THRESHOLD_AUTO) {
        pk_figure_info fi;
        pk_figure_lookup(figure, &fi);
        o->threshold = fi.paired_threshold;
    }
    pk_figure_compare_opts(figure, o);
}

pk_change pk_figure_change(const char *figure, pk_verdict v)
{
    if (v != PK_VERDICT_FASTER && v != PK_VERDICT_SLOWER)
        return PK_CHANGE_NONE;
    bool larger = v == PK_VERDICT_SLOWER;
    bool higher_better = pk_figure_direction(figure) == PK_HIGHER_IS_BETTER;
    return larger == higher_better ? PK_CHANGE_BETTER : PK_CHANGE_WORSE;
}

const char *pk_figure_change_word(const char *figure, pk_verdict v)
{
    if (v != PK_VERDICT_FASTER && v != PK_VERDICT_SLOWER)
        return "";
    bool larger = v == PK_VERDICT_SLOWER;
    pk_figure_info fi;
    pk_figure_lookup(figure, &fi);
    switch (fi.kind) {
    case PK_UNIT_SIZE:
        return larger ? "larger" : "smaller";
    case PK_UNIT_COUNT:
        if (fi.direction == PK_HIGHER_IS_BETTER)   /* a rate: more per second is faster */
            return larger ? "faster" : "slower";
        return larger ? "more" : "fewer";
    case PK_UNIT_DURATION:
    case PK_UNIT_PERCENT:
        break;
    }
    return larger ? "slower" : "faster";
}

const char *const *pk_figure_names(size_t *n)
{
    if (n)
        *n = N_TABLE;
    return names;
}
