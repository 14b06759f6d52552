/* Benchmark limit: yajl alone parsing the stream's requests, with callbacks that do nothing, in requests/s. */

/*
 * Usage: parse_limit FILE
 * Reads FILE (newline-ended requests, as the stream rows send them) into
 * memory, then feeds the requests one by one to one yajl handle configured
 * as the server's (several values in one stream), whose callbacks accept
 * every event and keep nothing.  Prints "requests/s" (best of three rounds).
 * Every request must cost the server at least this parse and the HMAC
 * limit's signature: the two together bound what the stream can reach.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "timing.h"

#define ROUNDS 3

/* null, and the start and end of every object and array. */
static int
on_event(void *ctx)
{
	(void)ctx;
	return 1;
}

static int
on_bool(void *ctx, int b)
{
	(void)ctx;
	(void)b;
	return 1;
}

static int
on_text(void *ctx, const unsigned char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return 1;
}

/* Numbers come as text, as the server takes them (no integer callback). */
static int
on_number(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return 1;
}

static const yajl_callbacks callbacks = {
	on_event, on_bool, NULL, NULL, on_number, on_text,
	on_event, on_text, on_event, on_event, on_event
};

/* The whole of path, NUL-terminated; its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*data = NULL, *grown;
	size_t	 cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	*len = 0;
	do {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((grown = realloc(data, cap + 1)) == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = grown;
		}
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	data[*len] = '\0';
	return data;
}

int
main(int argc, char **argv)
{
	char		*data, *p, *end, *nl;
	size_t		 len, count, i;
	double		 best = 0.0, t0, dt;
	yajl_handle	 h;
	int		 round;

	if (argc != 2) {
		fprintf(stderr, "usage: parse_limit FILE\n");
		return 64;
	}
	if ((data = slurp(argv[1], &len)) == NULL) {
		perror(argv[1]);
		return 66;
	}
	for (count = 0, p = data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		count++;
	if (count == 0) {
		fprintf(stderr, "parse_limit: %s holds no request\n", argv[1]);
		return 65;
	}
	for (round = 0; round < ROUNDS; round++) {
		if ((h = yajl_alloc(&callbacks, NULL, NULL)) == NULL)
			return 71;
		yajl_config(h, yajl_allow_multiple_values, 1);
		end = data + len;
		t0 = now();
		/* One parse call per request, as the server makes once framed. */
		for (i = 0, p = data; i < count; i++, p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (yajl_parse(h, (const unsigned char *)p,
			    (size_t)(nl - p) + 1) != yajl_status_ok) {
				fprintf(stderr, "parse_limit: request %zu is not "
				    "JSON\n", i + 1);
				return 65;
			}
		}
		dt = now() - t0;
		yajl_free(h);
		if (dt > 0 && (double)count / dt > best)
			best = (double)count / dt;
	}
	printf("%.0f\n", best);
	free(data);
	return 0;
}
