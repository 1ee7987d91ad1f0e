/*
 * multipart/form-data as busboy 1.6 (Directus 11.3.5's upload parser) reads it, over a body
 * that is already complete in memory or mapped from nginx's spooled file: parts are slices of
 * that body, nothing is copied, so an upload of any size costs no heap.
 *
 * What busboy does and this keeps: a CRLF is assumed before the body (no preamble needed), the
 * delimiter is CRLF "--" boundary, text before the first one is ignored, "--" after a delimiter
 * ends the form (what follows is ignored), a part's headers end at an empty line (16 KB at most,
 * names are tokens, values visible characters, folded lines joined), a part without a
 * Content-Disposition of type form-data is skipped, and a part is a file when its disposition
 * has a filename (filename* first, reduced to its basename) or its type is
 * application/octet-stream. Errors carry busboy's messages ("Malformed part header",
 * "Unexpected end of form"), which Directus answers as a 500.
 */
#ifndef LIB_HTTP_MULTIPART_H
#define LIB_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/core/arena.h"
#include "lib/core/str.h"

typedef struct {
    str_t name;     /* the disposition's name parameter; STR_NULL when absent */
    str_t filename; /* basename of filename* / filename, decoded; valid when has_filename */
    bool has_filename;
    bool is_file; /* busboy's 'file' event rather than 'field' */
    str_t type;   /* "type/subtype" lower case; "text/plain" when absent or malformed */
    str_t data;   /* the content: a slice of the body */
} mp_part_t;

typedef struct {
    const char *p; /* the body */
    size_t n;
    size_t pos;        /* next byte to read */
    const char *delim; /* "\r\n--" boundary */
    size_t dn;
    bool started; /* the first delimiter was found */
    bool done;    /* the closing delimiter was read */
} mp_parser_t;

/* The boundary parameter of a Content-Type (quoted or not), in a. -1 when there is none. */
int mp_boundary(arena_t *a, str_t content_type, str_t *boundary);

/* True when the type is multipart/form-data (type-is's req.is, parameters ignored). */
bool mp_is_form_data(str_t content_type);

void mp_init(mp_parser_t *m, arena_t *a, str_t boundary, const char *body, size_t n);

/* The next part that is a field or a file (skipped parts are passed over). 1: *part filled;
 * 0: the form ended; -1: malformed, *msg is busboy's message. */
int mp_next(mp_parser_t *m, arena_t *a, mp_part_t *part, const char **msg);

#endif
