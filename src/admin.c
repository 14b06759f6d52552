/* admin.c: the operator's subcommands: token, verify, check. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "admin.h"
#include "cas.h"
#include "clientconf.h"
#include "clients.h"
#include "featureset.h"
#include "jaas.h"
#include "jwks.h"
#include "log.h"
#include "policy.h"
#include "policyconf.h"
#include "pubkey.h"
#include "request.h"
#include "verify.h"

/* What token mints when neither --valid-for nor --valid-until is given. */
#define DEFAULT_VALID_FOR	3600

static void
set_string(struct request *r, enum field f, const char *s)
{
	r->f[f] = (struct value){ .type = V_STRING, .s = s, .len = strlen(s) };
}

/* 600, 90s, 10m, 2h, 1d: seconds as a decimal string, or -1. */
static int
parse_duration(const char *s, char *out, size_t outlen)
{
	static const struct { char unit; long long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }
	};
	long long	 n, mult = 1;
	char		*end;
	size_t		 i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (*end == units[i].unit)
				mult = units[i].mult;
		if (mult == 1 && *end != 's')
			return -1;
		if (end[1] != '\0')
			return -1;
	}
	if (n > LLONG_MAX / mult)
		return -1;
	snprintf(out, outlen, "%lld", n * mult);
	return 0;
}

/* A path segment of the link, percent-encoded beyond the unreserved set. */
static void
print_segment(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || strchr("-._~", *p) != NULL)
			putchar(*p);
		else
			printf("%%%02X", (unsigned char)*p);
	}
}

/* The join link: base/room, or base/tenant/room for a tenant's room. */
static void
print_link(const char *base, const char *tenant, const char *room,
    const char *token)
{
	size_t blen = strlen(base);

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	printf("%.*s/", (int)blen, base);
	if (tenant != NULL) {
		print_segment(tenant);
		putchar('/');
	}
	print_segment(room);
	printf("?jwt=%s\n", token);
}

/* --feature NAME[=true|false]: a usage error names what is wrong and the known names. */
static void
feature_option(struct request *r, const char *arg)
{
	char	names[512];
	size_t	off = 0;
	bool	on;
	int	i, n;

	if (feature_arg(arg, &i, &on) == 0 &&
	    !(r->features.given & FEATURE_BIT(i))) {
		featureset_put(&r->features, i, on);
		r->f[F_FEATURES] = (struct value){ .type = V_COMPOUND, .b = true };
		return;
	}
	if (feature_arg(arg, &i, &on) == 0)
		fatalx(EX_USAGE, "--feature %s: given more than once",
		    feature_names[i]);
	names[0] = '\0';
	for (i = 0; i < NFEATURES; i++) {
		n = snprintf(names + off, sizeof names - off, "%s%s",
		    i ? " " : "", feature_names[i]);
		if (n < 0 || (size_t)n >= sizeof names - off)
			break;
		off += (size_t)n;
	}
	fatalx(EX_USAGE, "--feature: \"%s\" is not NAME, NAME=true or "
	    "NAME=false with NAME one of: %s", arg, names);
}

/*
 * The policy token runs under: with a clients table, that of the entry
 * named, or else of the invoking user's entry, as for a connection from
 * it. NULL when that user matches none, which is logged.
 */
static const struct policy *
invoker_policy(const struct config *cfg, const char *name)
{
	const struct client	*cl;
	struct admission	 a;

	if (name != NULL) {
		if (!cfg->clients_set)
			fatalx(EX_USAGE, "--client %s: the configuration has no "
			    "clients table", name);
		if ((cl = clients_named(cfg->clients, cfg->nclients, name)) == NULL)
			fatalx(EX_USAGE, "--client: no entry of clients is named "
			    "\"%s\"", name);
		return &cl->policy;
	}
	clients_admit(cfg, -1, false, &a);
	if (a.policy == NULL)
		log_err("refused: %s: " CLIENT_REFUSED ": matches no entry of "
		    "clients", a.name);
	admission_free(&a);
	return a.policy;
}

static _Noreturn void
token_usage(void)
{
	fprintf(stderr, "usage: chat-admin-server [-c file | file] token "
	    "--room room --name name [--email email]\n"
	    "\t[--avatar url] [--id id] [--moderator] "
	    "[--valid-for duration | --valid-until epoch]\n"
	    "\t[--url [base]] [--feature name[=true|false]] [--lobby-bypass]\n"
	    "\t[--security-bypass] [--hidden-from-recorder] [--group group]\n"
	    "\t[--tenant tenant] [--client name]\n");
	exit(EX_USAGE);
}

