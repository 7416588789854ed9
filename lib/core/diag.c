/* diag.c — located diagnostics and "did you mean" suggestions.
 * The suggestion is the candidate at the smallest Levenshtein distance, kept
 * only when the distance is small enough to be a typo. */
#include "perfkit/diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "perfkit/alloc.h"

void pk_diag_set(pk_diag *d, const char *file, unsigned line, unsigned column,
                 const char *fmt, ...)
{
    if (!d)
        return;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

void pk_diag_list_init(pk_diag_list *l)
{
    if (l)
        memset(l, 0, sizeof *l);
}

void pk_diag_list_clear(pk_diag_list *l)
{
    if (!l)
        return;
    pk_free(l->items);
    memset(l, 0, sizeof *l);
}

/* Whether a comes before b: file, then line, then column. */
static bool before(const pk_diag *a, const pk_diag *b)
{
    int f = strcmp(a->file, b->file);
    if (f != 0)
        return f < 0;
    return a->line != b->line ? a->line < b->line : a->column < b->column;
}

pk_err pk_diag_list_add(pk_diag_list *l, const pk_diag *d)
{
    if (!l || !d)
        return PK_EINVAL;
    if (!l->items && !(l->items = pk_calloc(PK_DIAG_LIST_MAX, sizeof *l->items))) {
        l->more++;
        return PK_ENOMEM;
    }
    size_t at = l->n;   /* after every kept one not after d: stable */
    while (at > 0 && before(d, &l->items[at - 1]))
        at--;
    if (at == PK_DIAG_LIST_MAX) {
        l->more++;
        return PK_OK;
    }
    if (l->n == PK_DIAG_LIST_MAX) {
        l->more++;   /* the last kept one gives way */
        l->n--;
    }
    memmove(&l->items[at + 1], &l->items[at], (l->n - at) * sizeof *l->items);
    l->items[at] = *d;
    l->n++;
    return PK_OK;
}

char *pk_diag_format(const pk_diag *d, char *buf, size_t len)
{
    if (!len)
        return buf;
    if (d->file[0] && d->line && d->column)
        snprintf(buf, len, "%s:%u:%u: %s", d->file, d->line, d->column, d->message);
    else if (d->file[0] && d->line)
        snprintf(buf, len, "%s:%u: %s", d->file, d->line, d->message);
    else if (d->file[0])
        snprintf(buf, len, "%s: %s", d->file, d->message);
    else
        snprintf(buf, len, "%s", d->message);
    return buf;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[65];
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *pk_diag_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    if (!word)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best && best_d <= (strlen(word) > 6 ? 3u : 2u) ? best : NULL;
}
