/*
 * auth.c - signing and checking SMP requests (proto.h): the canonical
 * text, ECDSA P-256 with the computers' identity keys, and the pin of the
 * SMP's certificate.
 */
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include "../lib/util.h"
#include "../store/fastcrypto.h"
#include "../store/store.h"

struct smp_signer {
	mbedtls_pk_context	pk;
	char			key_id[17];
};

char *
smp_canonical(const char *pin, const char *method, const char *target,
    const struct smp_auth *a, const char *body_sha256)
{
	return xasprintf("tsi-smp-v1\n%s\n%s\n%s\n%s\n%lld\n%s\n%s\n", pin, method, target,
	    a->key_id, a->time, a->nonce, body_sha256);
}

int
smp_cert_pins(const char *pem, size_t len, char (*pins)[SMP_PIN_HEX], size_t max,
    size_t *n, char **curl_pin)
{
	mbedtls_x509_crt	 crt;
	const mbedtls_x509_crt	*c;
	unsigned char		 der[512], sum[32];
	struct buf		 cp;
	char			*b, *z = xstrndup(pem, len);
	int			 k;

	*n = 0;
	buf_init(&cp, 0);
	mbedtls_x509_crt_init(&crt);
	/* mbedTLS wants the PEM's NUL counted; it skips what is not a certificate */
	k = mbedtls_x509_crt_parse(&crt, (const unsigned char *)z, len + 1);
	free(z);
	for (c = &crt; k >= 0 && c != NULL && c->raw.len > 0 && *n < max; c = c->next) {
		mbedtls_pk_context *pk = (mbedtls_pk_context *)&c->pk;

		if ((k = mbedtls_pk_write_pubkey_der(pk, der, sizeof der)) <= 0)
			break;
		sha256(der + sizeof der - k, (size_t)k, sum);
		hex_encode(sum, sizeof sum, pins[*n]);
		b = base64_encode(sum, sizeof sum);
		buf_addf(&cp, "%ssha256//%s", *n ? ";" : "", b);
		free(b);
		(*n)++;
	}
	mbedtls_x509_crt_free(&crt);
	if (curl_pin != NULL && *n > 0) {
		buf_addch(&cp, '\0');
		*curl_pin = buf_detach(&cp);
	}
	buf_release(&cp);
	return *n > 0 ? 0 : -1;
}

int
smp_cert_pin(const char *pem, size_t len, char pin[SMP_PIN_HEX], char **curl_pin)
{
	char	pins[1][SMP_PIN_HEX];
	size_t	n;

	if (smp_cert_pins(pem, len, pins, 1, &n, curl_pin) == -1)
		return -1;
	memcpy(pin, pins[0], SMP_PIN_HEX);
	return 0;
}

int
smp_verify(const char *pub_b64der, const char *canonical, const char *sig_b64)
{
	mbedtls_pk_context	 pk;
	unsigned char		 der[256], sig[SMP_SIG_B64_MAX], hash[32];
	size_t			 dlen, slen;
	int			 ok = 0;

	if (pub_b64der == NULL || base64_decode(pub_b64der, der, sizeof der, &dlen) == -1 ||
	    base64_decode(sig_b64, sig, sizeof sig, &slen) == -1)
		return 0;
	mbedtls_pk_init(&pk);
	sha256(canonical, strlen(canonical), hash);
	if (mbedtls_pk_parse_public_key(&pk, der, dlen) == 0 &&
	    mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA) &&
	    mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, slen) == 0)
		ok = 1;
	mbedtls_pk_free(&pk);
	return ok;
}

int
smp_signer_load(struct smp_signer **out, const char *dir, char **err)
{
	struct smp_signer	*s;
	struct identity		 id;
	char			*path, *text = NULL, *pem;
	size_t			 len = 0;
	int			 r = -1;

	*out = NULL;
	if (identity_load(dir, &id, err) == -1)
		return -1;
	s = xcalloc(1, sizeof *s);
	mbedtls_pk_init(&s->pk);
	identity_key_id(id.x25519_pub, s->key_id);
	identity_wipe(&id);
	/* identity_load checked the file's mode; the signing key is its PEM part */
	path = xasprintf("%s/identity.key", dir);
	if (read_file(path, 16384, &text, &len) == 0 &&
	    (pem = strstr(text, "-----BEGIN")) != NULL &&
	    mbedtls_pk_parse_key(&s->pk, (const unsigned char *)pem,
	    len - (size_t)(pem - text) + 1, NULL, 0) == 0 &&
	    mbedtls_pk_can_do(&s->pk, MBEDTLS_PK_ECDSA))
		r = 0;
	else
		*err = xasprintf("'%s' holds no signing key: make the identity again "
		    "with tsi identity init", path);
	if (text != NULL) {
		mbedtls_platform_zeroize(text, len);
		free(text);
	}
	free(path);
	if (r == -1)
		smp_signer_free(s);
	else
		*out = s;
	return r;
}

void
smp_signer_free(struct smp_signer *s)
{
	if (s == NULL)
		return;
	mbedtls_pk_free(&s->pk);
	free(s);
}

const char *
smp_signer_key_id(const struct smp_signer *s)
{
	return s->key_id;
}

char *
smp_sign(struct smp_signer *s, const char *pin, const char *method, const char *target,
    const char *body_sha256)
{
	struct smp_auth	 a;
	unsigned char	 nonce[SMP_NONCE_HEX / 2], hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	char		*canon, *b, *hdr = NULL;
	size_t		 slen;

	memset(&a, 0, sizeof a);
	memcpy(a.key_id, s->key_id, sizeof a.key_id);
	a.time = (long long)time(NULL);
	if (rng_fill(NULL, nonce, sizeof nonce) != 0)
		return NULL;
	hex_encode(nonce, sizeof nonce, a.nonce);
	canon = smp_canonical(pin, method, target, &a, body_sha256);
	sha256(canon, strlen(canon), hash);
	free(canon);
	if (mbedtls_pk_sign(&s->pk, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, &slen,
	    rng_fill, NULL) == 0) {
		b = base64_encode(sig, slen);
		hdr = xasprintf("%s %s %lld %s %s", SMP_AUTH_SCHEME, a.key_id, a.time,
		    a.nonce, b);
		free(b);
	}
	return hdr;
}

int
smp_mac(const uint8_t session[SMP_SESSION_LEN], const char *text, char out[64])
{
	unsigned char	 mac[32];
	char		*b;

	out[0] = '\0';
	if (mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), session,
	    SMP_SESSION_LEN, (const unsigned char *)text, strlen(text), mac) != 0)
		return -1;
	b = base64_encode(mac, sizeof mac);
	snprintf(out, 64, "%s", b);
	free(b);
	return 0;
}

char *
smp_sign_mac(const uint8_t session[SMP_SESSION_LEN], const char *key_id, const char *pin,
    const char *method, const char *target, const char *body_sha256)
{
	struct smp_auth	 a;
	unsigned char	 nonce[SMP_NONCE_HEX / 2];
	char		*canon, mac[64];

	memset(&a, 0, sizeof a);
	snprintf(a.key_id, sizeof a.key_id, "%s", key_id);
	a.time = (long long)time(NULL);
	if (rng_fill(NULL, nonce, sizeof nonce) != 0)
		return NULL;
	hex_encode(nonce, sizeof nonce, a.nonce);
	canon = smp_canonical(pin, method, target, &a, body_sha256);
	if (smp_mac(session, canon, mac) == -1) {
		free(canon);
		return NULL;
	}
	free(canon);
	return xasprintf("%s %s %lld %s %s", SMP_MAC_SCHEME, a.key_id, a.time, a.nonce, mac);
}
