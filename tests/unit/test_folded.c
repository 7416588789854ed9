/* Unit tests for lib/profile (perfkit/folded.h, perfkit/flame.h): parsing
 * (one and two columns, fractions, blank lines, CRLF, errors with line and
 * column, streaming across block boundaries), aggregation of repeated
 * stacks, the prefix tree (order, totals, reverse), scaling, the change
 * rows (self, total counted once under recursion), the SVG's escaping of
 * hostile names, and every allocation failing in turn (fault.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "perfkit/flame.h"
#include "perfkit/folded.h"
#include "profile/folded_int.h"

static pk_folded *parse_ok(const char *text)
{
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_diag d = {0};
    pk_err e = pk_folded_parse(p, NULL, text, strlen(text), "t", &d);
    cr_assert_eq(e, PK_OK, "%s", d.message);
    return p;
}

static char *write_slot(const pk_folded *p, unsigned slot)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(pk_folded_write(p, slot, f), PK_OK);
    fclose(f);
    return buf;
}

static void expect_error(const char *text, unsigned columns, unsigned line, unsigned col,
                         const char *msg)
{
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_folded_opts o;
    pk_folded_opts_init(&o);
    o.columns = columns;
    pk_diag d = {0};
    cr_assert_eq(pk_folded_parse(p, &o, text, strlen(text), "in.folded", &d), PK_EPARSE, "%s",
                 text);
    cr_expect_str_eq(d.file, "in.folded");
    cr_expect_eq(d.line, line, "%s: line %u", text, d.line);
    cr_expect_eq(d.column, col, "%s: column %u", text, d.column);
    cr_expect(strstr(d.message, msg) != NULL, "%s", d.message);
    pk_folded_free(p);
}

Test(folded, parse_aggregate_write)
{
    pk_folded *p = parse_ok("main;b 2\r\n\n   \nmain;a 1\nmain;b 3\nmain 0.5\nmain;a;x y 7");
    cr_assert_eq(pk_folded_stacks(p), 4);
    cr_assert_float_eq(pk_folded_total(p, 1), 13.5, 1e-9);
    cr_assert_eq(pk_folded_total(p, 0), 0);
    cr_assert(pk_folded_has_slot(p, 1) && !pk_folded_has_slot(p, 0));
    char *s = write_slot(p, 1);
    cr_assert_str_eq(s, "main 0.5\nmain;a 1\nmain;a;x y 7\nmain;b 5\n");
    free(s);
    cr_assert_eq(pk_folded_scale(p, 1, 2), PK_OK);
    s = write_slot(p, 2);
    cr_assert_str_eq(s, "main 0 1\nmain;a 0 2\nmain;a;x y 0 14\nmain;b 0 10\n");
    free(s);
    cr_assert_eq(pk_folded_scale(p, 1, -1), PK_EINVAL);
    pk_folded_free(p);
}

Test(folded, two_columns)
{
    pk_folded *p = parse_ok("main;f 10 40\nmain;g 0 6.5\n");
    cr_assert_float_eq(pk_folded_total(p, 0), 10, 1e-9);
    cr_assert_float_eq(pk_folded_total(p, 1), 46.5, 1e-9);
    pk_folded_free(p);
    /* one column forced: "main;f 10" is the stack */
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_folded_opts o;
    pk_folded_opts_init(&o);
    o.columns = 1;
    o.slot = 0;
    cr_assert_eq(pk_folded_parse(p, &o, "main;f 10 40\n", 13, NULL, NULL), PK_OK);
    char *s = write_slot(p, 0);
    cr_assert_str_eq(s, "main;f 10 40\n");
    free(s);
    pk_folded_free(p);
}

Test(folded, errors_have_line_and_column)
{
    expect_error("main;a 3\nmain;b x\n", 0, 2, 8, "expected a sample count");
    expect_error("main;a\n", 0, 1, 1, "expected a sample count");
    expect_error("main;a 3\n 5\n", 0, 2, 2, "a count without a stack");
    expect_error("main;a -3\n", 0, 1, 8, "expected a sample count");
    expect_error("main;a 1e5\n", 0, 1, 8, "expected a sample count");
    expect_error("main;a 1 2\nmain;b 3\n", 0, 2, 8, "two counts");
    expect_error("main;a 1\n", 2, 1, 8, "two counts");
}

/* perf script text given where folded stacks are expected: the error names
 * the fix; folded lines that merely lack a count do not get the hint. */
