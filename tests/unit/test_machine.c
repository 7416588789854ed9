/* Unit tests for lib/core/machine.c. */
#include <criterion/criterion.h>
#include <string.h>
#include "perfkit/machine.h"

Test(machine, fields_filled)
{
    pk_machine m;
    cr_assert_eq(pk_machine_get(&m), PK_OK);
    cr_assert_gt(strlen(m.cpu_model), 0);
    cr_assert_gt(m.cores, 0);
    cr_assert(strncmp(m.kernel, "Linux ", 6) == 0, "kernel: %s", m.kernel);
    cr_assert_gt(strlen(m.arch), 0);
    cr_assert_str_neq(m.arch, "unknown");
    cr_assert_gt(strlen(m.hostname), 0);
    cr_assert_gt(m.mem_bytes, 64ull << 20);
    cr_assert_geq(m.load[0], 0.0);
    cr_assert_str_eq(m.perfkit_version, pk_version());
    cr_assert_eq(pk_machine_get(NULL), PK_EINVAL);
}

Test(machine, version)
{
    cr_assert_gt(strlen(pk_version()), 0);
#ifdef PK_VERSION
    cr_assert_str_eq(pk_version(), PK_VERSION);
#endif
}

Test(machine, fingerprint_is_stable_and_ignores_load)
{
    pk_machine a, b;
    pk_machine_get(&a);
    pk_machine_get(&b);
    char fa[17], fb[17];
    pk_machine_fingerprint(&a, fa);
    b.load[0] += 3.0;
    strcpy(b.hostname, "elsewhere");
    b.mem_bytes += 100u << 20;   /* same GiB after rounding */
    pk_machine_fingerprint(&b, fb);
    cr_assert_eq(strlen(fa), 16);
    cr_assert_eq(strspn(fa, "0123456789abcdef"), 16);
    cr_assert_str_eq(fa, fb);
    b.cores += 1;
    pk_machine_fingerprint(&b, fb);
    cr_assert_str_neq(fa, fb);
}

Test(machine, fingerprint_known_value)
{
    pk_machine m;
    memset(&m, 0, sizeof m);
    /* FNV-1a 64 of "|0|||0" (all fields empty), computed independently. */
    char f[17];
    pk_machine_fingerprint(&m, f);
    cr_assert_str_eq(f, "4928e44396dfede5");
    pk_machine_fingerprint(NULL, f);
    cr_assert_str_eq(f, "cbf29ce484222325");
}
