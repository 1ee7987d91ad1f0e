/*
 * The download of POST /files/import, as Directus 11.3.5's FilesService.importOne makes it with
 * its axios instance: the URL (encodeurl'd), redirects followed (5 at most), compressed bodies
 * decoded, and every connection refused whose address is in IMPORT_IP_DENY_LIST ("0.0.0.0"
 * meaning this machine's own addresses, loopback networks included). The body goes to a
 * temporary file, never to memory.
 */
#ifndef LIB_SERVICES_FILES_IMPORT_H
#define LIB_SERVICES_FILES_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef struct {
    const char *path;          /* the temporary file holding the body (the caller removes it) */
    const char *effective_url; /* after redirects */
    const char *content_type;  /* the answer's Content-Type, NULL when it had none */
} files_download_t;

/* Fetches url; 0 with *out filled for a 2xx answer, -1 for anything else (refused address,
 * network error, other status). deny_list is IMPORT_IP_DENY_LIST as written (comma list). */
int files_download(arena_t *a, const char *url, const char *deny_list, files_download_t *out);

/* isDeniedIp: the address (text) is in one of the list's addresses or CIDR networks, or, with
 * "0.0.0.0" in the list, is one of this machine's addresses or in a loopback network. An entry
 * that is neither an address nor a network denies everything (Directus: "invalid config"). */
bool files_ip_denied(const char *ip, const char *deny_list);

/* encodeurl 2.0.0: percent-encodes what may not stand in a URL, keeping existing escapes. In a. */
const char *files_encode_url(arena_t *a, const char *url);

/* decodeURI(path.basename(pathname)) of a URL. NULL when decodeURI would throw. In a. */
const char *files_url_filename(arena_t *a, const char *url);

#endif
