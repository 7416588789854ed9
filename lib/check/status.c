/* status.c — what a check verdict is called and whether it fails the gate.
 *
 * The words people read for each pk_check_status, and the gate's one rule
 * for which verdicts fail a report (check.h). pk_check_evaluate and every
 * writer in lib/report ask here, so a verdict can never pass in one place
 * and fail in another. pk__check_set_status is the one rule that turns a
 * comparison into a regression item's status, in every mode. */
#include "perfkit/check.h"

#include <math.h>

#include "check/check_int.h"
#include "perfkit/figure.h"

const char *pk_check_status_name(pk_check_status s)
{
    switch (s) {
    case PK_CHECK_PASS:           return "pass";
    case PK_CHECK_OVER_BUDGET:    return "over budget";
    case PK_CHECK_REGRESSED:      return "regressed";
    case PK_CHECK_IMPROVED:       return "improved";
    case PK_CHECK_INCONCLUSIVE:   return "inconclusive";
    case PK_CHECK_NOT_MEASURABLE: return "not measurable here";
    case PK_CHECK_NO_BASELINE:    return "no baseline";
    case PK_CHECK_ERROR:          return "error";
    }
    return "unknown";
}

bool pk_check_status_fails(pk_check_status s, bool strict)
{
    switch (s) {
    case PK_CHECK_OVER_BUDGET:
    case PK_CHECK_REGRESSED:
    case PK_CHECK_ERROR:
        return true;
    case PK_CHECK_NOT_MEASURABLE:
    case PK_CHECK_INCONCLUSIVE:
        return strict;
    case PK_CHECK_PASS:
    case PK_CHECK_IMPROVED:
    case PK_CHECK_NO_BASELINE:
        break;
    }
    return false;
}

const char *pk_check_mode_name(pk_check_mode m)
{
    switch (m) {
    case PK_CHECK_MODE_NONE:    return "none";
    case PK_CHECK_MODE_HISTORY: return "history";
    case PK_CHECK_MODE_PAIRED:  return "paired";
    case PK_CHECK_MODE_RUNS:    return "runs";
    }
    return "unknown";
}

void pk__check_set_status(pk_check_item *it, double threshold)
{
    pk_change ch = pk_figure_change(it->figure, it->cmp.verdict);
    if (ch == PK_CHANGE_WORSE)
        it->status = PK_CHECK_REGRESSED;
    else if (ch == PK_CHANGE_BETTER)
        it->status = PK_CHECK_IMPROVED;
    else if (fabs(it->cmp.ratio - 1.0) > threshold)
        it->status = PK_CHECK_INCONCLUSIVE;
    else
        it->status = PK_CHECK_PASS;
}

void pk__check_compare_opts(const pk_policy *pol, pk_compare_opts *co)
{
    pk_compare_opts_init(co);
    co->alpha = pol->alpha;
    co->threshold = pol->threshold;
    co->method = pol->method;
}
