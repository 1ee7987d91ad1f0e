/*
 * Dates as date-fns parseISO reads them, which Directus uses for payload dates (processDates)
 * and for the date functions of validation rules (year(), month(), ...): YYYY, YYYY-MM,
 * YYYY-MM-DD and YYYYMMDD, then optionally T or a space and hh[:mm[:ss[.fff]]] with Z, +hh,
 * +hh:mm or +hhmm. A date without a zone is local time in date-fns: read here as Directus reads
 * it in a process running with TZ=UTC.
 */
#ifndef LIB_CORE_ISODATE_H
#define LIB_CORE_ISODATE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/str.h"

/* Epoch milliseconds of s into *ms; false for what date-fns calls an Invalid Date. */
bool isodate_parse(str_t s, int64_t *ms);

#endif
