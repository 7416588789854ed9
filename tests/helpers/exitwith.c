/* exitwith — exit with code argv[1], after writing argv[2] (if given) and a
 * newline to stderr. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: exitwith CODE [MESSAGE]\n");
        return 2;
    }
    if (argc > 2)
        fprintf(stderr, "%s\n", argv[2]);
    return atoi(argv[1]);
}
