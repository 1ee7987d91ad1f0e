/*
 * The read permission hook, failing closed until the permissions issue implements Directus's
 * policies: admins pass, everybody else is refused with the generic FORBIDDEN.
 */
#include "lib/perm/perm.h"

int perm_read_check(arena_t *a, err_t *e, const perm_subject_t *who,
                    const schema_collection_t *coll, const query_t *q)
{
    (void)coll;
    (void)q;
    if (who && who->admin)
        return 0;
    return err_set(e, a, ERR_FORBIDDEN, NULL);
}
