/* check_status.c — names of check verdicts and item kinds.
 *
 * Two spellings per status: the words people read ("not measurable here",
 * pk_check_status_name, the public one) and the identifiers machines read
 * ("not_measurable", JSON keys). Which statuses fail a report lives here too,
 * so every writer applies check.h's rule the same way. */
#include "report/check_int.h"

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
    }
    return "unknown";
}

bool pk__report_check_fails(const pk_check_report *r, pk_check_status s)
{
    switch (s) {
    case PK_CHECK_OVER_BUDGET:
    case PK_CHECK_REGRESSED:
    case PK_CHECK_ERROR:
        return true;
    case PK_CHECK_NOT_MEASURABLE:
    case PK_CHECK_INCONCLUSIVE:
        return r->strict;
    case PK_CHECK_PASS:
    case PK_CHECK_IMPROVED:
    case PK_CHECK_NO_BASELINE:
        break;
    }
    return false;
}
