/*
 * keys.c - identities: X25519 for receiving stores, P-256 for signing the
 * State Migration Point's requests.  See store.h.
 *
 *   DIR/identity.key  0600: "tsi-identity-key-v1", "name NAME",
 *                     "x25519 BASE64(private)", then the P-256 key as PEM
 *   DIR/identity.pub  one line: tsi-identity-v1 NAME x25519:B64 p256:B64(DER)
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "../lib/util.h"
#include "store-int.h"

#define KEY_FILE_MAX	16384

/* X25519: public from private, or the shared secret with a peer. */
int
x25519(const uint8_t priv[32], const uint8_t *peer, uint8_t out[32])
{
	mbedtls_ecp_group	grp;
	mbedtls_ecp_point	P, R;
	mbedtls_mpi		d, z;
	size_t			olen;
	int			r;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&P);
	mbedtls_ecp_point_init(&R);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&z);
	r = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519);
	if (r == 0)
		r = mbedtls_mpi_read_binary_le(&d, priv, 32);
	if (r == 0 && peer == NULL) {
		r = mbedtls_ecp_mul(&grp, &R, &d, &grp.G, rng_fill, NULL);
		if (r == 0)
			r = mbedtls_ecp_point_write_binary(&grp, &R,
			    MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 32);
	} else if (r == 0) {
		r = mbedtls_ecp_point_read_binary(&grp, &P, peer, 32);
		if (r == 0)
			r = mbedtls_ecdh_compute_shared(&grp, &z, &P, &d, rng_fill, NULL);
		if (r == 0)
			r = mbedtls_mpi_write_binary_le(&z, out, 32);
	}
	mbedtls_mpi_free(&d);
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&P);
	mbedtls_ecp_point_free(&R);
	mbedtls_ecp_group_free(&grp);
	return r == 0 ? 0 : -1;
}

/* A fresh X25519 private key (clamped, as RFC 7748 wants). */
int
x25519_generate(uint8_t priv[32])
{
	if (rng_fill(NULL, priv, 32) == -1)
		return -1;
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	return 0;
}

void
identity_key_id(const uint8_t pub[IDENTITY_KEY_LEN], char out[17])
{
	unsigned char	sum[32];

	mbedtls_sha256_ret(pub, IDENTITY_KEY_LEN, sum, 0);
	hex_encode(sum, 8, out);
}

int
identity_name_ok(const char *name)
{
	size_t	n = strlen(name), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || strchr("._-", name[i]) != NULL))
			return 0;
	return 1;
}

static int
fail(char **err, const char *fmt, const char *arg)
{
	*err = xasprintf(fmt, arg);
	return -1;
}

int
identity_init(const char *dir, const char *name, char **err)
{
	mbedtls_pk_context	 pk;
	unsigned char		 pem[2048], der[256];
	uint8_t			 priv[32], pub[32];
	char			*path, *keytext = NULL, *b, *pubb, *line;
	struct identity		 id;
	int			 n, r = -1;

	if (!identity_name_ok(name))
		return fail(err, "identity name '%s' may hold only letters, digits, "
		    "'.', '_' and '-' (1 to 64)", name);
	if (mkdir_p(dir, 0700) == -1 || chmod(dir, 0700) == -1)
		return fail(err, "cannot make the identity directory: %s", strerror(errno));
	path = xasprintf("%s/identity.key", dir);
	if (access(path, F_OK) == 0) {
		r = fail(err, "an identity already exists in '%s'; remove it first "
		    "to make a new one", dir);
		free(path);
		return r;
	}
	mbedtls_pk_init(&pk);
	if (x25519_generate(priv) == -1 || x25519(priv, NULL, pub) == -1 ||
	    mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    rng_fill, NULL) != 0 ||
	    mbedtls_pk_write_key_pem(&pk, pem, sizeof pem) != 0 ||
	    (n = mbedtls_pk_write_pubkey_der(&pk, der, sizeof der)) <= 0) {
		r = fail(err, "cannot generate keys%s", "");
		goto out;
	}
	b = base64_encode(priv, 32);
	keytext = xasprintf("tsi-identity-key-v1\nname %s\nx25519 %s\n%s", name, b,
	    (char *)pem);
	mbedtls_platform_zeroize(b, strlen(b));
	free(b);
	if (write_file_atomic(path, keytext, strlen(keytext), 0600) == -1) {
		r = fail(err, "cannot write the key: %s", strerror(errno));
		goto out;
	}
	memset(&id, 0, sizeof id);
	snprintf(id.name, sizeof id.name, "%s", name);
	memcpy(id.x25519_pub, pub, 32);
	pubb = base64_encode(der + sizeof der - (size_t)n, (size_t)n);
	id.sign_pub_pem = pubb;
	line = identity_public_line(&id);
	free(pubb);
	free(path);
	path = xasprintf("%s/identity.pub", dir);
	if (write_file_atomic(path, line, strlen(line), 0644) == -1)
		r = fail(err, "cannot write the public key: %s", strerror(errno));
	else
		r = 0;
	free(line);
