/* touchmem — allocate N MiB (argv[1]) and write every page, so the peak RSS
 * of the process is at least N MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: touchmem MIB\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10) << 20;
    volatile char *p = malloc(n ? n : 1);
    if (!p)
        return 1;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < n; i += (size_t)page)
        p[i] = (char)i;
    free((void *)p);
    return 0;
}
