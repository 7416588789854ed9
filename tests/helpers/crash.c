/* crash — write a line to stderr, then die of SIGSEGV. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
    fputs("crash: about to segfault\n", stderr);
    fflush(stderr);
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return 0;
}
