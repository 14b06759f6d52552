/* log.h: where log lines go (journal, syslog or stderr), and the fatal start-up exits. */
#ifndef CAS_LOG_H
#define CAS_LOG_H

#include <stddef.h>
#include <syslog.h>

#define CAS_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_init(int);
int	log_enabled(int);
void	log_msg(int, const char *, ...) CAS_PRINTF(2, 3);
size_t	log_clean(char *, size_t, const char *, size_t);
_Noreturn void fatal(int, const char *, ...) CAS_PRINTF(2, 3);
_Noreturn void fatalx(int, const char *, ...) CAS_PRINTF(2, 3);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
