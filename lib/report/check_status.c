/* check_status.c — identifiers of check verdicts and item kinds.
 *
 * Two spellings per status: the words people read ("not measurable here")
 * are lib/check's (pk_check_status_name); the identifiers machines read
 * ("not_measurable", JSON keys) are the writers' and live here. Which
 * statuses fail a report is lib/check's rule (pk_check_status_fails). */
#include "report/check_int.h"

const char *pk__report_check_status_id(pk_check_status s)
{
    switch (s) {
    case PK_CHECK_PASS:           return "pass";
    case PK_CHECK_OVER_BUDGET:    return "over_budget";
    case PK_CHECK_REGRESSED:      return "regressed";
    case PK_CHECK_IMPROVED:       return "improved";
    case PK_CHECK_INCONCLUSIVE:   return "inconclusive";
    case PK_CHECK_NOT_MEASURABLE: return "not_measurable";
    case PK_CHECK_NO_BASELINE:    return "no_baseline";
    case PK_CHECK_ERROR:          return "error";
    }
    return "unknown";
}

const char *pk__report_check_kind_name(pk_check_kind k)
{
    switch (k) {
    case PK_ITEM_BUDGET:     return "budget";
    case PK_ITEM_REGRESSION: return "regression";
    case PK_ITEM_SIZE:       return "size";
    case PK_ITEM_SIZE_REGRESSION: return "size_regression";
    }
    return "unknown";
}

bool pk__report_check_fails(const pk_check_report *r, pk_check_status s)
{
    return pk_check_status_fails(s, r->strict);
}
