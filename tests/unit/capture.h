/* capture.h — a writer's output as a string, for the unit tests (header-only).
 *
 * Contract:
 *   capture_begin(c)  open an in-memory stream (open_memstream) for a writer
 *                     to write to; asserts that it opened.
 *   capture_end(c)    close the stream; returns everything written as a
 *                     NUL-terminated string the caller frees.
 *   capture_json(s)   s parsed as JSON (a new reference); asserts that it
 *                     parses, showing the text when it does not.
 * Usage: capture c; w(capture_begin(&c), ...); char *s = capture_end(&c); */
#ifndef PK_TEST_CAPTURE_H
#define PK_TEST_CAPTURE_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>

typedef struct capture {
    FILE *f;
    char *buf;
    size_t len;
} capture;

static inline FILE *capture_begin(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    cr_assert_not_null(c->f);
    return c->f;
}

static inline char *capture_end(capture *c)
{
    fclose(c->f);
    return c->buf;
}

static inline json_t *capture_json(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    cr_assert_not_null(j, "invalid JSON: %s (line %d)\n%s", e.text, e.line, s);
    return j;
}

#endif
