/* mem_prog.c — bench/mem.sh's programs: `alloc N` and `mixed N`.
 *
 * alloc: allocation-heavy. N rounds; each round builds a 1000-node binary
 * search tree of small nodes (24..88 bytes) with a string buffer per node
 * that is realloc'd twice, frees half of the tree, keeps the rest until
 * the end of the round; every 64th round's tree is kept alive (a growing
 * heap, so the peak is late), the rest freed. About 3.5 allocation events
 * per node: N = 600 is ~2.1 M events.
 * mixed: the same allocations at a tenth of the rate, with arithmetic
 * between them (a program that also computes). Output: a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    struct node *l, *r;
    uint64_t key;
    char *text;
} node;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static node *insert(node *t, node *n)
{
    node **p = &t;
    while (*p)
        p = n->key < (*p)->key ? &(*p)->l : &(*p)->r;
    *p = n;
    return t;
}

static void drop(node *t)
{
    if (!t)
        return;
    drop(t->l);
    drop(t->r);
    free(t->text);
    free(t);
}

static volatile uint64_t sink;

static void work(unsigned spin)
{
    uint64_t x = sink;
    for (unsigned i = 0; i < spin; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    sink = x;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return fprintf(stderr, "usage: mem_prog alloc|mixed N\n"), 2;
    unsigned spin = strcmp(argv[1], "mixed") == 0 ? 2000 : 0;
    int rounds = atoi(argv[2]);
    node *kept = NULL;
    uint64_t sum = 0;
    for (int r = 0; r < rounds; r++) {
        node *t = NULL;
        for (int i = 0; i < 1000; i++) {
            node *n = calloc(1, sizeof *n + (next() % 8) * 8);
            n->key = next();
            size_t len = 8 + next() % 32;
            n->text = malloc(len);
            n->text = realloc(n->text, len * 2);
            n->text = realloc(n->text, len * 3);
            memset(n->text, 'a' + i % 26, len);
            sum += n->key >> 60;
            t = insert(t, n);
            if (spin)
                work(spin);
        }
        if (r % 64 == 0) {
            node *n = malloc(sizeof *n);
            *n = (node){.l = kept, .r = t, .key = (uint64_t)r, .text = NULL};
            kept = n;
        } else {
            drop(t);
        }
    }
    drop(kept);
    printf("%llu\n", (unsigned long long)(sum + sink % 2));
    return 0;
}
