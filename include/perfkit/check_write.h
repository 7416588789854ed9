/* perfkit/check_write.h — the gate's verdicts written out (lib/report).
 *
 * lib/report implements these; lib/check decides the verdicts and knows
 * nothing of them (report may depend on check, never the reverse). One
 * entry point per kind of report, a table from format to writer behind it
 * (format.h):
 *
 *   pk_check_write   a pk_check_report (perfkit check, perfkit compare):
 *                    text, json ("perfkit/check/v1"), markdown, junit;
 *   pk_check_history_write  a pk_check_history (perfkit history): text,
 *                    json ("perfkit/history/v1").
 *
 * The per-format functions stay public for callers that want one format.
 * Writers only format: every value, verdict and count comes from the
 * report. They write to a FILE* the caller opened and never close it.
 * Thread-safety: writers may run concurrently on distinct FILE*s. */
#ifndef PERFKIT_CHECK_WRITE_H
#define PERFKIT_CHECK_WRITE_H

#include <stdio.h>
#include "perfkit/api.h"
#include "perfkit/check.h"
#include "perfkit/format.h"

PK_BEGIN_DECLS

/* r in format fmt; o may be NULL (no colour, failures and changes only).
 * o->color and o->verbose apply to text only. Errors: PK_ENOTSUP (csv,
 * hyperfine-json, or not a pk_format), PK_EINVAL (f or r NULL), PK_EIO when
 * writing fails, PK_ENOMEM. */
pk_err pk_check_write(FILE *f, const pk_check_report *r, pk_format fmt, const pk_write_opts *o);

/* The table: the same report grouped by benchmark, columns aligned; without
 * o->verbose only failures, changes and a "N passed" count per group.
 * Errors: PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_write_text(FILE *f, const pk_check_report *r, const pk_write_opts *o);
/* "perfkit/check/v1" JSON. Errors: PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_write_json(FILE *f, const pk_check_report *r);
/* Markdown for a pull-request comment. Errors: PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_write_markdown(FILE *f, const pk_check_report *r);
/* JUnit XML, one testcase per item. Errors: PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_write_junit(FILE *f, const pk_check_report *r);

/* h in format fmt: text (every benchmark: name, figure, latest value, a
 * sparkline and the run count; one benchmark: a sparkline and a row per run
 * with date, commit, branch, value and the change, marked ▲ slower / ▼
 * faster; o->color: marked changes in red / green), json
 * ("perfkit/history/v1"); o may be NULL (no colour). Errors: PK_ENOTSUP
 * (other formats), PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_history_write(FILE *f, const pk_check_history *h, pk_format fmt,
                              const pk_write_opts *o);

/* The pinned baselines (perfkit baseline list): text (a row per pin:
 * benchmark, run, commit, branch, date; a sentence when none) or json
 * ("perfkit/baselines/v1": pins[{benchmark, run, started_unix_ns, commit,
 * branch, dirty}]). o unused, may be NULL. Errors: PK_ENOTSUP (other
 * formats), PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_pins_write(FILE *f, const pk_check_pins *p, pk_format fmt,
                           const pk_write_opts *o);

/* One run (perfkit baseline show): text (its metadata, then a row per
 * benchmark: primary figure, median, samples, "pinned") or json
 * ("perfkit/run/v1": run{run, started_unix_ns, commit, branch, dirty,
 * perfkit_version, fingerprint, machine}, pinned_for, benchmarks[{name,
 * figure, median, n, error, pinned}]). o unused, may be NULL. Errors:
 * PK_ENOTSUP, PK_EINVAL, PK_EIO, PK_ENOMEM. */
pk_err pk_check_run_view_write(FILE *f, const pk_check_run_view *v, pk_format fmt,
                               const pk_write_opts *o);

PK_END_DECLS
#endif
