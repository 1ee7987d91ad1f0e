/*
 * Mail delivery. The message is rendered once (headers, quoted-printable HTML, CRLF), then
 * either uploaded over SMTP by libcurl (which does the EHLO / STARTTLS / AUTH dialogue and the
 * dot-stuffing) or piped into sendmail -i -f <from> <to> as nodemailer's sendmail transport does.
 */
#include "lib/auth/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/buf.h"
#include "lib/core/log.h"

#define SMTP_CONNECT_TIMEOUT 30L /* seconds; nodemailer waits up to 2 min, 30 s is plenty */
#define SMTP_TOTAL_TIMEOUT 120L

/* ------------------------------------------------------------------ rendering */

static bool header_safe(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n<>");
}

static bool ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* RFC 2047 encoded word (base64) for a header text that is not plain ASCII. */
static void encoded_word(buf_t *b, const char *s)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    buf_puts(b, "=?UTF-8?B?");
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        buf_putc(b, b64[v >> 18]);
        buf_putc(b, b64[(v >> 12) & 63]);
        buf_putc(b, i + 1 < n ? b64[(v >> 6) & 63] : '=');
        buf_putc(b, i + 2 < n ? b64[v & 63] : '=');
    }
    buf_puts(b, "?=");
}

static void header_text(buf_t *b, const char *s)
{
    if (ascii_printable(s))
        buf_puts(b, s);
    else
        encoded_word(b, s);
}

/* "Display Name" <address>, the name quoted (or encoded) as needed. */
static void address_header(buf_t *b, const char *name, const char *addr)
{
    if (name && *name) {
        bool plain = true; /* nodemailer quotes a name only when it needs to */
        for (const char *p = name; *p; p++)
            plain = plain && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
                              (*p >= '0' && *p <= '9') || *p == ' ' || *p == '_' || *p == '-');
        if (plain) {
            buf_puts(b, name);
        } else if (ascii_printable(name)) {
            buf_putc(b, '"');
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    buf_putc(b, '\\');
                buf_putc(b, *p);
            }
            buf_putc(b, '"');
        } else {
            encoded_word(b, name);
        }
        buf_putc(b, ' ');
    }
    buf_printf(b, "<%s>", addr);
}

/* Quoted-printable (RFC 2045): lines of at most 76 characters, CRLF breaks. */
static void quoted_printable(buf_t *b, const char *s)
{
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            buf_puts(b, "\r\n");
            col = 0;
            continue;
        }
        if (*p == '\r')
            continue;
        bool trailing_ws = (*p == ' ' || *p == '\t') && (p[1] == '\n' || p[1] == '\0');
        bool plain =
            (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !trailing_ws);
        size_t w = plain ? 1 : 3;
        if (col + w > 75) {
            buf_puts(b, "=\r\n");
            col = 0;
        }
        if (plain)
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "=%02X", *p);
        col += w;
    }
    buf_puts(b, "\r\n");
}

char *mail_render(arena_t *a, const mail_t *m, int64_t now_ms)
{
    if (!header_safe(m->from) || !header_safe(m->to) || strchr(m->from, ' ') || strchr(m->to, ' '))
        return NULL;
    buf_t b;
    buf_init(&b, a, 4096);
    buf_puts(&b, "From: ");
    address_header(&b, m->from_name, m->from);
    buf_printf(&b, "\r\nTo: %s\r\nSubject: ", m->to);
    header_text(&b, m->subject ? m->subject : "");
    unsigned char rnd[12];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        memset(rnd, 0, sizeof rnd);
    const char *domain = strrchr(m->from, '@');
    buf_puts(&b, "\r\nMessage-ID: <");
    for (size_t i = 0; i < sizeof rnd; i++)
        buf_printf(&b, "%02x", rnd[i]);
    buf_printf(&b, "@%s>\r\n", domain ? domain + 1 : "localhost");
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[64];
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(&b, "Date: %s\r\nMIME-Version: 1.0\r\n", date);
    buf_puts(&b, "Content-Type: text/html; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    quoted_printable(&b, m->html ? m->html : "");
    return b.p;
}

/* ------------------------------------------------------------------ SMTP */

typedef struct {
    const char *p;
    size_t left;
} upload_t;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
    upload_t *u = ud;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

/* A curl handle set up for the configured SMTP server; URL path = EHLO name. */
static CURL *smtp_handle(arena_t *a, const conf_t *c, char errbuf[CURL_ERROR_SIZE])
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    const char *host = c->email_smtp_host ? c->email_smtp_host : "localhost";
    int port = c->email_smtp_port ? c->email_smtp_port : c->email_smtp_secure ? 465 : 587;
    char name[256] = "localhost";
    if (c->email_smtp_name)
        snprintf(name, sizeof name, "%s", c->email_smtp_name);
    else
        gethostname(name, sizeof name - 1);
    bool v6 = strchr(host, ':') != NULL;
    char *url = arena_printf(a, "%s://%s%s%s:%d/%s", c->email_smtp_secure ? "smtps" : "smtp",
                             v6 ? "[" : "", host, v6 ? "]" : "", port, name);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     (long)(c->email_smtp_ignore_tls ? CURLUSESSL_NONE : CURLUSESSL_TRY));
    if (c->email_smtp_user || c->email_smtp_password) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->email_smtp_user ? c->email_smtp_user : "");
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->email_smtp_password ? c->email_smtp_password : "");
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, SMTP_TOTAL_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    errbuf[0] = '\0';
    return h;
}

