/*
 * Logging to stderr, one line per event: time, pid, level, request id, message. The level is
 * checked before anything is formatted (Redis serverLog). Never log tokens, passwords or bound
 * values: callers pass only what is safe to keep.
 */
#ifndef LIB_CORE_LOG_H
#define LIB_CORE_LOG_H

typedef enum { LOG_TRACE, LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_FATAL, LOG_SILENT } log_level_t;

/* Current threshold; messages below it are dropped. Default LOG_INFO. */
extern log_level_t log_threshold;

/* Parses a Directus/pino level name (trace, debug, info, warn, error, fatal, silent). -1 if unknown. */
int log_level_parse(const char *name);

/* The id printed on every line until changed (0 = none): the worker sets it per request. */
void log_set_request(unsigned long id);
/* The id set last (0 = none): per-request state can tell one request from the next by it. */
unsigned long log_request_id(void);

void log_write(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...)                                                                           \
    do {                                                                                           \
        if ((lvl) >= log_threshold)                                                                \
            log_write((lvl), __VA_ARGS__);                                                         \
    } while (0)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)

#endif
