/* cli/opt.h — strict option values and friendly option errors for cli/.
 * Each parser prints the error itself (cli_error) and returns false, so a
 * caller just returns CLI_USAGE. */
#ifndef PERFKIT_CLI_OPT_H
#define PERFKIT_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A whole number (decimal digits only) up to max: "--runs: 4000000000 is
 * more than the limit of 1000000". opt_count's max is SIZE_MAX / 2. */
bool opt_count_max(const char *cmd, const char *opt, const char *val, size_t max, size_t *out);
bool opt_count(const char *cmd, const char *opt, const char *val, size_t *out);
bool opt_u64(const char *cmd, const char *opt, const char *val, uint64_t *out);
bool opt_number(const char *cmd, const char *opt, const char *val, double *out);
/* "500ms", "3s", or a bare number of seconds; at most ~584 years (what a
 * uint64_t of ns holds). */
bool opt_duration_ns(const char *cmd, const char *opt, const char *val, uint64_t *out);
/* A percentage: "2%" → 0.02. A bare number is refused ("`--threshold 5`:
 * write a percentage, e.g. --threshold 5%"), since 5 read as a fraction
 * would be 500%; only a bare 0 is taken (0 in any unit). */
bool opt_percent(const char *cmd, const char *opt, const char *val, double *out);

/* Report an unknown option arg ("--runz") with a suggestion from longopts. */
void opt_unknown(const char *cmd, const char *arg, const struct option *longopts);
/* val as one of names[0..n-1] (what: "format", "palette"...): its index in
 * *idx; else prints "OPT: unknown WHAT `val`; use a, b or c" (with a
 * did-you-mean when one is near)
 * and returns false. */
bool opt_choice(const char *cmd, const char *opt, const char *what, const char *val,
                const char *const *names, size_t n, size_t *idx);

#endif
