/* shellwords.c — split a command line into argv with POSIX sh quoting rules.
 *
 * One pass over the string with a small state machine (outside / in '' / in
 * ""). Word text is written into one buffer as large as the input (a word
 * never grows when quotes are removed), words are then copied into the argv.
 * Quotes mark a word as present even when empty (`a "" b` is three words).
 * Backslash-newline is a line continuation outside single quotes.
 * Reference: POSIX.1-2017 XCU 2.2 "Quoting", 2.3 "Token Recognition". */
#include <string.h>
#include "core/buf.h"
#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

void pk_shellwords_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        pk_free(*p);
    pk_free(argv);
}

/* Append the word buf[0..n) to *argv; false on ENOMEM. */
static int push(char ***argv, size_t *argc, size_t *cap, const char *buf, size_t n)
{
    if (*argc + 2 > *cap) {
        if (pk__grow((void **)argv, cap, *argc + 2, sizeof **argv) != PK_OK)
            return 0;
        (*argv)[*argc] = NULL;   /* keep it freeable if the copy below fails */
    }
    char *w = pk_strndup(buf, n);
    if (!w)
        return 0;
    (*argv)[(*argc)++] = w;
    (*argv)[*argc] = NULL;
    return 1;
}

pk_err pk_shellwords_split(const char *s, char ***argv_out, size_t *argc_out, size_t *err_col)
{
    if (argv_out)
        *argv_out = NULL;
    if (argc_out)
        *argc_out = 0;
    if (!s || !argv_out)
        return PK_EINVAL;

    size_t len = strlen(s);
    char *buf = pk_malloc(len + 1);
    if (!buf)
        return PK_ENOMEM;
    char **argv = NULL;
    size_t argc = 0, cap = 0, n = 0;
    int in_word = 0;
    pk_err e = PK_OK;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (is_blank(c)) {
            if (in_word && !push(&argv, &argc, &cap, buf, n)) {
                e = PK_ENOMEM;
                goto out;
            }
            in_word = 0;
            n = 0;
        } else if (c == '\\') {
            if (i + 1 == len) {
                if (err_col)
                    *err_col = i;
                e = PK_EPARSE;
                goto out;
            }
            if (s[i + 1] != '\n') {   /* backslash-newline: continuation */
                buf[n++] = s[i + 1];
                in_word = 1;
            }
            i++;
        } else if (c == '\'') {
            size_t open = i;
            const char *end = strchr(s + i + 1, '\'');
            if (!end) {
                if (err_col)
                    *err_col = open;
                e = PK_EPARSE;
                goto out;
            }
            size_t k = (size_t)(end - (s + i + 1));
            memcpy(buf + n, s + i + 1, k);
            n += k;
            i = (size_t)(end - s);
            in_word = 1;
        } else if (c == '"') {
            size_t open = i++;
            for (;; i++) {
                if (i >= len) {
                    if (err_col)
                        *err_col = open;
                    e = PK_EPARSE;
                    goto out;
                }
                if (s[i] == '"')
                    break;
                if (s[i] == '\\' && i + 1 < len && strchr("\"\\$`\n", s[i + 1])) {
                    if (s[i + 1] != '\n')
                        buf[n++] = s[i + 1];
                    i++;
                    continue;
                }
                buf[n++] = s[i];
            }
            in_word = 1;
        } else {
            buf[n++] = c;
            in_word = 1;
        }
    }
    if (in_word && !push(&argv, &argc, &cap, buf, n)) {
        e = PK_ENOMEM;
        goto out;
    }
    if (argc == 0)
        e = PK_EINVAL;
out:
    pk_free(buf);
    if (e != PK_OK) {
        pk_shellwords_free(argv);
        return e;
    }
    *argv_out = argv;
    if (argc_out)
        *argc_out = argc;
    return PK_OK;
}

char *pk_shellwords_subst(const char *s, const char *name, const char *value)
{
    if (!s)
        return NULL;
    if (!name || !value)
        return pk_strdup(s);
    size_t nl = strlen(name), vl = strlen(value), sl = strlen(s);

    /* Count matches first so the result is one exact allocation. */
    size_t hits = 0;
    for (const char *p = s; (p = strchr(p, '{'));) {
        if (strncmp(p + 1, name, nl) == 0 && p[1 + nl] == '}') {
            hits++;
            p += nl + 2;
        } else {
            p++;
        }
    }
    size_t out_len = sl;
    if (vl > nl + 2)
        out_len += hits * (vl - (nl + 2));
    else
        out_len -= hits * ((nl + 2) - vl);
    char *out = pk_malloc(out_len + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = s; *p;) {
        if (*p == '{' && strncmp(p + 1, name, nl) == 0 && p[1 + nl] == '}') {
            memcpy(o, value, vl);
            o += vl;
            p += nl + 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}
