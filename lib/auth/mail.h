/*
 * Outgoing mail, as Directus's mailer (nodemailer 6.9) sends it with EMAIL_TRANSPORT=smtp
 * (EMAIL_SMTP_*, through libcurl) or sendmail (EMAIL_SENDMAIL_PATH, the message on its stdin),
 * and the `email:connection` health check (nodemailer's verify()).
 *
 * Directus does not wait for a mail to leave before it answers (a password reset answers 204
 * while nodemailer is still talking to the server, and a failure is only logged). Celer keeps
 * that: mail_send_detached() hands the finished message to a detached process, so neither the
 * worker nor the response time depends on the mail server.
 */
#ifndef LIB_AUTH_MAIL_H
#define LIB_AUTH_MAIL_H

#include "lib/core/arena.h"
#include "lib/core/conf.h"
#include "lib/core/str.h"

typedef struct {
    const char *from_name; /* display name of the sender (the project name), may be NULL */
    const char *from;      /* sender address (EMAIL_FROM) */
    const char *to;        /* one recipient address */
    const char *subject;   /* UTF-8 */
    const char *html;      /* UTF-8 body, sent as text/html */
} mail_t;

/* The RFC 5322 message for m (headers, quoted-printable body, CRLF line ends), in a. NULL when
 * an address holds characters that could break out of its header (CR, LF, NUL, '<', '>'). */
char *mail_render(arena_t *a, const mail_t *m, int64_t now_ms);

/* Sends m now, in this process: 0 when the server (or sendmail) accepted it, else -1 with a
 * short reason in *why (static or in a; never credentials). */
int mail_send(arena_t *a, const conf_t *conf, const mail_t *m, const char **why);

/* Sends m from a detached grandchild process (double fork: nothing to reap, the worker goes on
 * at once). Returns -1 only when the message cannot be built or the fork fails; the outcome of
 * the delivery is logged by the child. */
int mail_send_detached(arena_t *a, const conf_t *conf, const mail_t *m);

/* nodemailer's transporter.verify(): for SMTP a connection, EHLO, STARTTLS when offered (unless
 * EMAIL_SMTP_IGNORE_TLS) and AUTH when credentials are set, then QUIT; 0 when that worked.
 * sendmail has no verify in nodemailer and always passes. */
int mail_verify(arena_t *a, const conf_t *conf, const char **why);

#endif
