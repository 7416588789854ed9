/* config_yaml.c — a small YAML-to-tree loader on libyaml's event API.
 *
 * Each scalar, sequence and mapping becomes a pk__ynode carrying its 1-based
 * start position (libyaml marks are 0-based), so the config parser can point
 * at the exact line and column of a bad value. Only one document is allowed;
 * aliases are refused (they would let a tiny file expand into a huge tree)
 * and nesting is capped. Tags are ignored: every scalar is a string.
 * Reference: libyaml yaml.h, YAML 1.1 spec (yaml.org/spec/1.1). */
#include "config/config_int.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "perfkit/alloc.h"

#define MAX_DEPTH 64

typedef struct loader {
    yaml_parser_t parser;
    const char *text;
    size_t len;
    pk__cfg_ctx ctx;
} loader;

void pk__ynode_free(pk__ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        pk__ynode_free(n->items[i]);
    pk_free(n->items);
    pk_free(n->str);
    pk_free(n);
}

/* Whether mark m sits on the `>` or the `=` of a `>=`. */
static bool at_ge(const loader *L, const yaml_mark_t *m)
{
    size_t i = m->index;
    if (i >= L->len)
        return false;
    return (L->text[i] == '>' && i + 1 < L->len && L->text[i + 1] == '=') ||
           (L->text[i] == '=' && i > 0 && L->text[i - 1] == '>');
}

static pk_err syntax_error(loader *L)
{
    yaml_parser_t *p = &L->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return pk__cfg_nomem(&L->ctx);
    const char *problem = p->problem ? p->problem : "syntax error";
    unsigned line = (unsigned)p->problem_mark.line + 1;
    unsigned col = (unsigned)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a line: count it out */
        size_t off = p->problem_offset < L->len ? p->problem_offset : L->len;
        line = 1;
        col = 1;
        for (size_t i = 0; i < off; i++) {
            if (L->text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)L->text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        return pk__cfg_error(&L->ctx, line, col, "invalid YAML: %s", problem);
    }
    /* `wall.p95: >= 1ms` unquoted: YAML reads `>` as a folded block */
    const char *hint = at_ge(L, &p->problem_mark) || (p->context && at_ge(L, &p->context_mark))
                           ? " — quote a budget minimum: \">= 1M\""
                           : "";
    if (p->context)
        return pk__cfg_error(&L->ctx, line, col,
                             "invalid YAML: %s (%s at line %u, column %u)%s", problem, p->context,
                             (unsigned)p->context_mark.line + 1,
                             (unsigned)p->context_mark.column + 1, hint);
    return pk__cfg_error(&L->ctx, line, col, "invalid YAML: %s%s", problem, hint);
}

static pk_err next_event(loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&L->parser, ev))
        return syntax_error(L);
    return PK_OK;
}

static pk__ynode *new_node(pk__ynode_kind kind, const yaml_mark_t *m)
{
    pk__ynode *n = pk_calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = (unsigned)m->line + 1;
    n->column = (unsigned)m->column + 1;
    return n;
}

static pk_err push(loader *L, pk__ynode *parent, pk__ynode *child)
{
    pk_err e = pk__grow((void **)&parent->items, &parent->cap, parent->n + 1,
                        sizeof(pk__ynode *));
    if (e != PK_OK)
        return pk__cfg_nomem(&L->ctx);
    parent->items[parent->n++] = child;
    return PK_OK;
}

static pk_err load_node(loader *L, yaml_event_t *ev, int depth, pk__ynode **out);

/* Children of a sequence or mapping until the matching end event. */
static pk_err load_children(loader *L, pk__ynode *node, yaml_event_type_t end, int depth)
{
    for (;;) {
        yaml_event_t ev;
        pk_err e = next_event(L, &ev);
        if (e != PK_OK)
            return e;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return PK_OK;
        }
        pk__ynode *child = NULL;
        e = load_node(L, &ev, depth + 1, &child);   /* consumes ev */
        if (e == PK_OK) {
            e = push(L, node, child);
            if (e != PK_OK)
                pk__ynode_free(child);
        }
        if (e != PK_OK)
            return e;
    }
}

