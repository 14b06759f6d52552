/* test_response.c: replies byte for byte: layout, seq echo, terminators, the time. */
#include <stdlib.h>

#include "../../src/request.h"
#include "../../src/response.h"
#include "tap.h"

#define NOW	1795530772LL

static struct buf	 out;
static struct responder	 resp;

/* One reply, NUL-terminated for comparison (a NUL terminator shows as "\0" inside). */
static const char *
reply(const char *err, const char *token, long long now, const struct value *seq,
    enum term t)
{
	static char text[512];

	buf_reset(&out);
	if (response_write(&resp, err, token, strlen(token), now, seq, t) == -1)
		return "(failed)";
	snprintf(text, sizeof text, "%.*s%s", (int)(out.len - (t == TERM_NUL)),
	    out.data, t == TERM_NUL && out.data[out.len - 1] == '\0' ? "\\0" : "");
	return text;
}

int
main(void)
{
	const struct value	none = { .type = V_ABSENT };
	const struct value	num = { .type = V_NUMBER, .s = "-12.5e3", .len = 7 };
	const struct value	str = { .type = V_STRING, .s = "a\"b\n", .len = 4 };
	const struct value	yes = { .type = V_BOOL, .b = true };
	const struct value	null = { .type = V_NULL };

	if (responder_init(&resp, &out) == -1)
		return 1;
	is_str(reply(NULL, "x.y.z", NOW, &num, TERM_LF),
	    "{\"success\":true,\"message\":\"OK\",\"token\":\"x.y.z\","
	    "\"time\":1795530772,\"seq\":-12.5e3}\n", "a token, a numeric seq as sent");
	is_str(reply(NULL, "x.y.z", NOW, &none, TERM_NUL),
	    "{\"success\":true,\"message\":\"OK\",\"token\":\"x.y.z\","
	    "\"time\":1795530772}\n\\0", "no seq, and \"\\n\\0\" after a NUL-ended request");
	is_str(reply("bad \"cmd\"", "", NOW, &str, TERM_LF),
	    "{\"success\":false,\"message\":\"bad \\\"cmd\\\"\",\"token\":\"\","
	    "\"time\":1795530772,\"seq\":\"a\\\"b\\n\"}\n",
	    "an error, and a string seq escaped again");
	is_str(reply("e", "", NOW, &yes, TERM_LF),
	    "{\"success\":false,\"message\":\"e\",\"token\":\"\","
	    "\"time\":1795530772,\"seq\":true}\n", "a boolean seq");
	is_str(reply("e", "", NOW, &null, TERM_LF),
	    "{\"success\":false,\"message\":\"e\",\"token\":\"\","
	    "\"time\":1795530772,\"seq\":null}\n", "a null seq");
	/* The time is the second each reply is written in. */
	is_str(reply(NULL, "t", NOW + 1, &none, TERM_LF),
	    "{\"success\":true,\"message\":\"OK\",\"token\":\"t\","
	    "\"time\":1795530773}\n", "the next second");
	is_str(reply(NULL, "t", NOW + 1, &none, TERM_LF),
	    "{\"success\":true,\"message\":\"OK\",\"token\":\"t\","
	    "\"time\":1795530773}\n", "the same second again");
	is_str(reply(NULL, "t", 5, &none, TERM_LF),
	    "{\"success\":true,\"message\":\"OK\",\"token\":\"t\","
	    "\"time\":5}\n", "any other second");
	responder_free(&resp);
	buf_free(&out);
	return done();
}
