/*
 * Payload validation as Directus 11.3.5 runs it: @directus/utils validatePayload over a filter,
 * each field filter turned into a Joi 17.13.3 schema by generateJoi, and every Joi error detail
 * turned into a FailedValidationError by @directus/validation's
 * joiValidationErrorItemToErrorExtensions (message and extensions as Directus renders them).
 *
 * Semantics worth knowing (pinned by tests/unit/perm/test_validate.c against the real packages):
 *  - only the first key of a filter object counts, and only the first operator under a field:
 *    callers hand in filters the way Directus holds them (permission rules after parseFilter,
 *    which turns several keys into an _and; field validation as stored);
 *  - a key missing from the payload passes every operator except _submitted;
 *  - _and collects the errors of all its parts; _or passes when one part passes, else reports
 *    the errors of every part;
 *  - comparisons coerce as Joi does (numeric strings to numbers for _gt…, date strings for date
 *    limits), a value of the wrong type is a "required" failure, and where Joi's error cannot be
 *    mapped (an empty string under a string rule, _contains on a number) Directus throws a plain
 *    Error: the request then fails with 500.
 */
#ifndef LIB_PERM_VALIDATE_H
#define LIB_PERM_VALIDATE_H

#include <json-c/json.h>

#include "lib/core/arena.h"
#include "lib/core/err.h"

/*
 * validatePayload(filter, payload) plus the FailedValidationError mapping: appends one
 * FAILED_VALIDATION entry per failure to e (err_add, in Directus's order) and returns how many
 * (0: the payload passes). Returns -1 with 500 set in e (and nothing else added) where Directus
 * throws a plain Error. filter and payload are parsed JSON (payload an object); neither is
 * changed. Scratch memory from a.
 */
int perm_validate(arena_t *a, err_t *e, const struct json_object *filter,
                  const struct json_object *payload);

#endif
