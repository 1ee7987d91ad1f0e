/*
 * IP allow-lists of policies (directus_policies.ip_access, a comma list), matched as Directus
 * matches them with the ip-matching package (2.1): exact IPv4 / IPv6 addresses, wildcards per
 * part (`10.0.*.*`, `fe80:*::1`), CIDR subnets (`10.0.0.0/8`, `2001:db8::/32`), masks
 * (`10.0.1.0/255.0.255.0`) and ranges (`10.0.0.1-10.0.0.99`). An IPv4 address never matches an
 * IPv6 pattern or the reverse.
 */
#ifndef LIB_AUTH_IPMATCH_H
#define LIB_AUTH_IPMATCH_H

#include <stdbool.h>

#include "lib/core/str.h"

/* What ip-matching's getMatch makes of a pattern: an exact address, one with `*` parts, a
 * range, a subnet (IP/bits, bits as JavaScript's Number() reads them), a mask (IP/mask), or
 * nothing (it throws). */
typedef enum {
    IPMATCH_INVALID,
    IPMATCH_ADDRESS,
    IPMATCH_WILDCARD,
    IPMATCH_RANGE,
    IPMATCH_SUBNET,
    IPMATCH_MASK,
} ipmatch_kind_t;

ipmatch_kind_t ipmatch_kind(str_t pattern);

/* Does ip match the single pattern? A pattern ip-matching would refuse (it throws, which makes
 * Directus answer 500) matches nothing here, and so does an ip that is not an address. */
bool ipmatch_one(str_t ip, str_t pattern);

/* Does ip match any entry of the comma-separated list (entries are not trimmed, as
 * toArray(string) does not trim)? */
bool ipmatch_list(str_t ip, str_t list);

/* A list with no entries: NULL or "". */
bool ipmatch_list_is_empty(str_t list);

#endif
