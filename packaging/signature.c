/* minisign signature verification with OpenSSL's Ed25519 and BLAKE2b-512. */
#include "packaging/signature.h"
#include "packaging/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define SIG_FILE_MAX 4096 /* a .minisig or .pub is a few hundred bytes */

/* Decodes standard base64 (with padding) into out; returns the length or -1. */
static int base64_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0, pad = 0;

	for (size_t i = 0; i < inlen; i++) {
		char c = in[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=') {
			pad++;
			continue;
		} else
			return -1;
		if (pad)
			return -1; /* data after padding */
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == outcap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (pad > 2 || (inlen % 4) != 0)
		return -1;
	return (int)n;
}

/* Splits text into up to max lines (without newlines, CR stripped). */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;
	while (*p && n < max) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	return n;
}

static void key_id_hex(const unsigned char id[8], char out[17])
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | id[i]; /* minisign stores the key number little-endian */
	snprintf(out, 17, "%016" PRIX64, v);
}

static int ed25519_verify(const unsigned char pk[32], const unsigned char sig[64], const unsigned char *msg,
			  size_t len)
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;
	if (key && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

/* Reads a trusted key file; 0 and the key id and key, or -1 if not a key. */
static int read_public_key(const char *path, unsigned char id[8], unsigned char pk[32])
{
	char *text = NULL, *lines[3];
	unsigned char raw[64];
	int r = -1;

	if (pkg_read_file(path, SIG_FILE_MAX, &text, NULL) < 0)
		return -1;
	size_t n = split_lines(text, lines, 3);
	const char *b64 = NULL;
	if (n >= 2 && strncmp(lines[0], "untrusted comment:", 18) == 0)
		b64 = lines[1];
	else if (n >= 1)
		b64 = lines[0]; /* a bare key line, as minisign -P takes */
	if (b64 != NULL && base64_decode(b64, strlen(b64), raw, sizeof(raw)) == 42 && raw[0] == 'E' &&
	    raw[1] == 'd') {
		memcpy(id, raw + 2, 8);
		memcpy(pk, raw + 10, 32);
		r = 0;
	}
	free(text);
	return r;
}

/* Finds the trusted key with this id in keys_dir. */
static int find_key(const char *keys_dir, const unsigned char id[8], unsigned char pk[32], char **key_file)
{
	DIR *d = opendir(keys_dir);
	struct dirent *e;
	int found = 0, seen = 0;

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL && seen < SIGNATURE_MAX_KEYS) {
		size_t len = strlen(e->d_name);
		unsigned char kid[8];
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".pub") != 0)
			continue;
		seen++;
		char *path = pkg_strdupf("%s/%s", keys_dir, e->d_name);
		if (path && read_public_key(path, kid, pk) == 0 && memcmp(kid, id, 8) == 0) {
			*key_file = path;
			found = 1;
		} else {
			free(path);
		}
	}
	closedir(d);
	return found;
}

void signature_info_clear(struct signature_info *info)
{
	free(info->key_file);
	free(info->trusted_comment);
	memset(info, 0, sizeof(*info));
}

int signature_verify_file(const char *file, const char *sig_path, const char *keys_dir, struct signature_info *info,
			  char **err)
{
	char *text = NULL, *lines[5], *key_file = NULL, *msg = NULL;
	unsigned char raw[128], global[128], pk[32], digest[64];
	struct signature_info si = {0};
	size_t msglen = 0;
	int r;

	memset(info, 0, sizeof(*info));
	r = pkg_read_file(sig_path, SIG_FILE_MAX, &text, NULL);
	if (r == -ENOENT)
		return pkg_error(err, SIGNATURE_ENOSIG, "%s: no signature", sig_path);
	if (r < 0)
		return pkg_error(err, SIGNATURE_EBAD, "%s: %s", sig_path, r == -EFBIG ? "too large" : strerror(-r));
	size_t n = split_lines(text, lines, 5);
	if (n < 4 || strncmp(lines[0], "untrusted comment:", 18) != 0 ||
	    strncmp(lines[2], "trusted comment: ", 17) != 0) {
		r = pkg_error(err, SIGNATURE_EBAD, "%s: not a minisign signature file", sig_path);
		goto out;
	}
	if (base64_decode(lines[1], strlen(lines[1]), raw, sizeof(raw)) != 74 ||
	    base64_decode(lines[3], strlen(lines[3]), global, sizeof(global)) != 64) {
		r = pkg_error(err, SIGNATURE_EBAD, "%s: malformed signature", sig_path);
		goto out;
	}
	if (raw[0] != 'E' || (raw[1] != 'd' && raw[1] != 'D')) {
		r = pkg_error(err, SIGNATURE_EBAD, "%s: unsupported signature algorithm", sig_path);
		goto out;
	}
	si.prehashed = raw[1] == 'D';
	key_id_hex(raw + 2, si.key_id);
	if (!find_key(keys_dir, raw + 2, pk, &key_file)) {
		*info = si;
		r = pkg_error(err, SIGNATURE_EUNTRUSTED, "signed with key %s, which is not in %s", si.key_id, keys_dir);
		goto out;
	}
	if (si.prehashed) {
		if ((r = pkg_digest_file(file, 0, PKG_DIGEST_BLAKE2B512, digest)) < 0) {
			r = pkg_error(err, r, "%s: %s", file, strerror(-r));
			goto out;
		}
		if (!ed25519_verify(pk, raw + 10, digest, 64)) {
			r = pkg_error(err, SIGNATURE_EBAD, "%s: signature does not match (key %s)", file, si.key_id);
			goto out;
		}
	} else {
		r = pkg_read_file(file, SIGNATURE_MAX_FILE_BYTES, &msg, &msglen);
		if (r < 0) {
			r = pkg_error(err, r, "%s: %s", file, strerror(-r));
			goto out;
		}
		if (!ed25519_verify(pk, raw + 10, (unsigned char *)msg, msglen)) {
			r = pkg_error(err, SIGNATURE_EBAD, "%s: signature does not match (key %s)", file, si.key_id);
			goto out;
		}
	}
	/* The global signature covers the file signature and the trusted comment. */
	const char *comment = lines[2] + 17;
	size_t clen = strlen(comment);
	unsigned char *gmsg = malloc(64 + clen);
	if (gmsg == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(gmsg, raw + 10, 64);
	memcpy(gmsg + 64, comment, clen);
	int gok = ed25519_verify(pk, global, gmsg, 64 + clen);
	free(gmsg);
	if (!gok) {
		r = pkg_error(err, SIGNATURE_EBAD, "%s: the trusted comment's signature does not match", sig_path);
		goto out;
	}
	si.key_file = key_file;
	si.trusted_comment = strdup(comment);
	key_file = NULL;
	if (si.trusted_comment == NULL) {
		signature_info_clear(&si);
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	*info = si;
	r = 0;
out:
	free(key_file);
	free(msg);
	free(text);
	return r;
}
