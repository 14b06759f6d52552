/* Benchmark baseline: a program that loads the server's libraries, initialises libsodium and exits. */

#include <openssl/crypto.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>
#include <yajl/yajl_version.h>

int
main(void)
{
	/* References one symbol of each library so the linker keeps them all. */
	volatile const void *keep[] = { (const void *)yajl_version,
		(const void *)OpenSSL_version_num, (const void *)sd_booted };

	(void)keep;
	return sodium_init() < 0 ? 71 : 0;
}
