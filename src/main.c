/* main.c: options, configuration, mode, run. */
#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "admin.h"
#include "cas.h"
#include "config.h"
#include "log.h"
#include "pubkey.h"
#include "secret.h"
#include "serve.h"
#include "settings.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/chat-admin-server.json"

static _Noreturn void
usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: chat-admin-server [-iqv] [-c file | file]\n"
	    "       chat-admin-server [-qv] [-c file | file] token --room room --name name\n"
	    "           [--email email] [--avatar url] [--id id] [--moderator]\n"
	    "           [--valid-for duration | --valid-until epoch] [--url [base]]\n"
	    "           [--feature name[=true|false]] [--lobby-bypass] [--security-bypass]\n"
	    "           [--hidden-from-recorder] [--group group] [--tenant tenant]\n"
	    "           [--client name]\n"
	    "       chat-admin-server [-qv] [-c file | file] verify [--room room]\n"
	    "           [--tenant tenant] [--jwks file | --key file] token | -\n"
	    "       chat-admin-server [-qv] [-c file | file] check\n"
	    "       chat-admin-server [-qv] [-c file | file] pubkey [--jwks | --asap dir]\n"
	    "       chat-admin-server -h | -V\n");
	exit(status);
}

enum command { CMD_SERVE, CMD_TOKEN, CMD_VERIFY, CMD_CHECK, CMD_PUBKEY };

static enum command
command_named(const char *s)
{
	if (strcmp(s, "token") == 0)
		return CMD_TOKEN;
	if (strcmp(s, "verify") == 0)
		return CMD_VERIFY;
	if (strcmp(s, "check") == 0)
		return CMD_CHECK;
	if (strcmp(s, "pubkey") == 0)
		return CMD_PUBKEY;
	return CMD_SERVE;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "inetd", no_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static struct cas	 cas;
	struct cfgerr		 err;
	const char		*config = NULL;
	enum command		 cmd = CMD_SERVE;
	bool			 inetd = false;
	int			 ch, verbosity = 0, rc;

	/* fnmatch(3) then takes a room's "?" for a character, not a byte of it. */
	(void)setlocale(LC_CTYPE, "C.UTF-8");
	/* Options stop at the first operand: the subcommand's come after it. */
	while ((ch = getopt_long(argc, argv, "+c:iqvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'i': inetd = true; break;
		case 'q': verbosity = -1; break;
		case 'v': verbosity = 1; break;
		case 'h': usage(0);
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		default: usage(EX_USAGE);
		}
	}
	/* The original took the config file as its only operand. */
	if (optind < argc && command_named(argv[optind]) == CMD_SERVE &&
	    config == NULL)
		config = argv[optind++];
	if (optind < argc && (cmd = command_named(argv[optind])) == CMD_SERVE)
		usage(EX_USAGE);
	if (cmd == CMD_SERVE && optind != argc)
		usage(EX_USAGE);

	log_init(verbosity);
	secret_no_core_dumps();
	if (sodium_init() < 0)
		fatalx(EX_OSERR, "libsodium could not start");
	if ((rc = settings_load(&cas.cfg, &cas.signer, config ? config :
	    DEFAULT_CONFIG, &err)) != 0)
		fatalx(rc, "%s", err.msg);

	switch (cmd) {
	case CMD_TOKEN:
		rc = admin_token(&cas, argc - optind, argv + optind);
		break;
	case CMD_VERIFY:
		rc = admin_verify(&cas, argc - optind, argv + optind);
		break;
	case CMD_CHECK:
		rc = admin_check(&cas);
		break;
	case CMD_PUBKEY:
		rc = admin_pubkey(&cas, argc - optind, argv + optind);
		break;
	default:
		rc = serve(&cas, inetd);
		break;
	}
	settings_free(&cas.cfg, &cas.signer);
	return rc;
}
