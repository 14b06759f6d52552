/* cfgtext.h: a configuration given as text, written to a file and loaded, for the unit tests of config_load. */
#ifndef CAS_TEST_CFGTEXT_H
#define CAS_TEST_CFGTEXT_H

#include <sys/stat.h>

#include <stdio.h>

#include "../../src/config.h"

/* Made by mkstemp in main, removed at the end. */
static char path[] = "/tmp/cas-config-XXXXXX";

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

/* The status of loading text, 0 when it loaded; the message stays in last. */
static struct cfgerr last;

static int
status_of(const char *text)
{
	struct config	cfg;
	int		rc;

	write_file(text);
	if ((rc = config_load(&cfg, path, &last)) == 0)
		config_free(&cfg);
	return rc;
}

#endif
