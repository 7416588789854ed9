/* profile/flame_int.h — what the flame writers of lib/profile share; not
 * installed. */
#ifndef PK_PROFILE_FLAME_INT_H
#define PK_PROFILE_FLAME_INT_H

#include "perfkit/flame.h"

/* The SVG's embedded stylesheet and script (flame_js.c), the script in
 * parts, NULL-terminated. */
extern const char pk__flame_style[];
extern const char *const pk__flame_script[];

/* PK_OK when o is in range (perfkit/flame.h), else PK_EINVAL. */
pk_err pk__flame_check(const pk_flame_opts *o);

#endif