/* Build the node that starts with ev; ev is deleted here. */
static pk_err load_node(loader *L, yaml_event_t *ev, int depth, pk__ynode **out)
{
    pk_err e;
    pk__ynode *n = NULL;
    yaml_mark_t m = ev->start_mark;
    *out = NULL;
    if (depth > MAX_DEPTH) {
        yaml_event_delete(ev);
        return pk__cfg_error(&L->ctx, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "values nested deeper than %d levels", MAX_DEPTH);
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        if (memchr(v, '\0', len)) {
            yaml_event_delete(ev);
            return pk__cfg_error(&L->ctx, (unsigned)m.line + 1, (unsigned)m.column + 1,
                                 "a value holds a NUL character");
        }
        yaml_scalar_style_t style = ev->data.scalar.style;
        n = new_node(PK__YN_SCALAR, &m);
        if (n) {
            n->str = pk_strndup(v, len);
            n->len = len;
            n->quoted = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                        style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
            n->plain = style == YAML_PLAIN_SCALAR_STYLE;
        }
        yaml_event_delete(ev);
        e = n && n->str ? PK_OK : pk__cfg_nomem(&L->ctx);
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        yaml_event_delete(ev);
        n = new_node(seq ? PK__YN_SEQ : PK__YN_MAP, &m);
        e = n ? load_children(L, n, seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT,
                              depth)
              : pk__cfg_nomem(&L->ctx);
        break;
    }
    case YAML_ALIAS_EVENT: {
        char name[64];
        snprintf(name, sizeof name, "%s", (const char *)ev->data.alias.anchor);
        yaml_event_delete(ev);
        return pk__cfg_error(&L->ctx, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "YAML aliases (`*%s`) are not supported in a perfkit config — "
                             "write the value out",
                             name);
    }
    default:
        yaml_event_delete(ev);
        return pk__cfg_error(&L->ctx, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "invalid YAML: unexpected event");
    }
    if (e != PK_OK) {
        pk__ynode_free(n);
        return e;
    }
    *out = n;
    return PK_OK;
}

/* STREAM-START (DOCUMENT-START node DOCUMENT-END)? STREAM-END */
static pk_err load_stream(loader *L, pk__ynode **root)
{
    yaml_event_t ev;
    pk_err e = next_event(L, &ev);
    if (e != PK_OK)
        return e;
    yaml_event_delete(&ev);                 /* STREAM-START */
    if ((e = next_event(L, &ev)) != PK_OK)
        return e;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return PK_OK;
    }
    yaml_event_delete(&ev);                 /* DOCUMENT-START */
    if ((e = next_event(L, &ev)) != PK_OK)
        return e;
    if ((e = load_node(L, &ev, 0, root)) != PK_OK)
        return e;
    if ((e = next_event(L, &ev)) != PK_OK)
        return e;
    yaml_event_delete(&ev);                 /* DOCUMENT-END */
    if ((e = next_event(L, &ev)) != PK_OK)
        return e;
    yaml_mark_t m = ev.start_mark;
    bool more = ev.type != YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (more)
        return pk__cfg_error(&L->ctx, (unsigned)m.line + 1, (unsigned)m.column + 1,
                             "a second YAML document (`---`); a perfkit config holds one");
    return PK_OK;
}

pk_err pk__yaml_load(const char *text, size_t len, pk__cfg_ctx *ctx, pk__ynode **out)
{
    loader L;
    L.ctx = *ctx;
    L.text = text;
    L.len = len;
    *out = NULL;
    if (!yaml_parser_initialize(&L.parser))
        return pk__cfg_nomem(&L.ctx);
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
    pk__ynode *root = NULL;
    pk_err e = load_stream(&L, &root);
    yaml_parser_delete(&L.parser);
    ctx->failed = L.ctx.failed;
    if (e != PK_OK) {
        pk__ynode_free(root);
        return e;
    }
    *out = root;
    return PK_OK;
}
