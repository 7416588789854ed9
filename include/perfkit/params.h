/* perfkit/params.h — parameters of a benchmark and the commands they make.
 *
 * One generator for `perfkit bench -P/-L` and for `parameter-scan` /
 * `parameter-list` in perfkit.yml, so both spell every value alike:
 *
 *   scan LO..HI by STEP   integers print as integers, exactly, for every
 *                         integer a double holds exactly (10000000000, not
 *                         1e+10); decimal steps are exact decimal arithmetic
 *                         (no float drift: 0.1 + 0.2 is 0.3) and every value
 *                         has as many decimals as the step, or as LO when LO
 *                         has more: `-P t 1 2 -D 0.5` gives 1.0 1.5 2.0
 *                         (hyperfine prints the first one as 1);
 *   list A,B,C            split at commas, each value as written;
 *
 * at most PK_PARAMS_MAX values. pk_cmd_list_expand() then substitutes
 * `{name}` into the command, prepare and conclude of each template, once
 * per value, making at most PK_PARAMS_MAX commands in all: one rule
 * (pk_params_check_count) for scans, lists, the command line and the
 * config. A command split into words gets each value as written (a value
 * with blanks becomes several words); a command run by /bin/sh -c gets it
 * quoted for the shell (pk_cmd_list_expand_sh), so it is never syntax.
 *
 * Thread-safety: every function is safe on distinct arguments; a pk_params
 * or pk_cmd_list is plain data owned by the caller. */
#ifndef PERFKIT_PARAMS_H
#define PERFKIT_PARAMS_H

#include <stddef.h>
#include "perfkit/api.h"
#include "perfkit/cmdbench.h"
#include "perfkit/diag.h"
#include "perfkit/error.h"

PK_BEGIN_DECLS

/* Most values one parameter may take (as hyperfine), and most commands
 * templates × values may make. */
#define PK_PARAMS_MAX 100000

/* A parameter and its values, in order. Every string is pk_malloc'd and
 * owned by the struct (pk_params_free). A zeroed struct is empty. */
typedef struct pk_params {
    char *name;
    char **values;
    size_t n;
} pk_params;

/* A scan as written by the user. The *_what strings name the inputs in
 * messages: "LO", "HI", "--step" on a command line, "`from`", "`to`",
 * "`step`" in a file; NULL gives "LO", "HI", "STEP". */
typedef struct pk_param_scan {
    const char *lo, *hi;     /* decimal numbers: "1", "0.25", "1e10", "-3" */
    const char *step;        /* > 0; NULL: 1, and then LO and HI must be integers */
    const char *lo_what, *hi_what, *step_what;
} pk_param_scan;

/* Which input of a scan an error is about, so a caller can point at it. */
typedef enum pk_param_arg {
    PK_PARAM_ARG_SCAN = 0,   /* the scan as a whole (too many values, ...) */
    PK_PARAM_ARG_LO,
    PK_PARAM_ARG_HI,
    PK_PARAM_ARG_STEP,
} pk_param_arg;

/* The values LO, LO+STEP, ... up to and including HI (HI itself when it is
 * reached exactly). On PK_OK *out (overwritten, not freed) owns name and
 * values. On error *out is empty, *bad (may be NULL) says which input is at
 * fault and diag (may be NULL) gets a message without position, e.g. "LO 5
 * is greater than HI 1". Errors: PK_EINVAL — a bound or step that is not a
 * decimal number ("invalid value `x` for HI: expected a number"), LO > HI,
 * STEP <= 0, non-integer bounds without STEP, more than PK_PARAMS_MAX
 * values, an integer a double cannot hold exactly (above 2^53) or a decimal
 * with more than 18 significant digits; PK_ENOMEM. */
pk_err pk_params_scan(const char *name, const pk_param_scan *s, pk_params *out,
                      pk_param_arg *bad, pk_diag *diag);

/* The one rule on how many: n_values values of a parameter (0: no
 * parameter) for each of n_tmpl templates. Errors: PK_EINVAL when n_values
 * is more than PK_PARAMS_MAX (diag, may be NULL: "100001 values; at most
 * 100000") or the commands n_tmpl × max(n_values, 1) are ("3 commands ×
 * 50000 values make 150000 commands; at most 100000"). */
pk_err pk_params_check_count(size_t n_values, size_t n_tmpl, pk_diag *diag);

/* The comma-separated values of list ("1,2,4"; "a,,b" has an empty middle
 * value). On PK_OK *out owns name and values. Errors: PK_EINVAL (NULL, more
 * than PK_PARAMS_MAX values, counted before any is copied; diag says so as
 * pk_params_check_count), PK_ENOMEM. */
pk_err pk_params_list(const char *name, const char *list, pk_params *out, pk_diag *diag);

void pk_params_free(pk_params *p);   /* frees the strings, leaves *p empty; NULL ok */

/* Concrete commands, ready for pk_cmdbench_run(). Every non-NULL string of
 * cmds[i] is owned by the list (pk_cmd_list_free). */
typedef struct pk_cmd_list {
    pk_cmdbench_cmd *cmds;
    size_t n;
} pk_cmd_list;

/* The commands of tmpl[0..n_tmpl-1] for every value of p (NULL or no values:
 * each template once, copied): value-major, so with templates A B and
 * values 1 2 the order is A1 B1 A2 B2. In command, prepare and conclude every
 * `{name}` becomes the value (pk_shellwords_subst), and param_name /
 * param_value record it. A template's display name: NULL stays NULL (the
 * command is shown), a name with `{name}` in it is substituted, any other
 * name gets "/<value>" appended so each command keeps a distinct name.
 * On error *out is empty. Errors: PK_EINVAL (NULL tmpl or out, n_tmpl 0, a
 * template without command, more commands than pk_params_check_count
 * allows), PK_ENOMEM. */
pk_err pk_cmd_list_expand(const pk_cmdbench_cmd *tmpl, size_t n_tmpl, const pk_params *p,
                          pk_cmd_list *out);

/* pk_cmd_list_expand for commands /bin/sh -c runs (pk_cmdbench_opts.shell):
 * values go into command, prepare and conclude with pk_shellwords_subst_sh
 * (shellwords.h), quoted for where each `{name}` stands, so `-L n 'x;touch
 * pwned'` gives `echo 'x;touch pwned'` and the program gets one word.
 * Display names get the value as written. Errors: as pk_cmd_list_expand. */
pk_err pk_cmd_list_expand_sh(const pk_cmdbench_cmd *tmpl, size_t n_tmpl, const pk_params *p,
                             pk_cmd_list *out);

/* The command the others are compared against, `perfkit bench --reference`:
 * ref is a 1-based index into l, or the text or display name of one of its
 * commands (the first that matches); anything else is a command of its own,
 * inserted as l->cmds[0] (so every index shifts by one). *index receives the
 * reference's 0-based index; ref NULL gives 0. Errors: PK_EINVAL (an index
 * out of range: diag says "reference 7: there are 3 commands (1-3)"),
 * PK_ENOMEM (l unchanged). */
pk_err pk_cmd_list_reference(pk_cmd_list *l, const char *ref, size_t *index, pk_diag *diag);

void pk_cmd_list_free(pk_cmd_list *l);   /* leaves *l empty; NULL ok */

PK_END_DECLS
#endif
