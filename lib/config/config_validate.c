/* config_validate.c — what must hold before `perfkit check` runs anything.
 *
 * Every program a benchmark would start exists and is executable (the
 * command after substituting the first parameter value, its prepare /
 * conclude / setup / cleanup commands, or /bin/sh when `shell: true`), every
 * Google Benchmark binary too, every import file is readable, and every size
 * pattern matches at least one file (pk_size_glob, as collection expands
 * it). pk_config_validate stops at the first failure; pk_config_validate_all
 * records every one. Each diagnostic names the benchmark and points at its
 * position. */
#include "perfkit/config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "perfkit/alloc.h"
#include "perfkit/run.h"
#include "perfkit/shellwords.h"

static pk_err resolve_error(const pk_config *c, const pk_cfg_bench *b, pk_err e,
                            const char *what, const char *prog, pk_diag *diag)
{
    if (e == PK_ENOENT)
        pk_diag_set(diag, c->path, b->pos.line, b->pos.column,
                    "benchmark `%s`: %s program `%s` not found%s", b->name, what, prog,
                    strchr(prog, '/') ? " — build it first or fix the path"
                                      : " on PATH");
    else if (e == PK_EPERM)
        pk_diag_set(diag, c->path, b->pos.line, b->pos.column,
                    "benchmark `%s`: %s program `%s` is not executable — chmod +x it", b->name,
                    what, prog);
    else if (e == PK_ENOMEM)
        pk_diag_set(diag, c->path, 0, 0, "out of memory");
    return e;
}

/* Resolve the program of text (after {param} substitution). */
static pk_err check_command(const pk_config *c, const pk_cfg_bench *b, const char *text,
                            const char *what, pk_diag *diag)
{
    if (!text)
        return PK_OK;
    char *subst = NULL;
    if (b->param_name && b->n_param_values) {
        subst = pk_shellwords_subst(text, b->param_name, b->param_values[0]);
        if (!subst)
            return resolve_error(c, b, PK_ENOMEM, what, "", diag);
        text = subst;
    }
    char **argv = NULL;
    size_t col = 0;
    pk_err e = pk_shellwords_split(text, &argv, NULL, &col);
    if (e == PK_OK) {
        e = pk_run_resolve(argv[0], NULL);
        resolve_error(c, b, e, what, argv[0], diag);
    } else if (e == PK_ENOMEM) {
        resolve_error(c, b, e, what, "", diag);
    } else {
        pk_diag_set(diag, c->path, b->pos.line, b->pos.column,
                    "benchmark `%s`: %s `%s` does not split into words (a quote or backslash "
                    "left open)",
                    b->name, what, text);
        e = PK_EPARSE;
    }
    pk_shellwords_free(argv);
    pk_free(subst);
    return e;
}

static pk_err check_bench(const pk_config *c, const pk_cfg_bench *b, pk_diag *diag)
{
    pk_err e = PK_OK;
    switch (b->kind) {
    case PK_BENCH_COMMAND:
        if (b->bench.shell) {
            e = pk_run_resolve("/bin/sh", NULL);
            return resolve_error(c, b, e, "shell", "/bin/sh", diag);
        }
        if ((e = check_command(c, b, b->command, "command", diag)) != PK_OK ||
            (e = check_command(c, b, b->prepare, "prepare", diag)) != PK_OK ||
            (e = check_command(c, b, b->conclude, "conclude", diag)) != PK_OK ||
            (e = check_command(c, b, b->setup, "setup", diag)) != PK_OK ||
            (e = check_command(c, b, b->cleanup, "cleanup", diag)) != PK_OK)
            return e;
        return PK_OK;
    case PK_BENCH_GBENCH:
        e = pk_run_resolve(b->binary, NULL);
        return resolve_error(c, b, e, "Google Benchmark", b->binary, diag);
    case PK_BENCH_IMPORT:
        if (access(b->import_path, R_OK) == 0)
            return PK_OK;
        e = errno == ENOENT || errno == ENOTDIR ? PK_ENOENT : PK_EPERM;
        pk_diag_set(diag, c->path, b->pos.line, b->pos.column,
                    "benchmark `%s`: import file `%s` %s", b->name, b->import_path,
                    e == PK_ENOENT ? "does not exist — produce it before `perfkit check`"
                                   : "is not readable");
        return e;
    }
    return PK_OK;
}

/* A size pattern must name a file the way collection will expand it:
 * pk_size_glob, the one glob of perfkit (braces, ~, directories left out). */
static pk_err check_size(const pk_config *c, const pk_size_budget *s, pk_diag *diag)
{
    char **paths = NULL;
    size_t n = 0;
    pk_err e = pk_size_glob(s->pattern, &paths, &n);
    pk_size_glob_free(paths, n);
    if (e == PK_OK)
        return PK_OK;
    if (e == PK_ENOMEM) {
        pk_diag_set(diag, c->path, 0, 0, "out of memory");
        return PK_ENOMEM;
    }
    pk_diag_set(diag, c->path, s->pos.line, s->pos.column,
                "size budget `%s` matches no file — build the artifact first or fix the "
                "pattern",
                s->pattern);
    return e == PK_EIO ? PK_EPERM : PK_ENOENT;
}

/* Record e (with d) in errors, keeping the first failure in acc. */
static pk_err record(pk_err acc, pk_err e, const pk_diag *d, pk_diag_list *errors)
{
    if (e == PK_OK)
        return acc;
    if (errors)
        pk_diag_list_add(errors, d);
    return acc == PK_OK || e == PK_ENOMEM ? e : acc;
}

pk_err pk_config_validate_all(const pk_config *c, pk_diag_list *errors)
{
    if (!c)
        return PK_EINVAL;
    pk_err acc = PK_OK;
    pk_diag d;
    for (size_t i = 0; i < c->n_benches && acc != PK_ENOMEM; i++)
        acc = record(acc, check_bench(c, &c->benches[i], &d), &d, errors);
    for (size_t i = 0; i < c->n_sizes && acc != PK_ENOMEM; i++)
        acc = record(acc, check_size(c, &c->sizes[i], &d), &d, errors);
    return acc;
}

pk_err pk_config_validate(const pk_config *c, pk_diag *diag)
{
    if (!c)
        return PK_EINVAL;
    for (size_t i = 0; i < c->n_benches; i++) {
        pk_err e = check_bench(c, &c->benches[i], diag);
        if (e != PK_OK)
            return e;
    }
    for (size_t i = 0; i < c->n_sizes; i++) {
        pk_err e = check_size(c, &c->sizes[i], diag);
        if (e != PK_OK)
            return e;
    }
    return PK_OK;
}
