#!/bin/sh
# checksrc: keep banned calls out of lib/ (curl style). The library never
# prints, exits or aborts, and allocates only through pk_malloc & friends.
rc=0
hits=$(grep -nE '\b(printf|puts|putchar|perror|exit|_exit|abort|malloc|calloc|realloc|strdup|strndup)\s*\(' lib/*/*.c \
       | grep -vE 'pk_(malloc|calloc|realloc|strdup|strndup)|snprintf|vsnprintf|fprintf\(f,|/\*' \
       | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//)' \
       | grep -v 'lib/core/alloc.c')
if [ -n "$hits" ]; then
    echo "checksrc: banned calls in lib/:"; echo "$hits"; rc=1
fi
big=$(wc -l lib/*/*.c lib/*/*.h cli/*.c include/perfkit/*.h | awk '$2 != "total" && $1 > 800 {print "  " $2 " (" $1 " lines)"}')
if [ -n "$big" ]; then
    echo "checksrc: files over 800 lines:"; echo "$big"; rc=1
fi
[ $rc -eq 0 ] && echo "checksrc: ok"
exit $rc
