/* profile_int.h — the gate's profiles (profile.c records, profile_files.c
 * writes and stores), module-private. */
#ifndef PK_CHECK_PROFILE_INT_H
#define PK_CHECK_PROFILE_INT_H

#include "core/buf.h"
#include "perfkit/check.h"
#include "perfkit/folded.h"

typedef struct pk__check_profile_ctx {
    const pk_config *config;
    const pk_check_opts *opts;
    const char *base_cwd;        /* paired mode: the base tree; NULL unpaired */
    pk_store *store;             /* the history, for a baseline's stored
                                    profile; NULL when none */
    const pk_run_meta *meta;     /* this run: names the output directory */
    char *dir;                   /* the output directory, made on first use
                                    (pk__check_profile_ctx_clear frees it) */
} pk__check_profile_ctx;

/* Record the report's profiles (profile.c): every command benchmark whose
 * `profile:` (or opts->profile_when) asks for it, into r->profiles. A
 * profile that could not be made has its error set. Errors: PK_ENOMEM,
 * PK_EINTR (a stop request: the report is left as it is). */
pk_err pk__check_profiles(pk__check_profile_ctx *x, pk_check_report *r);

/* Store every profile of r in history st after the run was stored as
 * run_id (and in paired mode its base as base_id): this run's folded
 * stacks, and the base's under base_id. A failure goes into the profile's
 * error (the run stays stored). */
void pk__check_profiles_store(pk_store *st, pk_check_report *r, int64_t run_id,
                              int64_t base_id);

void pk__check_profiles_free(pk_check_report *r);
void pk__check_profile_ctx_clear(pk__check_profile_ctx *x);

/* Add the "cpu" profile of benchmark stored with run run_id to slot 0 of p.
 * Errors: PK_ENOENT (none stored), PK_ECORRUPT, PK_EIO, PK_ENOMEM. */
pk_err pk__check_profile_load(pk_store *st, int64_t run_id, const char *benchmark,
                              pk_folded *p);

/* Write pr's files from p (slot 0 the before when pr->base says so, slot 1
 * this run): the folded stacks of each side, then the flame graph — the
 * before scaled to the after's total first — and fill pr->top. A failure
 * to write is described in err. Errors: PK_EIO, PK_EPERM, PK_ENOMEM. */
pk_err pk__check_profile_write(pk__check_profile_ctx *x, pk_folded *p, pk_check_profile *pr,
                               pk__buf *err);

#endif