Test(folded, perf_script_input_names_collapse)
{
    expect_error("app 31726 15031.729095:    1001001 cpu-clock: \n"
                 "\t            120f leaf+0x44 (/tmp/app)\n", 0, 1, 36, "perfkit collapse");
    expect_error("main;a 3\n\t    7f01 main (/bin/app)\n", 0, 2, 16, "perfkit collapse");
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_diag d = {0};
    cr_assert_eq(pk_folded_parse(p, NULL, "main;a\n", 7, "t", &d), PK_EPARSE);
    cr_expect(strstr(d.message, "collapse") == NULL, "%s", d.message);
    cr_assert_eq(pk_folded_parse(p, NULL, "main;std::a:\n", 13, "t", &d), PK_EPARSE);
    cr_expect(strstr(d.message, "collapse") == NULL, "%s", d.message);
    pk_folded_free(p);
}

/* An empty profile still renders, and the SVG says why it is blank. */
Test(folded, empty_profile_svg_says_so)
{
    pk_folded *p = parse_ok("\n\n");
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    o.count_name = "bytes";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(pk_flame_write_svg(p, &o, f, NULL), PK_OK);
    fclose(f);
    cr_expect(strstr(buf, ">no bytes: the input holds no stacks</text>") != NULL, "%s", buf);
    free(buf);
    pk_folded_free(p);
}

Test(folded, binary_input)
{
    static const char bin[] = "main 1\nab\0c 3\n";
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_diag d = {0};
    cr_assert_eq(pk_folded_parse(p, NULL, bin, sizeof bin - 1, "bin", &d), PK_EPARSE);
    cr_expect_eq(d.line, 2);
    cr_expect_eq(d.column, 3);
    cr_expect(strstr(d.message, "NUL byte") != NULL, "%s", d.message);
    pk_folded_free(p);
}

Test(folded, stream_across_blocks)
{
    /* lines longer than the reader's first block, and many lines */
    char *text = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&text, &len);
    for (int i = 0; i < 20000; i++)
        fprintf(w, "main;f%d 1\n", i % 100);
    fputs("main;", w);
    for (int i = 0; i < 100000; i++)
        fputc('x', w);
    fputs(" 5\nmain;bad", w);
    fclose(w);
    FILE *r = fmemopen(text, len, "r");
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_diag d = {0};
    cr_assert_eq(pk_folded_read(p, NULL, r, "big", &d), PK_EPARSE);
    cr_expect_eq(d.line, 20002);
    cr_expect_eq(pk_folded_stacks(p), 101);
    cr_expect_float_eq(pk_folded_total(p, 1), 20005, 1e-9);
    fclose(r);
    pk_folded_free(p);
    free(text);
}

Test(folded, tree_order_and_totals)
{
    /* "a!" sorts after "a;..." frame by frame, so a's children stay together */
    pk_folded *p = parse_ok("a;x 1\na! 2\na 4\na;y;z 8\nb 16\n");
    pk__ftree t;
    cr_assert_eq(pk__folded_tree(p, false, &t), PK_OK);
    const char *want[] = {"", "a", "x", "y", "z", "a!", "b"};
    const unsigned depth[] = {0, 1, 2, 2, 3, 1, 1};
    const double total[] = {31, 13, 1, 8, 8, 2, 16};
    cr_assert_eq(t.n, 7);
    for (size_t i = 0; i < t.n; i++) {
        cr_expect_eq(t.nodes[i].len, strlen(want[i]));
        cr_expect_eq(memcmp(t.nodes[i].name, want[i], t.nodes[i].len), 0, "node %zu", i);
        cr_expect_eq(t.nodes[i].depth, depth[i]);
        cr_expect_float_eq(t.nodes[i].total[1], total[i], 1e-9, "node %zu", i);
    }
    cr_expect_float_eq(t.nodes[1].self[1], 4, 1e-9);
    cr_expect_eq(t.nodes[1].end, 5);
    cr_expect_eq(t.nodes[0].end, 7);
    cr_expect_eq(t.max_depth, 3);
    pk__folded_tree_free(&t);
    cr_assert_eq(pk__folded_tree(p, true, &t), PK_OK);   /* leaf first */
    cr_expect_eq(t.nodes[1].len, 1);
    cr_expect_eq(t.nodes[1].name[0], 'a');               /* a (self 4), then a!, b, x, z */
    cr_expect_float_eq(t.nodes[1].total[1], 4, 1e-9);
    pk__folded_tree_free(&t);
    pk_folded_free(p);
}

