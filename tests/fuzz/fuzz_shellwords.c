/* libFuzzer target: pk_shellwords_split and pk_shellwords_subst on arbitrary
 * bytes must return a code or a well-formed argv, never crash or leak;
 * pk_shellwords_subst_sh must quote any value into any script without
 * reading or writing out of bounds. */
#include <stdint.h>
#include <string.h>
#include "perfkit/alloc.h"
#include "perfkit/shellwords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = pk_strndup((const char *)data, size);
    if (!s)
        return 0;
    char **argv = NULL;
    size_t argc = 0, col = 0;
    pk_err e = pk_shellwords_split(s, &argv, &argc, &col);
    if (e == PK_OK) {
        for (size_t i = 0; i < argc; i++)
            if (!argv[i])
                __builtin_trap();
        if (argv[argc])
            __builtin_trap();
        pk_shellwords_free(argv);
    } else if (e == PK_EPARSE && col > strlen(s)) {
        __builtin_trap();
    }
    char *t = pk_shellwords_subst(s, "n", "{n}");
    pk_free(t);
    /* the input as script and as value: quotes, $( and ` of every depth */
    t = pk_shellwords_subst_sh(s, "n", "a'b\"c$(d)`e`\\");
    pk_free(t);
    t = pk_shellwords_subst_sh("x {n} '{n}' \"{n}\" \"$(echo {n})\" \"`echo {n}`\"", "n", s);
    pk_free(t);
    pk_free(s);
    return 0;
}