/* Mint one token from the command line, with the protocol's rules and policy. */
int
admin_token(struct cas *cas, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "room", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "avatar", required_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ "moderator", no_argument, NULL, 'm' },
		{ "valid-for", required_argument, NULL, 'f' },
		{ "valid-until", required_argument, NULL, 'u' },
		{ "url", optional_argument, NULL, 'U' },
		{ "feature", required_argument, NULL, 'F' },
		{ "lobby-bypass", no_argument, NULL, 'L' },
		{ "security-bypass", no_argument, NULL, 'S' },
		{ "hidden-from-recorder", no_argument, NULL, 'H' },
		{ "group", required_argument, NULL, 'g' },
		{ "tenant", required_argument, NULL, 't' },
		{ "client", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct value yes = { .type = V_BOOL, .b = true };
	struct request	 r;
	struct minter	 m;
	const struct policy *policy;
	const char	*url = NULL, *err, *client = NULL;
	char		 secs[32], msg[160], base[2048];
	long long	 now = (long long)time(NULL);
	int		 ch;

	memset(&r, 0, sizeof r);
	set_string(&r, F_CMD, "jwt_token");
	r.f[F_MODERATOR] = (struct value){ .type = V_BOOL, .b = false };
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': set_string(&r, F_CHANNEL, optarg); break;
		case 'n': set_string(&r, F_DISPLAYNAME, optarg); break;
		case 'e': set_string(&r, F_EMAIL, optarg); break;
		case 'a': set_string(&r, F_AVATAR, optarg); break;
		case 'i': set_string(&r, F_ID, optarg); break;
		case 'm': r.f[F_MODERATOR].b = true; break;
		case 'f':
			if (parse_duration(optarg, secs, sizeof secs) == -1)
				fatalx(EX_USAGE, "--valid-for: \"%s\" is not a duration "
				    "such as 600, 90s, 10m, 2h or 1d", optarg);
			r.f[F_VALIDFOR] = (struct value){ .type = V_NUMBER,
			    .s = secs, .len = strlen(secs) };
			break;
		case 'u':
			r.f[F_VALIDUNTIL] = (struct value){ .type = V_NUMBER,
			    .s = optarg, .len = strlen(optarg) };
			break;
		case 'U':
			/* --url base as well as --url=base; a bare --url means JaaS's site. */
			url = optarg != NULL ? optarg : optind < argc &&
			    argv[optind][0] != '-' ? argv[optind++] : "";
			break;
		case 'F': feature_option(&r, optarg); break;
		case 'L': r.f[F_LOBBYBYPASS] = yes; break;
		case 'S': r.f[F_SECURITYBYPASS] = yes; break;
		case 'H': r.f[F_HIDDENFROMRECORDER] = yes; break;
		case 'g': set_string(&r, F_GROUP, optarg); break;
		case 't': set_string(&r, F_TENANT, optarg); break;
		case 'C': client = optarg; break;
		default: token_usage();
		}
	}
	if (optind != argc || r.f[F_CHANNEL].type == V_ABSENT ||
	    r.f[F_DISPLAYNAME].type == V_ABSENT)
		token_usage();
	if (url != NULL &&
	    jaas_link_base(&cas->cfg, url, base, sizeof base) == -1)
		fatalx(EX_USAGE, "--url: give the meeting's base URL, such as "
		    "https://meet.example.org");
	if (r.f[F_VALIDFOR].type == V_ABSENT &&
	    r.f[F_VALIDUNTIL].type == V_ABSENT) {
		snprintf(secs, sizeof secs, "%d", DEFAULT_VALID_FOR);
		r.f[F_VALIDFOR] = (struct value){ .type = V_NUMBER, .s = secs,
		    .len = strlen(secs) };
	}
	if ((policy = invoker_policy(&cas->cfg, client)) == NULL)
		return EXIT_REFUSED;
	err = request_validate(&r, now, msg, sizeof msg);
	if (err == NULL)
		err = policy_check(policy, &r, r.exp - now, msg, sizeof msg);
	if (err != NULL) {
		log_err("refused: %s", err);
		return EXIT_REFUSED;
	}
	if (minter_init(&m, &cas->cfg) == -1 ||
	    token_mint(&m, &cas->signer, &r, now) == -1)
		fatalx(EX_OSERR, "could not make the token: out of memory");
	printf("%s\n", m.token.data);
	if (url != NULL)
		print_link(base, r.f[F_TENANT].type == V_STRING ? r.tenant : NULL,
		    r.room.name, m.token.data);
	minter_free(&m);
	return fflush(stdout) == 0 ? 0 : EX_OSERR;
}

/* verify --jwks or --key: those keys, not the configured ones, check the token. */
static void
verify_keys_from(struct config *cfg, const char *jwks, const char *key)
{
	struct pubkey	*keys;
	size_t		 n;
	char		 why[256];
	const char	*file = jwks != NULL ? jwks : key;

	if (jwks != NULL && key != NULL)
		fatalx(EX_USAGE, "verify: give --jwks or --key, not both");
	if (!alg_is_rsa(cfg->alg))
		fatalx(EX_USAGE, "verify: --%s needs an RS algorithm in the "
		    "configuration (jwt.algorithm is %s)", jwks ? "jwks" : "key",
		    alg_name(cfg->alg));
	if ((jwks != NULL ? jwks_read(jwks, &keys, &n, why, sizeof why) :
	    jwks_read_pem(key, &keys, &n, why, sizeof why)) == -1)
		fatalx(EX_DATAERR, "verify: %s: %s", file, why);
	pubkeys_free(cfg->keys, cfg->nkeys);
	cfg->keys = keys;
	cfg->nkeys = n;
}

