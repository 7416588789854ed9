/* perfkit/error.h — result codes shared by every libperfkit function.
 *
 * Every fallible function returns pk_err; 0 is success. The set is closed and
 * append-only: values never change meaning once released. */
#ifndef PERFKIT_ERROR_H
#define PERFKIT_ERROR_H

#include "perfkit/api.h"

PK_BEGIN_DECLS

typedef enum pk_err {
    PK_OK = 0,
    PK_EINVAL = 1,   /* an argument or option is invalid */
    PK_ENOMEM = 2,   /* an allocation failed */
    PK_EIO = 3,      /* a read, write, spawn or wait failed */
    PK_EPARSE = 4,   /* input text could not be parsed */
    PK_ENOTSUP = 5,  /* cannot be measured or done on this machine */
    PK_ENOENT = 6,   /* a file or program does not exist */
    PK_EPERM = 7,    /* permission denied (not executable, not writable) */
    PK_ETIMEDOUT = 8,/* a deadline passed */
    PK_EFAIL = 9,    /* a measured command failed (non-zero exit, signal) */
    PK_EINTR = 10,   /* interrupted: the caller's stop flag or a cancel
                        request (perfkit/cancel.h) */
    PK_ERANGE = 11,  /* a value is out of its allowed range */
    PK_ECORRUPT = 12,/* a data file is damaged or is not perfkit's (never overwritten) */
    PK_EBUSY = 13,   /* a lock could not be taken in time (another perfkit process) */
} pk_err;

/* A static English description of e; never NULL, also for unknown values.
 * Thread-safety: safe. */
const char *pk_strerror(pk_err e);

PK_END_DECLS
#endif
