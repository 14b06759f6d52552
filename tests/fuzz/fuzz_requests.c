/* fuzz_requests.c: arbitrary bytes through framing, parsing, validation, policy, signing and the reply writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "../../src/cas.h"
#include "../../src/featureset.h"
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

/* Every token's claims must be one JSON object whose features Jitsi accepts. */
static void
check_claims(const char *token)
{
	static char	 claims[8192];
	const char	*d1 = strchr(token, '.'), *d2 = strrchr(token, '.');
	const char	*path[] = { "context", "features", NULL };
	char		 why[200];
	size_t		 len;
	yajl_val	 v, f;

	if (d1 == NULL || d2 == d1 ||
	    sodium_base642bin((unsigned char *)claims, sizeof claims - 1, d1 + 1,
	    (size_t)(d2 - d1 - 1), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		abort();
	claims[len] = '\0';
	v = yajl_tree_parse(claims, NULL, 0);
	if (!YAJL_IS_OBJECT(v))
		abort();
	f = yajl_tree_get(v, path, yajl_t_any);
	if (f != NULL && features_claim_check(f, why, sizeof why) == -1)
		abort();
	yajl_tree_free(v);
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
	if (err == NULL)
		check_claims(s->minter.token.data);
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
	static char		*tenants[] = { "acme", "t-*" };

	if (sodium_init() < 0)
		abort();
	log_init(-1);
	cas.cfg.domain = "meet.jitsi";
	cas.cfg.app_id = "skotos";
	cas.cfg.audience = "jitsi";
	cas.cfg.policy = (struct policy){ .max_valid_for = 86400,
	    .allow_moderator = true, .rooms = rooms, .nrooms = 2,
	    .allow_lobby_bypass = true, .allow_hidden_from_recorder = true,
	    .tenants = tenants, .ntenants = 2,
	    .requestable = FEATURE_BIT(11) | FEATURE_BIT(13) | FEATURE_BIT(19),
	    .given = PK_BIT(PK_FEATURES_MODERATOR) };
	/* Moderators get recording and not livestreaming; members nothing. */
	featureset_put(&cas.cfg.policy.moderator_features, 11, true);
	featureset_put(&cas.cfg.policy.moderator_features, 6, false);
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
