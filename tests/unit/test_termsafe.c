/* Unit tests for lib/core/termsafe.c: which characters become escapes,
 * which stay, truncation at character boundaries, and that the buffer, size
 * and FILE forms agree. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfkit/termsafe.h"

static void expect(const char *in, const char *want)
{
    char buf[256];
    cr_assert_str_eq(pk_termsafe(in, buf, sizeof buf), want, "[%s]", want);
    cr_assert_eq(pk_termsafe_size(in), strlen(want) + 1, "size of [%s]", want);
    cr_assert_eq(pk_termsafe_is_clean(in), strcmp(in, want) == 0, "clean [%s]", want);
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    cr_assert_eq(pk_termsafe_fputs(in, f), 0);
    fclose(f);
    cr_assert_str_eq(mem, want, "fputs [%s]", want);
    free(mem);
}

Test(termsafe, control_characters_become_escapes)
{
    expect("plain name", "plain name");
    expect("\033[31mred\033[0m", "\\x1b[31mred\\x1b[0m");              /* SGR */
    expect("\033]0;title\007x", "\\x1b]0;title\\x07x");                   /* OSC + BEL */
    expect("\033]8;;http://e\033\\link", "\\x1b]8;;http://e\\x1b\\link"); /* hyperlink, ST */
    expect("done\rfake", "done\\x0dfake");
    expect("a\bb\tc\nd\x7f", "a\\x08b\\x09c\\x0ad\\x7f");
    expect("\x01\x1f", "\\x01\\x1f");
    expect("back\\slash", "back\\slash");   /* left alone */
    expect("", "");
}

Test(termsafe, utf8_stays_and_its_controls_do_not)
{
    const char *text = "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80 \xc2\xb5s";
    expect(text, text);
    expect("\xc2\x9b" "2J", "\\u009b2J");                       /* C1 CSI as UTF-8 */
    expect("\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0"); /* U+00A0 is text */
    expect("abc\xe2\x80\xae" "cba", "abc\\u202ecba");              /* RIGHT-TO-LEFT OVERRIDE */
    expect("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069");        /* isolates */
    expect("\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f");
    expect("line\xe2\x80\xa8sep", "line\\u2028sep");
}

Test(termsafe, bytes_that_are_not_utf8)
{
    expect("\x9b" "2J", "\\x9b2J");                 /* a lone CSI byte (8-bit terminals) */
    expect("\xff\xfe", "\\xff\\xfe");
    expect("\xc0\xaf", "\\xc0\\xaf");               /* overlong '/' */
    expect("\xe0\x80\xaf", "\\xe0\\x80\\xaf");       /* overlong */
    expect("\xed\xa0\x80", "\\xed\\xa0\\x80");       /* a surrogate */
    expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    expect("\xe2\x86", "\\xe2\\x86");               /* cut short at the end */
    expect("\xe2\x86x", "\\xe2\\x86x");
}

Test(termsafe, truncation_keeps_whole_characters_and_escapes)
{
    char buf[8];
    cr_assert_str_eq(pk_termsafe("abcdefghij", buf, sizeof buf), "abcdefg");
    cr_assert_str_eq(pk_termsafe("abcd\033x", buf, sizeof buf), "abcd");  /* not "abcd\x1" */
    cr_assert_str_eq(pk_termsafe("abcde\xe2\x86\x92", buf, sizeof buf), "abcde");
    cr_assert_str_eq(pk_termsafe("ab\xe2\x86\x92", buf, sizeof buf), "ab\xe2\x86\x92");
    cr_assert_str_eq(pk_termsafe(NULL, buf, sizeof buf), "");
    char one[1] = {'x'};
    cr_assert_str_eq(pk_termsafe("abc", one, 1), "");
    cr_assert_eq(pk_termsafe("abc", buf, 0), buf);
    cr_assert_eq(pk_termsafe_size(NULL), 1);
    cr_assert(pk_termsafe_is_clean(NULL));
    cr_assert_eq(pk_termsafe_fputs("x", NULL), EOF);
}

/* Every byte value in every position: the output never holds a C0 control
 * or DEL, is clean itself (so well-formed UTF-8 without C1 or bidi
 * controls), and the size form agrees. */
Test(termsafe, no_raw_control_survives)
{
    for (int a = 1; a < 256; a++) {
        for (int b = 1; b < 256; b += 7) {
            char in[8] = {'x', (char)a, (char)b, (char)0xe2, (char)0x80, (char)0xae, 'y', 0};
            char out[64];
            pk_termsafe(in, out, sizeof out);
            for (const unsigned char *p = (const unsigned char *)out; *p; p++)
                cr_assert(*p >= 0x20 && *p != 0x7f, "byte %02x from %02x %02x", *p, a, b);
            cr_assert(pk_termsafe_is_clean(out), "%02x %02x: escaping again changes it", a, b);
            cr_assert_eq(pk_termsafe_size(in), strlen(out) + 1);
            cr_assert_null(strstr(out, "\xe2\x80\xae"));
        }
    }
}
