/* globmatch.c — does a path belong to a glob pattern (core/file.h)?
 *
 * pk__glob expands with glob(3) (GLOB_BRACE | GLOB_TILDE); fnmatch(3) knows
 * neither braces nor ~, so a plain fnmatch would disagree with expansion
 * (`{a,b}.js` matches nothing). Here braces are expanded first, recursively
 * and in order (first top-level group with a top-level comma), a leading ~
 * becomes $HOME, and each alternative goes to fnmatch with FNM_PATHNAME |
 * FNM_PERIOD, the flags glob(3) applies. Expansion is bounded — at most
 * MAX_ALTERNATIVES alternatives tried and MAX_DEPTH groups deep (each level
 * holds a pattern-sized buffer on the stack) — so a hostile pattern cannot
 * explode or overflow a small thread stack; beyond the bounds it matches
 * nothing. */
#include "core/file.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATTERN 4096
#define MAX_ALTERNATIVES 4096
#define MAX_DEPTH 32   /* brace groups expanded one inside another (4 KiB of stack each) */

typedef struct matcher {
    const char *path;
    size_t tried;
    int depth;
} matcher;

/* Index of the '}' closing the '{' at s[open], or 0 when unbalanced. */
static size_t closing(const char *s, size_t open)
{
    int depth = 0;
    for (size_t i = open; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1]) {
            i++;
        } else if (s[i] == '{') {
            depth++;
        } else if (s[i] == '}' && --depth == 0) {
            return i;
        }
    }
    return 0;
}

/* The first brace group with a comma at its top level, as glob(3) expands. */
static int find_group(const char *s, size_t *open, size_t *close)
{
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (s[i] != '{')
            continue;
        size_t c = closing(s, i);
        if (!c)
            return 0;
        int depth = 0;
        for (size_t k = i + 1; k < c; k++) {
            if (s[k] == '\\' && s[k + 1])
                k++;
            else if (s[k] == '{')
                depth++;
            else if (s[k] == '}')
                depth--;
            else if (s[k] == ',' && depth == 0) {
                *open = i;
                *close = c;
                return 1;
            }
        }
        i = c;   /* "{x}" without a comma stays literal */
    }
    return 0;
}

static int match_one(matcher *m, const char *pat)
{
    if (++m->tried > MAX_ALTERNATIVES || m->depth >= MAX_DEPTH)
        return 0;
    size_t open, close;
    if (!find_group(pat, &open, &close))
        return fnmatch(pat, m->path, FNM_PATHNAME | FNM_PERIOD) == 0;
    size_t len = strlen(pat);
    char buf[MAX_PATTERN];
    size_t start = open + 1;
    int depth = 0;
    for (size_t k = open + 1; k <= close; k++) {
        if (pat[k] == '\\' && k + 1 < close) {
            k++;
            continue;
        }
        if (pat[k] == '{')
            depth++;
        else if (pat[k] == '}' && k < close)
            depth--;
        if (!(k == close || (pat[k] == ',' && depth == 0)))
            continue;
        size_t alt = k - start, tail = len - close - 1;
        if (open + alt + tail + 1 > sizeof buf)
            return 0;
        memcpy(buf, pat, open);
        memcpy(buf + open, pat + start, alt);
        memcpy(buf + open + alt, pat + close + 1, tail + 1);
        m->depth++;
        int hit = match_one(m, buf);
        m->depth--;
        if (hit)
            return 1;
        start = k + 1;
    }
    return 0;
}

int pk__glob_match(const char *pattern, const char *path)
{
    if (!pattern || !path)
        return 0;
    if (strcmp(pattern, path) == 0)
        return 1;
    char buf[MAX_PATTERN];
    const char *home = getenv("HOME");
    if (pattern[0] == '~' && (pattern[1] == '/' || !pattern[1]) && home) {
        int n = snprintf(buf, sizeof buf, "%s%s", home, pattern + 1);
        if (n < 0 || (size_t)n >= sizeof buf)
            return 0;
        pattern = buf;
    } else if (strlen(pattern) >= sizeof buf) {
        return 0;
    }
    matcher m = {path, 0, 0};
    return match_one(&m, pattern);
}
