/* profile/folded_int.h — the folded profile's inside, shared by the files of
 * lib/profile (folded.c, flame.c, diff.c, export.c); not installed.
 *
 * Stacks are stored once each in an arena of blocks that never move, so
 * the hash table (core/hash.h) can borrow them as keys. The prefix tree the
 * renderers walk is built on demand from the sorted stacks: nodes in
 * depth-first preorder, children sorted by name, each node knowing the end
 * of its subtree, so a renderer lays frames out left to right in one pass. */
#ifndef PK_PROFILE_FOLDED_INT_H
#define PK_PROFILE_FOLDED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hash.h"
#include "perfkit/folded.h"

typedef struct pk__fstack {
    const char *text;   /* in the arena; not NUL-terminated */
    uint32_t len;
    double count[2];
} pk__fstack;

typedef struct pk__fblock {
    struct pk__fblock *next;
    size_t used, cap;
    char data[];
} pk__fblock;

struct pk_folded {
    pk__hash index;        /* stack text → index in stacks */
    pk__fstack *stacks;
    size_t n, cap;
    pk__fblock *arena;     /* newest first */
    double total[2];
    bool has[2];
};

typedef struct pk__fnode {
    const char *name;   /* borrowed from the profile's arena */
    uint32_t len;
    uint32_t depth;     /* 0: the root (the whole profile, no name) */
    uint32_t parent;    /* index; the root's is 0 */
    uint32_t end;       /* one past the last node of this subtree */
    double total[2];    /* samples in this frame and below, per slot */
    double self[2];     /* samples in this frame itself */
} pk__fnode;

typedef struct pk__ftree {
    pk__fnode *nodes;   /* nodes[0] is the root */
    size_t n;
    uint32_t max_depth;
    char *scratch;      /* reversed stacks (reverse mode), owned */
} pk__ftree;

/* Build the prefix tree of p; reverse: stacks leaf first ("callers of").
 * Errors: PK_ENOMEM (t empty). */
pk_err pk__folded_tree(const pk_folded *p, bool reverse, pk__ftree *t);
void   pk__folded_tree_free(pk__ftree *t);

/* Append s[0..len-1] to b as valid UTF-8: invalid UTF-8 bytes and control
 * characters become U+FFFD; mode adds XML or JSON string escaping. */
enum { PK__ESC_XML, PK__ESC_JSON, PK__ESC_UTF8 };
struct pk__buf;
pk_err pk__folded_escape(struct pk__buf *b, const char *s, size_t len, int mode);

/* A count as text: integer when whole, else %.6g. buf >= 32 bytes. */
const char *pk__folded_num(double v, char *buf, size_t len);

#endif
