/* nodeprep.c: a name as Prosody makes it an XMPP node (rooms, tenants), with libidn. */
#include <string.h>

#include <stringprep.h>

#include "nodeprep.h"

/*
 * Prepare the len bytes of UTF-8 at in with the XMPP nodeprep profile
 * (RFC 3920 appendix A over RFC 3454: map, case fold, NFKC, prohibit,
 * bidi), the way Prosody prepares the node of a JID it is given: libidn's
 * stringprep with unassigned code points allowed, input under 1024 bytes.
 * out (NODEPREP_MAX bytes) gets the NUL-terminated result and *outlen its
 * length. NULL on success, or why the name can be no XMPP node.
 */
const char *
nodeprep(const char *in, size_t len, char *out, size_t *outlen)
{
	int rc;

	/* Prosody refuses what it cannot copy into its 1024-byte buffer. */
	if (len >= NODEPREP_MAX)
		return "is longer than 1023 bytes";
	/* U+0000 is a prohibited control character; C strings would hide it. */
	if (memchr(in, '\0', len) != NULL)
		return "contains a character that XMPP forbids in a name (nodeprep)";
	memcpy(out, in, len);
	out[len] = '\0';
	switch ((rc = stringprep(out, NODEPREP_MAX, 0, stringprep_xmpp_nodeprep))) {
	case STRINGPREP_OK:
		break;
	case STRINGPREP_CONTAINS_PROHIBITED:
		return "contains a character that XMPP forbids in a name (nodeprep)";
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
	if (out[0] == '\0')
		return "is empty once prepared (nodeprep maps all of it to nothing)";
	*outlen = strlen(out);
	return NULL;
}
