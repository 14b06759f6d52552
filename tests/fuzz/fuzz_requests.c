/* fuzz_requests.c: arbitrary bytes through framing, parsing, validation, policy, signing and the reply writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "../../src/cas.h"
#include "../../src/frame.h"
#include "../../src/log.h"
#include "../../src/policy.h"
#include "../../src/request.h"
#include "../../src/response.h"

struct sink {
	struct cas	*cas;
	struct minter	 minter;
	struct buf	 out;
	struct responder resp;
	size_t		 answers;
};

/* Every reply must be one compact JSON object and its terminator. */
static void
check_reply(struct sink *s, enum term t)
{
	size_t	 tl = t == TERM_NUL ? 2 : 1;
	char	*text;

	if (s->out.len < tl + 2 || s->out.data[s->out.len - tl] != '\n')
		abort();
	if ((text = malloc(s->out.len - tl + 1)) == NULL)
		abort();
	memcpy(text, s->out.data, s->out.len - tl);
	text[s->out.len - tl] = '\0';
	yajl_val v = yajl_tree_parse(text, NULL, 0);
	if (!YAJL_IS_OBJECT(v))
		abort();
	yajl_tree_free(v);
	free(text);
}

static bool
answer(void *arg, struct request *r, enum term t)
{
	struct sink	*s = arg;
	const long long	 now = 1795530772;
	const char	*err;
	char		 msg[160];

	err = request_validate(r, now, msg, sizeof msg);
	if (err == NULL)
		err = policy_check(&s->cas->cfg.policy, r, r->exp - now, msg,
		    sizeof msg);
	if (err == NULL && token_mint(&s->minter, &s->cas->signer, r, now) == -1)
		err = "internal error";
	buf_reset(&s->out);
	if (response_write(&s->resp, err, err ? "" : s->minter.token.data,
	    s->minter.token.len, now, &r->f[F_SEQ], t) == -1)
		abort();
	check_reply(s, t);
	s->answers++;
	return true;
}

static struct cas *
setup(void)
{
	static struct cas	 cas;
	static char		*rooms[] = { "lobby", "game-*" };

	if (sodium_init() < 0)
		abort();
	log_init(-1);
	cas.cfg.domain = "meet.jitsi";
	cas.cfg.app_id = "skotos";
	cas.cfg.audience = "jitsi";
	cas.cfg.policy = (struct policy){ .max_valid_for = 86400,
	    .allow_moderator = true, .rooms = rooms, .nrooms = 2 };
	if (secret_set(&cas.cfg.secret, "0123456789abcdef0123456789abcdef",
	    32, "fuzz") == -1 ||
	    signer_init(&cas.signer, ALG_HS256, &cas.cfg.secret) == -1)
		abort();
	return &cas;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cas	*cas;
	static struct sink	 s;
	struct frame		 fr;

	if (cas == NULL) {
		cas = setup();
		s.cas = cas;
		if (minter_init(&s.minter, &cas->cfg) == -1 ||
		    responder_init(&s.resp, &s.out) == -1)
			abort();
	}
	/* A small limit, so that oversized requests are explored too. */
	if (frame_init(&fr, 512, answer, &s) == -1)
		abort();
	if (frame_feed(&fr, data, size) == -1 || frame_eof(&fr) == -1)
		abort();
	frame_free(&fr);
	return 0;
}