Test(folded, changes_count_recursion_once)
{
    pk_folded *p;
    cr_assert_eq(pk_folded_new(&p), PK_OK);
    pk_folded_opts o;
    pk_folded_opts_init(&o);
    o.slot = 0;
    const char *before = "main;f;f;f 10\nmain;g 10\n";
    const char *after = "main;f;f;f 30\nmain;g 5\n";
    cr_assert_eq(pk_folded_parse(p, &o, before, strlen(before), NULL, NULL), PK_OK);
    o.slot = 1;
    cr_assert_eq(pk_folded_parse(p, &o, after, strlen(after), NULL, NULL), PK_OK);
    pk_flame_change *c;
    size_t n;
    cr_assert_eq(pk_flame_changes(p, &c, &n), PK_OK);
    cr_assert_eq(n, 3);
    cr_expect_eq(c[0].name_len, 1);
    cr_expect_eq(c[0].name[0], 'f');
    cr_expect_float_eq(c[0].total[0], 10, 1e-9);   /* not 30: outermost f only */
    cr_expect_float_eq(c[0].total[1], 30, 1e-9);
    cr_expect_float_eq(c[0].self[1], 30, 1e-9);
    cr_expect_eq(c[1].name[0], 'g');
    pk_free(c);
    pk_folded_free(p);
}

Test(folded, svg_escapes_hostile_names)
{
    pk_folded *p = parse_ok("m<a>&\"b\";\xff\xfe\x01 3\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pk_flame_opts o;
    pk_flame_opts_init(&o);
    o.title = "]]></script><x>";
    pk_flame_stats st;
    cr_assert_eq(pk_flame_write_svg(p, &o, f, &st), PK_OK);
    fclose(f);
    cr_expect(strstr(buf, "<title>m&lt;a&gt;&amp;&quot;b&quot; (3 samples") != NULL);
    cr_expect(strstr(buf, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD (3 samples") != NULL);
    cr_expect(strstr(buf, "&lt;/script&gt;&lt;x&gt;") != NULL);
    cr_expect(strstr(buf, "\xff") == NULL);
    cr_expect_eq(st.frames, 3);
    cr_expect_eq(st.pruned, 0);
    free(buf);
    o.width = 10;
    cr_expect_eq(pk_flame_write_svg(p, &o, stdout, NULL), PK_EINVAL);
    pk_folded_free(p);
}

static pk_err every_writer(void)
{
    const char *text = "main;a;b 3\nmain;a;c 1\nmain;d 2.5\nmain 1\n";
    pk_folded *p;
    pk_err e = pk_folded_new(&p);
    if (e != PK_OK)
        return e;
    pk_folded_opts o;
    pk_folded_opts_init(&o);
    o.slot = 0;
    e = pk_folded_parse(p, &o, text, strlen(text), NULL, NULL);
    o.slot = 1;
    if (e == PK_OK)
        e = pk_folded_parse(p, &o, text, 22, NULL, NULL);
    FILE *f = fopen("/dev/null", "w");
    pk_flame_opts fo;
    pk_flame_opts_init(&fo);
    fo.reverse = true;
    if (e == PK_OK)
        e = pk_flame_write_svg(p, &fo, f, NULL);
    fo.diff = true;
    if (e == PK_OK)
        e = pk_flame_write_svg(p, &fo, f, NULL);
    if (e == PK_OK)
        e = pk_flame_write_speedscope(p, &fo, f);
    if (e == PK_OK)
        e = pk_flame_write_pprof(p, &fo, f);
    if (e == PK_OK)
        e = pk_flame_write_changes(p, 5, f);
    if (e == PK_OK)
        e = pk_folded_write(p, 2, f);
    fclose(f);
    pk_folded_free(p);
    return e;
}

Test(folded, every_allocation_fails_in_turn)
{
    fault_arm(-1);
    cr_assert_eq(every_writer(), PK_OK);
    long total = fault_requests();
    fault_disarm();
    cr_assert_gt(total, 5);
    for (long k = 0; k < total; k++) {
        fault_arm(k);
        pk_err e = every_writer();
        long live = fault_live();
        fault_disarm();
        cr_expect(e == PK_ENOMEM || e == PK_OK, "request %ld: %d", k, e);
        cr_expect_eq(live, 0, "request %ld leaked %ld blocks", k, live);
    }
}
