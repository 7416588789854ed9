/* Unit tests for lib/record/demangle.c: C++ names as perf script shows
 * them — qualified name and template arguments; no return type, parameters
 * or qualifiers; operators (whose '<' '(' are no brackets), lambdas,
 * anonymous namespaces, clones. Expected forms checked against Debian's
 * perf script on tests/helpers/profcpp (ns::hot<int>, ns::Worker::step) and
 * c++filt's full forms cut by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "record/record_int.h"

static void check(const char *mangled, const char *want)
{
    char buf[256];
    memset(buf, 'x', sizeof buf);
    cr_assert(pk__record_demangle(mangled, strlen(mangled), buf, sizeof buf), "%s", mangled);
    cr_assert_str_eq(buf, want, "%s", mangled);
}

Test(demangle, functions_lose_return_type_and_parameters)
{
    check("_ZN3foo3barEv", "foo::bar");
    check("_ZN2ns3hotIiEEmT_", "ns::hot<int>");
    check("_Z3maxIiET_S0_S0_", "max<int>");
    check("_ZNK2ns6Worker4stepEm", "ns::Worker::step");
    check("_ZNR2ns1A1fEv", "ns::A::f");
    check("_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back");
    check("_ZN12_GLOBAL__N_14spinEmm", "(anonymous namespace)::spin");
    check("_ZZ4mainENKUliE_clEi", "main::{lambda(int)#1}::operator()");
    check("_ZN2ns1AC2Ev", "ns::A::A");
    check("_ZN2ns1AD1Ev", "ns::A::~A");
    check("_ZN3foo3barEv.cold", "foo::bar [clone .cold]");
}

Test(demangle, operators_keep_their_symbols)
{
    check("_ZN2ns1AltERKS0_", "ns::A::operator<");
    check("_ZN2nsltIiEEbRKNS_1BIT_EES5_", "ns::operator< <int>");
    check("_ZN2ns1AclEi", "ns::A::operator()");
    check("_ZNK2ns1AcviEv", "ns::A::operator int");
    check("_Znwm", "operator new");
    check("_ZdaPv", "operator delete[]");
    check("_ZN2ns1AlsEi", "ns::A::operator<<");
    check("_ZNSt8functionIFviEEclEi", "std::function<void (int)>::operator()");
    check("_ZN2ns1AptEv", "ns::A::operator->");
    check("_ZN2ns1AixEi", "ns::A::operator[]");
}

Test(demangle, other_names_and_limits)
{
    check("_ZN2ns3VarE", "ns::Var");   /* data: no parameter list */
    char buf[8] = "keep";
    cr_assert(!pk__record_demangle("main", 4, buf, sizeof buf));
    cr_assert(!pk__record_demangle("_Z", 2, buf, sizeof buf));
    cr_assert(!pk__record_demangle("_Zjunk!", 7, buf, sizeof buf));
    cr_assert_str_eq(buf, "keep");
    /* only the first n bytes count (a symbol version cut off by the caller) */
    cr_assert(pk__record_demangle("_ZN3foo3barEv@@V1", 13, buf, sizeof buf));
    cr_assert_str_eq(buf, "foo::ba");   /* cut to fit, NUL-terminated */
}
