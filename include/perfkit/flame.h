/* perfkit/flame.h — renderings of a folded profile (perfkit/folded.h): an
 * interactive flame graph SVG, a differential one, the table of the top
 * changes, speedscope JSON and pprof (profile.proto, gzipped).
 *
 *   pk_folded *p; pk_folded_new(&p); pk_folded_read(p, NULL, stdin, "-", &d);
 *   pk_flame_opts o; pk_flame_opts_init(&o); o.title = "my program";
 *   pk_flame_write_svg(p, &o, stdout, &stats);
 *
 * Writers only write: they never print elsewhere, never exit. Every writer
 * reads the profile and leaves it unchanged. Thread-safety: concurrent
 * writers on one profile are safe (nobody modifies it meanwhile). */
#ifndef PERFKIT_FLAME_H
#define PERFKIT_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/error.h"
#include "perfkit/folded.h"

PK_BEGIN_DECLS

/* Colours of a plain graph, FlameGraph's palettes: a hash of the name picks
 * the shade, so a function has one colour in every graph. */
typedef enum pk_flame_palette {
    PK_FLAME_HOT = 0,   /* reds and yellows (CPU) */
    PK_FLAME_MEM,       /* greens (allocations) */
    PK_FLAME_IO,        /* blues (I/O, off-CPU) */
    PK_FLAME_KIND,      /* by what a frame is: kernel `_[k]` orange, JIT `_[j]`
                           and Java `a/b/C.m` green, inlined `_[i]` aqua, C++
                           `a::b` yellow, the rest red */
} pk_flame_palette;

typedef struct pk_flame_opts {
    const char *title;       /* default "Flame Graph" ("Differential Flame Graph") */
    const char *subtitle;    /* a second line under the title; NULL: none */
    const char *count_name;  /* what a count is: "samples" (default), "bytes"... */
    unsigned width;          /* SVG width in px; default 1200, 200..100000 */
    unsigned frame_height;   /* px per frame; default 16, 8..64 */
    double min_width;        /* frames narrower than this (px) are pruned; default 0.1 */
    bool inverted;           /* icicle: root at the top */
    bool reverse;            /* stacks leaf first (merges callers of each function) */
    bool diff;               /* differential: slot 0 before, slot 1 after; width
                                before + after, colour by the change */
    unsigned slot;           /* the slot a plain graph shows; default 1 */
    pk_flame_palette palette;   /* plain graphs; default PK_FLAME_HOT */
} pk_flame_opts;

void pk_flame_opts_init(pk_flame_opts *o);

/* What the SVG writer drew and left out: pruned frames are never dropped
 * silently — the SVG says so too. */
typedef struct pk_flame_stats {
    size_t frames;          /* frames drawn (the root "all" included) */
    size_t pruned;          /* frames not drawn: narrower than min_width, or
                               above such a frame */
    double pruned_count;    /* the counts of the narrow frames (their whole
                               subtrees); their parents' widths include them */
} pk_flame_stats;

/* Write the flame graph as a self-contained SVG (script and style inside, no
 * network): tooltips, click to zoom, search with "matched %", reset, URL
 * parameters ?s=REGEX (search) and ?f=NAME (zoom to the widest frame of
 * that name). stats (may be NULL) receives what was drawn. Errors:
 * PK_EINVAL (an option out of range), PK_ENOMEM, PK_EIO (a write failed). */
pk_err pk_flame_write_svg(const pk_folded *p, const pk_flame_opts *o, FILE *f,
                          pk_flame_stats *stats);

/* speedscope's file format (https://www.speedscope.app/file-format-schema.json):
 * one "sampled" profile per slot present (before, after), each distinct
 * stack one sample weighted by its count. Errors: PK_EINVAL, PK_ENOMEM, PK_EIO. */
pk_err pk_flame_write_speedscope(const pk_folded *p, const pk_flame_opts *o, FILE *f);

/* pprof: a gzipped profile.proto Profile with one sample type
 * (count_name, "count"), a function and location per distinct frame name,
 * a sample per distinct stack (counts rounded to integers) of slot o->slot.
 * Errors: PK_EINVAL, PK_ENOMEM, PK_EIO. */
pk_err pk_flame_write_pprof(const pk_folded *p, const pk_flame_opts *o, FILE *f);

/* One function's change between slot 0 (before) and slot 1 (after). total
 * counts a recursive function once per stack (its outermost frame). */
typedef struct pk_flame_change {
    const char *name;       /* borrowed from the profile; not NUL-terminated */
    size_t name_len;
    double self[2], total[2];
} pk_flame_change;

/* Every function of p with its self and total counts in both slots, sorted
 * by |after self - before self| (largest first, then by name). On PK_OK
 * *out (pk_free) holds *n changes. Errors: PK_EINVAL, PK_ENOMEM. */
pk_err pk_flame_changes(const pk_folded *p, pk_flame_change **out, size_t *n);

/* The text table of the top changes: the `top` largest by self, then by
 * total: function, before, after, delta, delta %. Errors: PK_EINVAL,
 * PK_ENOMEM, PK_EIO. */
pk_err pk_flame_write_changes(const pk_folded *p, size_t top, FILE *f);

PK_END_DECLS
#endif
