/* Detached minisign signatures (Ed25519), verified with libcrypto.
 *
 * A public key file (minisign -G) is an "untrusted comment:" line and the
 * base64 of "Ed" || key id (8 bytes) || public key (32 bytes).  A signature
 * file (minisign -S) is an untrusted comment, the base64 of algorithm ("Ed":
 * the file itself was signed; "ED": its BLAKE2b-512 was) || key id ||
 * signature (64), a "trusted comment:" line, and the base64 of a global
 * signature over signature || trusted comment text.  Both signatures must
 * verify: the trusted comment cannot be altered either. */
#ifndef BH_PACKAGING_SIGNATURE_H
#define BH_PACKAGING_SIGNATURE_H

#include <stdint.h>

/* Bounds: a signed file is read whole for legacy "Ed" signatures. */
#define SIGNATURE_MAX_FILE_BYTES (512ULL * 1024 * 1024)
#define SIGNATURE_MAX_KEYS 256

/* Distinct results so a caller can tell unsigned, untrusted and forged apart. */
#define SIGNATURE_ENOSIG (-20001)     /* no signature file */
#define SIGNATURE_EUNTRUSTED (-20002) /* well-formed, but no trusted key has its key id */
#define SIGNATURE_EBAD (-20003)       /* malformed, or does not verify: reject always */

struct signature_info {
	char key_id[17];       /* 16 uppercase hex digits */
	char *key_file;        /* the trusted key that verified it */
	char *trusted_comment; /* the signed comment text */
	int prehashed;         /* "ED" (BLAKE2b-512) rather than legacy "Ed" */
};

/* Verifies sig_path for file against the *.pub keys in keys_dir.  Returns 0
 * and fills *info (signature_info_clear frees), or SIGNATURE_ENOSIG,
 * SIGNATURE_EUNTRUSTED (info->key_id still filled), SIGNATURE_EBAD, or a
 * negative errno, with *err explaining. */
int signature_verify_file(const char *file, const char *sig_path, const char *keys_dir, struct signature_info *info,
			  char **err);
void signature_info_clear(struct signature_info *info);

#endif
