/* tap.h: the few TAP helpers the unit tests share: ok(), is_str(), done(). */
#ifndef CAS_TAP_H
#define CAS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tap_failed += !pass;
	return pass;
}

/* Compare strings, showing both when they differ. */
static __attribute__((unused)) int
is_str(const char *got, const char *want, const char *what)
{
	int pass = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;

	if (!ok(pass, "%s", what))
		printf("# got:  %s\n# want: %s\n", got ? got : "(null)",
		    want ? want : "(null)");
	return pass;
}

static __attribute__((unused)) int
done(void)
{
	printf("1..%d\n", tap_count);
	return 0;
}

#endif
