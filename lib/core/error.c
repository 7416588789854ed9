/* error.c — messages for pk_err codes. */
#include "perfkit/error.h"

const char *pk_strerror(pk_err e)
{
    switch (e) {
    case PK_OK:        return "ok";
    case PK_EINVAL:    return "invalid argument";
    case PK_ENOMEM:    return "out of memory";
    case PK_EIO:       return "input/output error";
    case PK_EPARSE:    return "parse error";
    case PK_ENOTSUP:   return "not supported on this machine";
    case PK_ENOENT:    return "no such file or program";
    case PK_EPERM:     return "permission denied";
    case PK_ETIMEDOUT: return "timed out";
    case PK_EFAIL:     return "command failed";
    case PK_EINTR:     return "interrupted";
    case PK_ERANGE:    return "value out of range";
    case PK_ECORRUPT:  return "damaged or foreign data file";
    case PK_EBUSY:     return "busy: locked by another process";
    }
    return "unknown error";
}
