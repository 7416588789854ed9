/* shellwords.c — split a command line into argv with POSIX sh quoting rules.
 *
 * One pass over the string with a small state machine (outside / in '' / in
 * ""). Word text is written into one buffer as large as the input (a word
 * never grows when quotes are removed), words are then copied into the argv.
 * Quotes mark a word as present even when empty (`a "" b` is three words).
 * Backslash-newline is a line continuation outside single quotes. The same
 * pass can note the first piece of shell syntax it passes on as text (an
 * unquoted `|`, a `$(` even inside "..."): only the splitter knows what was
 * quoted, so the check for "this needs --shell" lives here, not in a second
 * scanner that could disagree with it.
 * Reference: POSIX.1-2017 XCU 2.2 "Quoting", 2.3 "Token Recognition". */
#include <stdbool.h>
#include <stdio.h>
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

/* ---- shell syntax the splitter passes on as text ------------------------ */

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* The expansion a `$` at s[i] starts ("$(", "${", "$HOME", "$?"), or 0
 * when the shell too takes it as a plain `$`. Length into *n. */
static int dollar_syntax(const char *s, size_t i, size_t *n)
{
    char c = s[i + 1];
    if (c == '(' || c == '{') {
        *n = 2;
        return 1;
    }
    if (is_name_start(c)) {
        size_t k = i + 1;
        while (is_name_char(s[k]))
            k++;
        *n = k - i;
        return 1;
    }
    if ((c >= '0' && c <= '9') || (c && strchr("?#@*$!-", c))) {
        *n = 2;
        return 1;
    }
    return 0;
}

/* The operator or expansion an unquoted, unescaped s[i] starts, or 0;
 * word_start: s[i] begins a word. Length into *n. */
static int plain_syntax(const char *s, size_t i, int word_start, size_t *n)
{
    char c = s[i];
    *n = 1;
    switch (c) {
    case '|': case '&': case ';': case '>': case '<':
        /* ||, &&, ;;, >>, <<, >&, <&, >|, <> */
        if (s[i + 1] == c || ((c == '>' || c == '<') && strchr("&|>", s[i + 1])))
            *n = 2;
        return 1;
    case '(': case ')': case '`': case '*': case '?':
        return 1;
    case '$':
        return dollar_syntax(s, i, n);
    case '~': case '#':
        return word_start;
    case '\n': {   /* a line break ends a command, unless only blanks follow */
        size_t k = i + 1;
        while (is_blank(s[k]))
            k++;
        return s[k] != '\0';
    }
    default:
        return 0;
    }
}

/* Record the first piece of syntax: s[i..i+n) in word w. */
static void note_syntax(pk_shellwords_syntax *syn, const char *s, size_t i, size_t n, size_t w)
{
    if (!syn || syn->token[0])
        return;
    if (n >= sizeof syn->token)
        n = sizeof syn->token - 1;
    memcpy(syn->token, s + i, n);
    syn->token[n] = '\0';
    syn->col = i;
    syn->word = w;
}

/* The splitter: one pass with a small state machine. Words go to *argv;
 * with syn, the first piece of shell syntax outside quotes (or a `$` or `
 * expansion inside "...") is recorded there. */
static pk_err split(const char *s, char ***argv_out, size_t *argc_out, size_t *err_col,
                    pk_shellwords_syntax *syn)
{
    size_t len = strlen(s);
    char *buf = pk_malloc(len + 1);
    if (!buf)
        return PK_ENOMEM;
    char **argv = NULL;
    size_t argc = 0, cap = 0, n = 0, tok = 0;
    int in_word = 0;
    pk_err e = PK_OK;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (syn && !syn->token[0] && plain_syntax(s, i, !in_word, &tok))
            note_syntax(syn, s, i, tok, argc + (c == '\n' && in_word));   /* \n ends a word */
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
                if (syn && !syn->token[0] &&
                    (s[i] == '`' ? (tok = 1) : s[i] == '$' && dollar_syntax(s, i, &tok)))
                    note_syntax(syn, s, i, tok, argc);   /* "$HOME" expands too */
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

pk_err pk_shellwords_split(const char *s, char ***argv_out, size_t *argc_out, size_t *err_col)
{
    if (argv_out)
        *argv_out = NULL;
    if (argc_out)
        *argc_out = 0;
    if (!s || !argv_out)
        return PK_EINVAL;
    return split(s, argv_out, argc_out, err_col, NULL);
}

pk_err pk_shellwords_find_syntax(const char *s, pk_shellwords_syntax *out)
{
    if (!out)
        return PK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!s)
        return PK_EINVAL;
    char **argv = NULL;
    size_t col = 0;
    pk_err e = split(s, &argv, NULL, &col, out);
    if (e == PK_OK && out->token[0]) {
        size_t n = strlen(argv[0]);
        if (n >= sizeof out->program)
            n = sizeof out->program - 1;
        memcpy(out->program, argv[0], n);
        out->program[n] = '\0';
    }
    pk_shellwords_free(argv);
    if (e != PK_OK)
        memset(out, 0, sizeof *out);
    return e;
}

/* s into out (size max + 4), at most max bytes cut at a character
 * boundary, "…" when cut. Returns out. */
static const char *clip(const char *s, size_t max, char *out)
{
    size_t n = strlen(s);
    bool cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;   /* not in the middle of a UTF-8 sequence */
    }
    snprintf(out, max + 4, "%.*s%s", (int)n, s, cut ? "…" : "");
    return out;
}

