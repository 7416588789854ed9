/* memdemo — the program of docs/mem.md's walkthrough: a tiny word counter
 * with the usual memory bugs, for `perfkit mem` to find. It reads its
 * "config" into a buffer it never frees (a leak), formats each input line
 * into a temporary buffer (churn), indexes 200000 keys in an array that
 * grows by doubling (the peak: the array and the keys), and remembers the
 * longest key in a copy, dropping the old copy without freeing it (a
 * second, smaller leak). Deterministic: the same figures every run. Built
 * by `make` with frame pointers (build/examples/memdemo), no libperfkit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    size_t count;
} entry;

static char *longest;              /* the longest key seen, a copy */

__attribute__((noinline)) static char *read_config(void)
{
    char *cfg = malloc(4096);      /* never freed: leaked */
    if (cfg)
        snprintf(cfg, 4096, "keys=5000\n");
    return cfg;
}

__attribute__((noinline)) static char *format_line(unsigned i)
{
    char *line = malloc(64);       /* freed by the caller right away */
    if (line)
        snprintf(line, 64, "user%u visited page %u", i % 50000, i % 97);
    return line;
}

__attribute__((noinline)) static char *copy_key(const char *s, size_t n)
{
    char *k = malloc(n + 1);       /* freed at the end */
    if (k) {
        memcpy(k, s, n);
        k[n] = '\0';
    }
    return k;
}

__attribute__((noinline)) static entry *index_grow(entry *v, size_t *cap)
{
    *cap = *cap ? *cap * 2 : 1024;
    return realloc(v, *cap * sizeof *v);
}

__attribute__((noinline)) static void remember_longest(const char *key)
{
    if (!longest || strlen(key) > strlen(longest))
        longest = copy_key(key, strlen(key));   /* the previous copy is dropped: leaked */
}

int main(void)
{
    char *cfg = read_config();
    entry *v = NULL;
    size_t n = 0, cap = 0;
    for (unsigned i = 0; i < 200000; i++) {
        char *line = format_line(i);
        if (!line)
            return 1;
        if (n == cap && !(v = index_grow(v, &cap)))
            return 1;
        char word[64];
        size_t k = strcspn(line, " ");
        memcpy(word, line, k);
        free(line);                /* nothing allocated in between: a temporary */
        if (!(v[n].key = copy_key(word, k)))
            return 1;
        v[n].count = 1;
        remember_longest(v[n].key);
        n++;
    }
    printf("%zu keys, longest %s, config %s", n, longest, cfg);
    for (size_t i = 0; i < n; i++)
        free(v[i].key);
    free(v);
    free(longest);
    return 0;
}