/* Check a token from the command line, or from stdin given "-". */
int
admin_verify(struct cas *cas, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "room", required_argument, NULL, 'r' },
		{ "tenant", required_argument, NULL, 't' },
		{ "jwks", required_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*room = NULL, *tenant = NULL, *jwks = NULL, *key = NULL;
	char		 line[32768];
	char		*token;
	size_t		 len;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': room = optarg; break;
		case 't': tenant = optarg; break;
		case 'j': jwks = optarg; break;
		case 'k': key = optarg; break;
		default:
			fprintf(stderr, "usage: chat-admin-server [-c file | file] verify "
			    "[--room room]\n\t[--tenant tenant] [--jwks file | --key file] "
			    "token | -\n");
			exit(EX_USAGE);
		}
	}
	if (optind != argc - 1)
		fatalx(EX_USAGE, "verify: give one token, or - to read it from stdin");
	if (jwks != NULL || key != NULL)
		verify_keys_from(&cas->cfg, jwks, key);
	token = argv[optind];
	if (strcmp(token, "-") == 0) {
		/* Nothing on stdin is an invalid token like any other. */
		if (fgets(line, sizeof line, stdin) == NULL)
			line[0] = '\0';
		token = line;
	}
	len = strlen(token);
	while (len > 0 && isspace((unsigned char)token[len - 1]))
		token[--len] = '\0';
	/* Like a connection from the invoking user, and like token. */
	if (invoker_policy(&cas->cfg, NULL) == NULL)
		return EXIT_REFUSED;
	return verify_token(cas, token, room, tenant, (long long)time(NULL),
	    stdout);
}

static void
show_endpoint(const char *name, const struct endpoint *e)
{
	if (e->set && e->port[0] != '\0')
		printf("%s: %s:%s\n", name, e->host, e->port);
	else if (e->set)
		printf("%s: (no TCP: inbound.path only)\n", name);
	else
		printf("%s: (none)\n", name);
}

static void
show_unix(const struct unixaddr *u)
{
	if (u->path == NULL)
		return;
	printf("inbound.path: %s\n", u->path);
	printf("inbound.mode: %04llo\n", u->mode);
	printf("inbound.group: %s\n", u->group ? u->group :
	    "(the listener's own)");
}

/* Print the effective settings, the secret shown only by size and source. */
int
admin_check(struct cas *cas)
{
	const struct config	*c = &cas->cfg;

	printf("config: %s\n", c->path);
	/* With JaaS the file's app_id is the AppID; iss and sub follow from it. */
	if (c->jaas) {
		printf("jitsi.domain: (not used with jitsi.jaas)\n");
		printf("jwt.app_id: %s\n", c->jaas_app_id);
	} else {
		printf("jitsi.domain: %s\n", c->domain);
		printf("jwt.app_id: %s\n", c->app_id);
	}
	printf("jwt.audience: %s\n", c->audience);
	printf("jwt.algorithm: %s\n", alg_name(c->alg));
	if (c->jaas)
		printf("jitsi.jaas: true: AppID %s; tokens carry iss \"%s\", "
		    "aud \"%s\", sub \"%s\"\n", c->jaas_app_id, c->app_id,
		    c->audience, c->domain);
	if (alg_is_rsa(c->alg)) {
		if (pubkey_list(c, stdout) == -1)
			fatalx(EX_OSERR, "check: could not describe the keys");
	} else
		printf("jwt.secret: (%zu bytes from %s)\n", c->secret.len,
		    c->secret.source);
	show_endpoint("inbound", &c->inbound);
	show_unix(&c->inbound_unix);
	show_endpoint("outbound", &c->outbound);
	policy_print(stdout, &c->policy, "policy");
	/* With a clients table the top-level policy is only what entries inherit. */
	if (!c->clients_set)
		policy_warn(&c->policy, c->path, "policy");
	if (c->outbound.set) {
		policy_print(stdout, &c->outbound_policy, "outbound.policy");
		policy_warn(&c->outbound_policy, c->path, "outbound.policy");
	}
	clients_print(stdout, c);
	clients_warn(c);
	printf("limits.max_request_bytes: %lld\n", c->max_request_bytes);
	printf("limits.idle_timeout: %lld\n", c->idle_timeout);
	printf("limits.max_connections: %lld\n", c->max_connections);
	printf("limits.max_requests_per_connection: %lld\n",
	    c->max_requests_per_connection);
	printf("limits.spare_processes: %lld\n", c->spare_processes);
	printf("configuration OK\n");
	return fflush(stdout) == 0 ? 0 : EX_OSERR;
}
