/* Config helpers shared by the csv parser and formatter. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "plugins/csv/csv.h"

int csv_config_optional_string(bh_ctx *ctx, const bh_config *cfg, const char *key, const char **out)
{
	const char *s = NULL;
	int r = bh_host->config_string(ctx, cfg, key, &s);
	if (r == -ENOENT) {
		*out = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	*out = s;
	return 0;
}

int csv_config_bool(bh_ctx *ctx, const bh_config *cfg, const char *key, int fallback, int *out)
{
	int r = bh_host->config_boolean(ctx, cfg, key, out);
	if (r == -ENOENT) {
		*out = fallback;
		return 0;
	}
	return r;
}

int csv_config_delimiter(bh_ctx *ctx, const bh_config *cfg, char delim[CSV_MAX_DELIMITER], size_t *len)
{
	const char *s;
	size_t n;
	int r = csv_config_optional_string(ctx, cfg, "delimiter", &s);
	if (r < 0)
		return r;
	if (s == NULL)
		s = ",";
	if (strcmp(s, "\\t") == 0)
		s = "\t";
	n = strlen(s);
	if (n == 0 || n > CSV_MAX_DELIMITER || strpbrk(s, "\r\n")) {
		bh_error(ctx, "option 'delimiter' must be 1 to %d characters without newlines", CSV_MAX_DELIMITER);
		return BH_ECONFIG;
	}
	memcpy(delim, s, n);
	*len = n;
	return 0;
}

int csv_config_char(bh_ctx *ctx, const bh_config *cfg, const char *key, int *out)
{
	const char *s;
	int r = csv_config_optional_string(ctx, cfg, key, &s);
	if (r < 0)
		return r;
	if (s == NULL || s[0] == '\0') {
		*out = -1;
		return 0;
	}
	if (strcmp(s, "\\t") == 0) { /* a YAML plain scalar \t means the tab */
		*out = '\t';
		return 0;
	}
	if (s[1] != '\0' || (unsigned char)s[0] >= 0x80) {
		bh_error(ctx, "option '%s' must be a single ASCII character or \"\" (got \"%s\")", key, s);
		return BH_ECONFIG;
	}
	if (s[0] == '\n' || s[0] == '\r') {
		bh_error(ctx, "option '%s' can not be a newline character", key);
		return BH_ECONFIG;
	}
	*out = (unsigned char)s[0];
	return 0;
}

int csv_zone_parse(const char *name, int32_t *offset)
{
	if (strcasecmp(name, "Etc/UTC") == 0 || strcasecmp(name, "Etc/GMT") == 0 ||
	    strcasecmp(name, "Universal") == 0) {
		*offset = 0;
		return 0;
	}
	return bh_parse_utc_offset(name, strlen(name), offset);
}

int csv_config_zone(bh_ctx *ctx, const bh_config *cfg, const char *key, int32_t fallback, int32_t *offset)
{
	const char *s;
	int32_t off;
	int r = csv_config_optional_string(ctx, cfg, key, &s);
	if (r < 0)
		return r;
	if (s == NULL) {
		*offset = fallback;
		return 0;
	}
	if (csv_zone_parse(s, &off) < 0) {
		bh_error(ctx,
			 "option '%s': unsupported time zone \"%s\" (use UTC or a fixed offset such as +09:00; "
			 "named zones are not supported)",
			 key, s);
		return BH_ECONFIG;
	}
	*offset = off;
	return 0;
}
