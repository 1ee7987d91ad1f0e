/* Line-oriented stderr logging; one write(2) per line so lines from workers never interleave. */
#include "lib/core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

log_level_t log_threshold = LOG_INFO;
static unsigned long request_id;

static const char *const names[] = {"trace", "debug", "info", "warn", "error", "fatal", "silent"};

int log_level_parse(const char *name)
{
    for (int i = 0; i <= LOG_SILENT; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void log_set_request(unsigned long id)
{
    request_id = id;
}

unsigned long log_request_id(void)
{
    return request_id;
}

void log_write(log_level_t level, const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03dZ [%d] %s ", (int)(tv.tv_usec / 1000),
                  (int)getpid(), names[level]);
    if (request_id)
        n += snprintf(line + n, sizeof line - (size_t)n, "req=%lu ", request_id);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}
