/* demangle.c — C++ symbol names made readable, as perf script shows them:
 * "_ZN2ns3hotIiEEmT_" → "ns::hot<int>", "_ZNK2ns6Worker4stepEm" →
 * "ns::Worker::step": the qualified name with its template arguments,
 * without the return type, the parameter list and the cv/ref qualifiers
 * after it (perf's default demangling; stackcollapse-perf.pl drops the
 * parameters too, so `perfkit collapse` of perf script output and perfkit
 * record name a function alike and their profiles diff). Overloads of one
 * name therefore share a frame, as in perf. A clone keeps its suffix
 * ("f [clone .cold]").
 *
 * The demangler is libstdc++'s __cxa_demangle (Itanium C++ ABI), found at
 * run time: in the process already (a C++ program linking libperfkit), else
 * by dlopen("libstdc++.so.6"), once. libperfkit itself does not link
 * libstdc++, so C programs using it do not carry it; a machine without
 * libstdc++ has no C++ programs to profile either, and keeps the raw names.
 * Only names starting with "_Z" are tried; a name the demangler refuses
 * stays as it was. References: Itanium C++ ABI, "Mangling"
 * (itanium-cxx-abi.github.io/cxx-abi/abi.html#mangling); libstdc++'s
 * cxxabi.h (abi::__cxa_demangle). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "record_int.h"

typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

static cxa_demangle_fn demangler;
static pthread_once_t demangler_once = PTHREAD_ONCE_INIT;

static void find_demangler(void)
{
    void *sym = dlsym(RTLD_DEFAULT, "__cxa_demangle");
    if (!sym) {
        void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);   /* kept open */
        sym = lib ? dlsym(lib, "__cxa_demangle") : NULL;
    }
    /* POSIX: a data pointer from dlsym converts to a function pointer */
    memcpy(&demangler, &sym, sizeof demangler);
}

/* At s[i] after the keyword "operator": the length of the operator's
 * symbol ("()", "[]", "<<=", "->", ...; 0 for "operator new", a conversion
 * "operator int"), so its '<' '>' '(' are not taken for brackets. */
static size_t operator_len(const char *s, size_t i)
{
    if ((s[i] == '(' && s[i + 1] == ')') || (s[i] == '[' && s[i + 1] == ']'))
        return 2;
    return strspn(s + i, "<>=!-+*/%^&|~,");
}

static bool ident(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The keyword "operator" at s[i], not part of a longer identifier. */
static bool operator_at(const char *s, size_t i)
{
    return !strncmp(s + i, "operator", 8) && (i == 0 || !ident(s[i - 1])) && !ident(s[i + 8]);
}

/* __cxa_demangle's full form, cut to the name in place: from "RET
 * ns::f<T>(ARGS) const [clone .cold]" to "ns::f<T> [clone .cold]". The
 * return type ends at the last space outside brackets before the name
 * (before any "operator" keyword: "operator new" keeps its space); the
 * parameters are the last top-level "(...)". */
static void shorten(char *s)
{
    size_t n = strlen(s), depth = 0, params = SIZE_MAX, ret_end = 0, space = 0;
    bool in_operator = false;
    char *clone = strstr(s, " [clone ");
    size_t end = clone ? (size_t)(clone - s) : n;
    for (size_t i = 0; i < end; i++) {
        char c = s[i];
        if (depth == 0 && operator_at(s, i)) {
            in_operator = true;
            i += 8 + operator_len(s, i + 8) - 1;   /* the loop's i++ passes it */
            continue;
        }
        if (c == '<' || c == '(' || c == '[' || c == '{') {
            if (depth == 0 && c == '(') {
                params = i;
                ret_end = space;   /* the return type: before the last space */
            }
            depth++;
        } else if ((c == '>' || c == ')' || c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (c == ' ' && depth == 0 && !in_operator) {
            space = i + 1;
        }
    }
    if (params == SIZE_MAX)
        return;   /* not a function's form: keep it whole */
    size_t keep = params - ret_end;
    memmove(s, s + ret_end, keep);
    if (clone) {
        size_t k = n - (size_t)(clone - s);
        memmove(s + keep, clone, k);
        keep += k;
    }
    s[keep] = '\0';
}

bool pk__record_demangle(const char *name, size_t n, char *buf, size_t len)
{
    if (n < 3 || name[0] != '_' || name[1] != 'Z' || len == 0)
        return false;
    pthread_once(&demangler_once, find_demangler);
    char mangled[1024];
    if (!demangler || n >= sizeof mangled)
        return false;
    memcpy(mangled, name, n);
    mangled[n] = '\0';
    int status = -1;
    char *out = demangler(mangled, NULL, NULL, &status);
    bool ok = status == 0 && out;
    if (ok) {
        shorten(out);
        size_t k = strlen(out);
        if (k >= len)
            k = len - 1;
        memcpy(buf, out, k);
        buf[k] = '\0';
    }
    free(out);   /* the demangler's malloc, not ours */
    return ok;
}
