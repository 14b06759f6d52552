/* b64url.c: unpadded base64url, the encoding of every part of a JWS. */
#include "b64url.h"

/*
 * Unpadded base64url, as JWS requires (RFC 7515 section 2). Nothing encoded
 * here is secret (the signature is public once sent), so a plain table
 * lookup does; libsodium's constant-time encoder cost more than the HMAC.
 */
int
b64url_append(struct buf *b, const void *p, size_t n)
{
	static const char	 alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*in = p;
	char			*out;
	size_t			 i;
	unsigned long		 v;

	if (n > ((size_t)-1 - 4) / 4 * 3 || buf_reserve(b, 4 * ((n + 2) / 3) + 1) == -1)
		return -1;
	out = b->data + b->len;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		*out++ = alphabet[(v >> 6) & 63];
		*out++ = alphabet[v & 63];
	}
	if (i < n) {
		v = (unsigned long)in[i] << 16 | (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0);
		*out++ = alphabet[v >> 18];
		*out++ = alphabet[(v >> 12) & 63];
		if (i + 1 < n)
			*out++ = alphabet[(v >> 6) & 63];
	}
	b->len = (size_t)(out - b->data);
	return 0;
}