char *pk_shellwords_syntax_text(const char *s, const pk_shellwords_syntax *syn,
                                const char *without, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    buf[0] = '\0';
    if (!s || !syn || !syn->token[0])
        return buf;
    char cmd[64], prog[44], what[96], where[128];
    const char *t = syn->token;
    bool expands = strchr("$`*?~", t[0]) != NULL;
    if (t[0] == '\n')
        snprintf(what, sizeof what, "holds a line break, which ends a command in a shell");
    else
        snprintf(what, sizeof what, "contains `%s`, which only a shell %s", t,
                 expands ? "expands" : "understands");
    if (syn->word == 0)
        snprintf(where, sizeof where, "part of the program name");
    else
        snprintf(where, sizeof where, "passed to `%s` as %s", clip(syn->program, 40, prog),
                 t[0] == '\n' ? "arguments" : "an argument");
    snprintf(buf, len, "`%s` %s; without %s it is %s", clip(s, 60, cmd), what,
             without ? without : "a shell", where);
    return buf;
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

/* ---- substitution into a script for sh -c ------------------------------- */

/* Where the scanner of a script stands, as far as quoting goes. */
enum { SH_PLAIN, SH_SINGLE, SH_DOUBLE };

#define SH_MAX_NEST 64   /* levels of $( and ` followed; deeper ones: as plain text */
#define SH_MAX_TICKS 4   /* levels of ` escaped for; 2^4 - 1 backslashes at most */

/* Append c to b, first with the backslashes that keep it what it is
 * through `ticks` levels of `...`: the shell finds the end of a backquoted
 * command before it reads any quote in it, and takes \\ \` \$ as escapes
 * while it does, once per level (1, 3, 7 backslashes). */
static pk_err add_char(pk__buf *b, char c, unsigned ticks)
{
    pk_err e = PK_OK;
    if (c == '\\' || c == '`' || c == '$')
        for (unsigned k = 0; e == PK_OK && k < (1u << ticks) - 1; k++)
            e = pk__buf_add(b, "\\", 1);
    return e == PK_OK ? pk__buf_add(b, &c, 1) : e;
}

static pk_err add_str(pk__buf *b, const char *s, unsigned ticks)
{
    pk_err e = PK_OK;
    for (; e == PK_OK && *s; s++)
        e = add_char(b, *s, ticks);
    return e;
}

/* value quoted for context ctx of a script, inside ticks levels of `...`,
 * so that it stays one word, or the part of the word the placeholder
 * stands in. */
static pk_err quote_into(pk__buf *b, const char *value, int ctx, unsigned ticks)
{
    pk_err e = PK_OK;
    if (ctx == SH_PLAIN)
        e = pk__buf_add(b, "'", 1);
    for (const char *v = value; e == PK_OK && *v; v++) {
        if (*v == '\'' && ctx != SH_DOUBLE)
            e = add_str(b, "'\\''", ticks);   /* close, a quoted quote, reopen */
        else if (ctx == SH_DOUBLE && strchr("\\$`\"", *v))
            e = add_char(b, '\\', ticks) == PK_OK ? add_char(b, *v, ticks) : PK_ENOMEM;
        else
            e = add_char(b, *v, ticks);
    }
    if (e == PK_OK && ctx == SH_PLAIN)
        e = pk__buf_add(b, "'", 1);
    return e;
}

char *pk_shellwords_subst_sh(const char *s, const char *name, const char *value)
{
    if (!s)
        return NULL;
    if (!name || !value)
        return pk_strdup(s);
    size_t nl = strlen(name);
    pk__buf b = {0};
    /* ctx[depth]: the quoting at this level; a $( or ` opens a new level
     * that starts plain (the shell reads a command substitution afresh,
     * even inside "..."), its ) or closing ` returns to the level before. */
    int ctx[SH_MAX_NEST];
    char closer[SH_MAX_NEST];
    size_t parens[SH_MAX_NEST];   /* ( still open inside a $( level: (a) (b) */
    size_t depth = 0;
    ctx[0] = SH_PLAIN;
    closer[0] = '\0';
    parens[0] = 0;
    pk_err e = PK_OK;
    for (const char *p = s; *p && e == PK_OK;) {
        int c = ctx[depth];
        if (*p == '{' && strncmp(p + 1, name, nl) == 0 && p[1 + nl] == '}') {
            unsigned ticks = 0;
            for (size_t k = 1; k <= depth; k++)
                ticks += closer[k] == '`';
            e = quote_into(&b, value, c, ticks < SH_MAX_TICKS ? ticks : SH_MAX_TICKS);
            p += nl + 2;
            continue;
        }
        size_t take = 1;
        if (c == SH_SINGLE) {
            if (*p == '\'')
                ctx[depth] = SH_PLAIN;
        } else if (*p == '\\' && p[1]) {
            take = 2;   /* the escaped character, a brace included, is as written */
        } else if (*p == '\'' && c == SH_PLAIN) {
            ctx[depth] = SH_SINGLE;
        } else if (*p == '"') {
            ctx[depth] = c == SH_DOUBLE ? SH_PLAIN : SH_DOUBLE;
        } else if (((*p == '$' && p[1] == '(') || *p == '`') && depth + 1 < SH_MAX_NEST &&
                   !(*p == '`' && closer[depth] == '`')) {
            take = *p == '$' ? 2 : 1;
            closer[++depth] = *p == '$' ? ')' : '`';
            ctx[depth] = SH_PLAIN;
            parens[depth] = 0;
        } else if (c == SH_PLAIN && *p == '(') {
            parens[depth]++;
        } else if (c == SH_PLAIN && *p == ')' && parens[depth] > 0) {
            parens[depth]--;
        } else if (depth > 0 && c == SH_PLAIN && *p == closer[depth]) {
            depth--;
        }
        e = pk__buf_add(&b, p, take);
        p += take;
    }
    if (e != PK_OK) {
        pk__buf_free(&b);
        return NULL;
    }
    return pk__buf_take(&b);
}
