/* nodeprep.c: a name as Prosody makes it an XMPP node (rooms, tenants), with libidn. */
#include <stdio.h>
#include <string.h>

#include <stringprep.h>

#include "nodeprep.h"

static const char forbidden[] =
    "contains a character that XMPP forbids in a name (nodeprep)";

/* libidn's verdict on the len bytes at in, prepared into buf as Prosody does. */
static int
prepare(const char *in, size_t len, char buf[NODEPREP_MAX])
{
	/* U+0000 is a prohibited control character; C strings would hide it. */
	if (memchr(in, '\0', len) != NULL)
		return STRINGPREP_CONTAINS_PROHIBITED;
	memcpy(buf, in, len);
	buf[len] = '\0';
	return stringprep(buf, NODEPREP_MAX, 0, stringprep_xmpp_nodeprep);
}

/*
 * Prepare the len bytes of UTF-8 at in with the XMPP nodeprep profile
 * (RFC 3920 appendix A over RFC 3454: map, case fold, NFKC, prohibit,
 * bidi), the way Prosody prepares the node of a JID it is given: libidn's
 * stringprep with unassigned code points allowed, input under 1024 bytes.
 * out (NODEPREP_MAX bytes) gets the NUL-terminated result and *outlen its
 * length. NULL on success, or why the name can be no XMPP node; out and
 * *outlen are then untouched.
 */
const char *
nodeprep(const char *in, size_t len, char *out, size_t *outlen)
{
	char	buf[NODEPREP_MAX];
	size_t	n;

	/* Prosody refuses what it cannot copy into its 1024-byte buffer. */
	if (len >= NODEPREP_MAX)
		return "is longer than 1023 bytes";
	switch (prepare(in, len, buf)) {
	case STRINGPREP_OK:
		break;
	case STRINGPREP_CONTAINS_PROHIBITED:
		return forbidden;
	case STRINGPREP_BIDI_BOTH_L_AND_RAL:
	case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
	case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
		return "breaks the bidi rule of XMPP names: right-to-left text "
		    "must not mix with left-to-right and must start and end "
		    "right-to-left (nodeprep)";
	case STRINGPREP_TOO_SMALL_BUFFER:
		return "is longer than 1023 bytes once prepared (nodeprep)";
	case STRINGPREP_MALLOC_ERROR:
		return "could not be prepared: out of memory";
	default:
		return "is not valid UTF-8 text that XMPP can prepare (nodeprep)";
	}
	if (buf[0] == '\0')
		return "is empty once prepared (nodeprep maps all of it to nothing)";
	n = strlen(buf);
	memcpy(out, buf, n + 1);
	*outlen = n;
	return NULL;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for a stray byte). */
static size_t
seqlen(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * reason, which nodeprep gave for in, made to name the code point it
 * forbids when it is one: the first code point at which a prefix of in
 * becomes forbidden, found by bisection with libidn itself, and forbidden
 * on its own too. Written to buf; reason as it is otherwise.
 */
const char *
nodeprep_explain(const char *in, size_t len, const char *reason, char *buf,
    size_t buflen)
{
	size_t		 cut[NODEPREP_MAX + 1];
	char		 tmp[NODEPREP_MAX];
	size_t		 n = 0, i, lo, hi, mid, clen;
	unsigned long	 cp;
	int		 w;

	if (reason != forbidden || len >= NODEPREP_MAX)
		return reason;
	/* cut[k]: where the k-th code point ends; in is valid UTF-8 by now. */
	for (i = 0; i < len; i += seqlen((unsigned char)in[i]))
		cut[++n] = i + seqlen((unsigned char)in[i]) > len ? len :
		    i + seqlen((unsigned char)in[i]);
	cut[0] = 0;
	lo = 0;
	hi = n;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (prepare(in, cut[mid], tmp) == STRINGPREP_CONTAINS_PROHIBITED)
			hi = mid;
		else
			lo = mid;
	}
	if (n == 0)
		return reason;
	clen = cut[hi] - cut[hi - 1];
	if (prepare(in + cut[hi - 1], clen, tmp) != STRINGPREP_CONTAINS_PROHIBITED)
		return reason;
	/* Decoded from its own bytes only: in need not be terminated. */
	cp = (unsigned char)in[cut[hi - 1]];
	if (clen > 1)
		cp &= 0x3fu >> (clen - 1);
	for (i = 1; i < clen; i++)
		cp = cp << 6 | ((unsigned char)in[cut[hi - 1] + i] & 0x3f);
	if (cp > 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
		w = snprintf(buf, buflen, "contains \"%c\" (U+%04lX), which "
		    "XMPP forbids in a name (nodeprep)", (char)cp, cp);
	else
		w = snprintf(buf, buflen, "contains U+%04lX, which XMPP forbids "
		    "in a name (nodeprep)", cp);
	return w >= 0 && (size_t)w < buflen ? buf : reason;
}