static const char *curl_reason(arena_t *a, CURLcode rc, const char *errbuf)
{
    return arena_strdup(a, errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

static int smtp_send(arena_t *a, const conf_t *c, const mail_t *m, const char *msg,
                     const char **why)
{
    char errbuf[CURL_ERROR_SIZE];
    CURL *h = smtp_handle(a, c, errbuf);
    if (!h) {
        *why = "curl_easy_init failed";
        return -1;
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", m->to));
    upload_t up = {msg, strlen(msg)};
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, arena_printf(a, "<%s>", m->from));
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        *why = curl_reason(a, rc, errbuf);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : -1;
}

int mail_verify(arena_t *a, const conf_t *conf, const char **why)
{
    if (strcmp(conf->email_transport, "smtp") != 0)
        return 0;
    char errbuf[CURL_ERROR_SIZE];
    CURL *h = smtp_handle(a, conf, errbuf);
    if (!h) {
        *why = "curl_easy_init failed";
        return -1;
    }
    /* Connection set-up of SMTP is the greeting, EHLO, STARTTLS and AUTH; cleanup says QUIT. */
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        *why = curl_reason(a, rc, errbuf);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ sendmail */

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sendmail_send(arena_t *a, const conf_t *c, const mail_t *m, const char *msg,
                         const char **why)
{
    /* nodemailer refuses addresses that would read as options. */
    if (m->from[0] == '-' || m->to[0] == '-') {
        *why = "address starts with '-'";
        return -1;
    }
    bool unix_nl = strcmp(c->email_sendmail_new_line, "windows") != 0;
    buf_t body;
    buf_init(&body, a, strlen(msg) + 1);
    for (const char *p = msg; *p; p++)
        if (!(unix_nl && p[0] == '\r' && p[1] == '\n'))
            buf_putc(&body, *p);
    int in[2];
    if (pipe2(in, O_CLOEXEC) < 0) {
        *why = "pipe failed";
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        *why = "fork failed";
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        execl(c->email_sendmail_path, c->email_sendmail_path, "-i", "-f", m->from, m->to,
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    int wrote = write_all(in[1], body.p, body.n);
    close(in[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (wrote < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *why = arena_printf(a, "%s exited with status %d", c->email_sendmail_path,
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ sending */

static int deliver(arena_t *a, const conf_t *c, const mail_t *m, const char *msg, const char **why)
{
    if (strcmp(c->email_transport, "smtp") == 0)
        return smtp_send(a, c, m, msg, why);
    return sendmail_send(a, c, m, msg, why);
}

int mail_send(arena_t *a, const conf_t *conf, const mail_t *m, const char **why)
{
    *why = NULL;
    char *msg = mail_render(a, m, (int64_t)time(NULL) * 1000);
    if (!msg) {
        *why = "an address is not usable in a mail header";
        return -1;
    }
    return deliver(a, conf, m, msg, why);
}

int mail_send_detached(arena_t *a, const conf_t *conf, const mail_t *m)
{
    char *msg = mail_render(a, m, (int64_t)time(NULL) * 1000);
    if (!msg) {
        log_warn("mail: not sent, an address is not usable in a mail header");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        log_error("mail: fork: %s", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        return 0;
    }
    /* The child: fork again so the grandchild belongs to init, then leave at once. */
    if (fork() != 0)
        _exit(0);
    /* The grandchild must not hold the worker's sockets (FastCGI listener and connections,
     * database): close every descriptor but stdio. */
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    signal(SIGPIPE, SIG_IGN);
    const char *why = NULL;
    if (deliver(a, conf, m, msg, &why) < 0)
        log_error("mail: could not send to %s: %s", m->to, why ? why : "unknown error");
    else
        log_info("mail: sent to %s", m->to);
    _exit(0);
}