out:
	if (keytext != NULL) {
		mbedtls_platform_zeroize(keytext, strlen(keytext));
		free(keytext);
	}
	mbedtls_platform_zeroize(priv, sizeof priv);
	mbedtls_platform_zeroize(pem, sizeof pem);
	mbedtls_pk_free(&pk);
	free(path);
	return r;
}

char *
identity_public_line(const struct identity *id)
{
	char	*x = base64_encode(id->x25519_pub, 32), *line;

	line = xasprintf("tsi-identity-v1 %s x25519:%s p256:%s\n", id->name, x,
	    id->sign_pub_pem ? id->sign_pub_pem : "");
	free(x);
	return line;
}

int
identity_parse_public(const char *arg, struct identity *id, char **err)
{
	char	*text = NULL, *copy, *tok, *save;
	size_t	 n;
	int	 field = 0, r = -1, have_x = 0;

	memset(id, 0, sizeof id[0]);
	if (strncmp(arg, "tsi-identity-v1 ", 16) != 0) {
		if (read_file(arg, KEY_FILE_MAX, &text, NULL) == -1)
			return fail(err, "'%s' is neither a public identity line nor a "
			    "readable file", arg);
		arg = text;
	}
	copy = xstrdup(arg);
	for (tok = strtok_r(copy, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save), field++) {
		if (field == 0 && strcmp(tok, "tsi-identity-v1") != 0)
			break;
		if (field == 1)
			snprintf(id->name, sizeof id->name, "%s", tok);
		if (strncmp(tok, "x25519:", 7) == 0 && base64_decode(tok + 7, id->x25519_pub,
		    sizeof id->x25519_pub, &n) == 0 && n == 32)
			have_x = 1;
		if (strncmp(tok, "p256:", 5) == 0 && tok[5] != '\0')
			id->sign_pub_pem = xstrdup(tok + 5);
	}
	if (have_x && identity_name_ok(id->name))
		r = 0;
	else
		r = fail(err, "not a tsi public identity (expected 'tsi-identity-v1 "
		    "NAME x25519:KEY ...')%s", "");
	free(copy);
	free(text);
	return r;
}

int
identity_load(const char *dir, struct identity *id, char **err)
{
	char	*path = xasprintf("%s/identity.key", dir), *text, *line, *save;
	size_t	 n, len;
	int	 r = -1, lineno = 0;
	struct stat st;

	memset(id, 0, sizeof id[0]);
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
		r = fail(err, "refusing '%s': a private key file must be 0600", path);
		free(path);
		return r;
	}
	if (read_file(path, KEY_FILE_MAX, &text, &len) == -1) {
		r = fail(err, "cannot read the identity: %s", strerror(errno));
		free(path);
		return r;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL && lineno < 3;
	    line = strtok_r(NULL, "\n", &save), lineno++) {
		if (lineno == 0 && strcmp(line, "tsi-identity-key-v1") != 0)
			break;
		if (lineno == 1 && strncmp(line, "name ", 5) == 0)
			snprintf(id->name, sizeof id->name, "%s", line + 5);
		if (lineno == 2 && strncmp(line, "x25519 ", 7) == 0 &&
		    base64_decode(line + 7, id->x25519_priv, 32, &n) == 0 && n == 32)
			id->has_private = 1;
	}
	if (id->has_private && x25519(id->x25519_priv, NULL, id->x25519_pub) == 0)
		r = 0;
	else
		r = fail(err, "'%s' is not a tsi identity key", path);
	mbedtls_platform_zeroize(text, len);
	free(text);
	free(path);
	return r;
}

void
identity_wipe(struct identity *id)
{
	free(id->sign_pub_pem);
	mbedtls_platform_zeroize(id, sizeof *id);
}
