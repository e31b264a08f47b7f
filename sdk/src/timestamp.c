/* Timestamps and civil dates (bulkhead/text.h): strftime/strptime-like
 * formats with %N fractions and numeric zones, ISO 8601 by default, on a
 * proleptic Gregorian calendar.  Nothing here allocates or reads the process
 * locale or time zone. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <bulkhead/text.h>

/* ---- civil dates ----------------------------------------------------------
 * Proleptic Gregorian calendar in 400-year eras of 146097 days, counting
 * years from March so the leap day ends the year. */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t bh_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void bh_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};
static const char *const day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

#define DEFAULT_OUTPUT_FORMAT "%Y-%m-%d %H:%M:%S.%6N %z"

/* ---- formatting timestamps ---------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
	int overflow;
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->cap) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* v in at least `width` characters padded with `pad` (0 = no padding). */
static void out_num(struct out *o, int64_t v, int width, char pad)
{
	char tmp[BH_LONG_MAX_CHARS + 1];
	size_t n = bh_format_long(v < 0 ? -v : v, tmp);
	if (v < 0)
		out_bytes(o, "-", 1);
	for (int i = (int)n; pad && i < width; i++)
		out_bytes(o, &pad, 1);
	out_bytes(o, tmp, n);
}

static void out_zone(struct out *o, int32_t off, int colon)
{
	char z[8];
	int32_t a = off < 0 ? -off : off;
	z[0] = off < 0 ? '-' : '+';
	z[1] = (char)('0' + a / 36000);
	z[2] = (char)('0' + a / 3600 % 10);
	if (colon)
		z[3] = ':';
	z[3 + colon] = (char)('0' + a / 60 % 60 / 10);
	z[4 + colon] = (char)('0' + a / 60 % 10);
	out_bytes(o, z, (size_t)(5 + colon));
}

struct civil {
	int64_t year, days, epoch;
	unsigned month, day, hour, minute, second, yday, wday;
	int32_t nsec, offset;
};

static void format_into(struct out *o, const struct civil *c, const char *f, int depth)
{
	while (*f && !o->overflow) {
		const char *pct = strchr(f, '%');
		char pad = '0', flag = 0;
		int width = 0;
		if (!pct) {
			out_bytes(o, f, strlen(f));
			return;
		}
		out_bytes(o, f, (size_t)(pct - f));
		f = pct + 1;
		if (*f == '-' || *f == '_' || *f == '0' || *f == ':')
			flag = *f++;
		if (flag == '-')
			pad = 0;
		else if (flag == '_')
			pad = ' ';
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (*f++ - '0');
		switch (*f) {
		case 'Y': out_num(o, c->year, 4, pad); break;
		case 'C': out_num(o, floor_div(c->year, 100), 2, pad); break;
		case 'y': out_num(o, c->year - floor_div(c->year, 100) * 100, 2, pad); break;
		case 'm': out_num(o, c->month, 2, pad); break;
		case 'd': out_num(o, c->day, 2, pad); break;
		case 'e': out_num(o, c->day, 2, flag ? pad : ' '); break;
		case 'j': out_num(o, c->yday, 3, pad); break;
		case 'H': out_num(o, c->hour, 2, pad); break;
		case 'k': out_num(o, c->hour, 2, flag ? pad : ' '); break;
		case 'I': out_num(o, (c->hour + 11) % 12 + 1, 2, pad); break;
		case 'l': out_num(o, (c->hour + 11) % 12 + 1, 2, flag ? pad : ' '); break;
		case 'M': out_num(o, c->minute, 2, pad); break;
		case 'S': out_num(o, c->second, 2, pad); break;
		case 's': out_num(o, c->epoch, 1, 0); break;
		case 'u': out_num(o, c->wday ? c->wday : 7, 1, 0); break;
		case 'w': out_num(o, c->wday, 1, 0); break;
		case 'p': out_bytes(o, c->hour < 12 ? "AM" : "PM", 2); break;
		case 'P': out_bytes(o, c->hour < 12 ? "am" : "pm", 2); break;
		case 'L': width = 3; /* fall through */
		case 'N': {
			char frac[9];
			int32_t ns = c->nsec;
			if (width <= 0 || width > 9)
				width = 9;
			for (int i = 8; i >= 0; i--, ns /= 10)
				frac[i] = (char)('0' + ns % 10);
			out_bytes(o, frac, (size_t)width);
			break;
		}
		case 'z': out_zone(o, c->offset, flag == ':'); break;
		case 'Z':
			if (c->offset == 0)
				out_bytes(o, "UTC", 3);
			else
				out_zone(o, c->offset, 1);
			break;
		case 'a': out_bytes(o, day_names[c->wday], 3); break;
		case 'A': out_bytes(o, day_names[c->wday], strlen(day_names[c->wday])); break;
		case 'b':
		case 'h': out_bytes(o, month_names[c->month - 1], 3); break;
		case 'B': out_bytes(o, month_names[c->month - 1], strlen(month_names[c->month - 1])); break;
		case 'F': if (depth < 2) format_into(o, c, "%Y-%m-%d", depth + 1); break;
		case 'T': if (depth < 2) format_into(o, c, "%H:%M:%S", depth + 1); break;
		case 'D': if (depth < 2) format_into(o, c, "%m/%d/%y", depth + 1); break;
		case 'R': if (depth < 2) format_into(o, c, "%H:%M", depth + 1); break;
		case 'n': out_bytes(o, "\n", 1); break;
		case 't': out_bytes(o, "\t", 1); break;
		case '%': out_bytes(o, "%", 1); break;
		case '\0': out_bytes(o, "%", 1); return;
		default: out_bytes(o, pct, (size_t)(f + 1 - pct)); break; /* unknown: as is */
		}
		f++;
	}
}

size_t bh_format_timestamp_at(bh_timestamp t, const char *format, int32_t utc_offset, char *buf, size_t cap)
{
	struct civil c;
	struct out o = { buf, cap, 0, 0 };
	int64_t local, sod;
	int32_t ns = t.nsec;
	if (cap == 0)
		return 0;
	/* Tolerate an unnormalized nsec rather than print garbage. */
	local = t.sec + floor_div(ns, 1000000000);
	ns -= (int32_t)(floor_div(ns, 1000000000) * 1000000000);
	c.epoch = local;
	if (local > INT64_MAX - 86400 || local < INT64_MIN + 86400)
		return 0;
	local += utc_offset;
	c.days = floor_div(local, 86400);
	sod = local - c.days * 86400;
	bh_civil_from_days(c.days, &c.year, &c.month, &c.day);
	c.hour = (unsigned)(sod / 3600);
	c.minute = (unsigned)(sod / 60 % 60);
	c.second = (unsigned)(sod % 60);
	c.yday = (unsigned)(c.days - bh_days_from_civil(c.year, 1, 1) + 1);
	c.wday = (unsigned)(floor_div(c.days + 4, 7) * -7 + c.days + 4);
	c.nsec = ns;
	c.offset = utc_offset;
	format_into(&o, &c, format ? format : DEFAULT_OUTPUT_FORMAT, 0);
	if (o.overflow)
		return 0;
	buf[o.len] = '\0';
	return o.len;
}

size_t bh_format_timestamp(bh_timestamp t, const char *format, char *buf, size_t cap)
{
	return bh_format_timestamp_at(t, format, 0, buf, cap);
}

/* ---- parsing timestamps -------------------------------------------------- */

struct fields {
	int64_t year, epoch;
	unsigned month, day, hour, minute, second, yday;
	int32_t nsec, offset;
	int has_epoch, has_zone, has_yday, has_month_or_day, hour12, pm;
};

struct in {
	const char *p, *end;
};

/* Reads min..max decimal digits. */
static int read_num(struct in *in, int min, int max, int64_t *out)
{
	int64_t v = 0;
	int n = 0;
	while (n < max && in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		v = v * 10 + (*in->p++ - '0');
		n++;
	}
	if (n < min)
		return -EINVAL;
	*out = v;
	return 0;
}

static int read_unsigned(struct in *in, int min, int max, unsigned *out)
{
	int64_t v;
	int r = read_num(in, min, max, &v);
	if (r == 0)
		*out = (unsigned)v;
	return r;
}

/* A fraction of a second: one or more digits, the first nine kept. */
static int read_fraction(struct in *in, int32_t *nsec)
{
	int32_t v = 0;
	int n = 0;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		if (n < 9)
			v = v * 10 + (*in->p - '0');
		n++;
		in->p++;
	}
	if (n == 0)
		return -EINVAL;
	for (; n < 9; n++)
		v *= 10;
	*nsec = v;
	return 0;
}

static int starts_with_ci(const struct in *in, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(in->end - in->p) < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = in->p[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != word[i])
			return 0;
	}
	return 1;
}

/* Z, UTC, GMT, +hh, +hhmm, +hh:mm (or -). */
static int read_zone(struct in *in, int32_t *offset)
{
	int64_t h, m = 0;
	int neg;
	if (in->p < in->end && (*in->p == 'Z' || *in->p == 'z')) {
		in->p++;
		*offset = 0;
		return 0;
	}
	if (starts_with_ci(in, "utc") || starts_with_ci(in, "gmt")) {
		in->p += 3;
		*offset = 0;
		return 0;
	}
	if (in->p >= in->end || (*in->p != '+' && *in->p != '-'))
		return -EINVAL;
	neg = *in->p++ == '-';
	if (read_num(in, 2, 2, &h) < 0)
		return -EINVAL;
	if (in->p < in->end && *in->p == ':') {
		in->p++;
		if (read_num(in, 2, 2, &m) < 0)
			return -EINVAL;
	} else if (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		if (read_num(in, 2, 2, &m) < 0)
			return -EINVAL;
	}
	if (h > 23 || m > 59)
		return -EINVAL;
	*offset = (int32_t)((h * 3600 + m * 60) * (neg ? -1 : 1));
	return 0;
}

int bh_parse_utc_offset(const char *s, size_t n, int32_t *utc_offset)
{
	struct in in = { s, s + n };
	int32_t off;
	if (read_zone(&in, &off) < 0 || in.p != in.end)
		return -EINVAL;
	*utc_offset = off;
	return 0;
}

/* A case-insensitive name from names[0..count) (or its first three letters). */
static int read_name(struct in *in, const char *const *names, int count, unsigned *index)
{
	for (int i = 0; i < count; i++) {
		char full[16], abbr[4];
		size_t n = strlen(names[i]);
		for (size_t k = 0; k <= n; k++)
			full[k] = (char)(names[i][k] >= 'A' && names[i][k] <= 'Z' ? names[i][k] + 32 : names[i][k]);
		memcpy(abbr, full, 3);
		abbr[3] = '\0';
		if (starts_with_ci(in, full)) {
			in->p += n;
			*index = (unsigned)i;
			return 0;
		}
		if (starts_with_ci(in, abbr)) {
			in->p += 3;
			*index = (unsigned)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Does the format at f start with a directive that reads digits? */
static int numeric_directive_at(const char *f)
{
	if (f[0] != '%')
		return 0;
	f++;
	while (*f == '-' || *f == '_' || *f == '0' || (*f >= '1' && *f <= '9'))
		f++;
	return *f && strchr("YCymdejHkIlMSsLNF", *f) != NULL;
}

static int parse_format(struct in *in, const char *f, struct fields *t, int depth)
{
	while (*f) {
		int r = 0;
		unsigned idx;
		int64_t v = 0;
		if (is_space(*f)) { /* whitespace matches any run of it, even none */
			while (in->p < in->end && is_space(*in->p))
				in->p++;
			f++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			if (in->p >= in->end || *in->p != *f)
				return -EINVAL;
			in->p++;
			f += *f == '%' ? 2 : 1;
			continue;
		}
		f++;
		while (*f == '-' || *f == '_' || *f == '0' || *f == ':' || (*f >= '1' && *f <= '9'))
			f++;
		switch (*f) {
		case 'Y': {
			int neg = 0;
			if (in->p < in->end && (*in->p == '-' || *in->p == '+'))
				neg = *in->p++ == '-';
			r = read_num(in, 1, numeric_directive_at(f + 1) ? 4 : 9, &v);
			t->year = neg ? -v : v;
			break;
		}
		case 'C':
			r = read_num(in, 1, 2, &v);
			t->year = v * 100 + t->year % 100;
			break;
		case 'y':
			r = read_num(in, 1, 2, &v);
			t->year = v < 69 ? 2000 + v : 1900 + v; /* POSIX: 69-99 are 19xx */
			break;
		case 'm': r = read_unsigned(in, 1, 2, &t->month); t->has_month_or_day = 1; break;
		case 'e':
			if (in->p < in->end && *in->p == ' ')
				in->p++;
			/* fall through */
		case 'd': r = read_unsigned(in, 1, 2, &t->day); t->has_month_or_day = 1; break;
		case 'j': r = read_unsigned(in, 1, 3, &t->yday); t->has_yday = 1; break;
		case 'k':
		case 'H':
			if (in->p < in->end && *in->p == ' ')
				in->p++;
			r = read_unsigned(in, 1, 2, &t->hour);
			break;
		case 'l':
		case 'I':
			if (in->p < in->end && *in->p == ' ')
				in->p++;
			r = read_unsigned(in, 1, 2, &t->hour);
			t->hour12 = 1;
			break;
		case 'M': r = read_unsigned(in, 1, 2, &t->minute); break;
		case 'S': r = read_unsigned(in, 1, 2, &t->second); break;
		case 'L':
		case 'N': r = read_fraction(in, &t->nsec); break;
		case 's': {
			int neg = 0;
			if (in->p < in->end && (*in->p == '-' || *in->p == '+'))
				neg = *in->p++ == '-';
			r = read_num(in, 1, 15, &v);
			t->epoch = neg ? -v : v;
			t->has_epoch = 1;
			break;
		}
		case 'p':
		case 'P':
			if (starts_with_ci(in, "am") || starts_with_ci(in, "pm")) {
				t->pm = (in->p[0] | 32) == 'p';
				in->p += 2;
			} else if (starts_with_ci(in, "a.m.") || starts_with_ci(in, "p.m.")) {
				t->pm = (in->p[0] | 32) == 'p';
				in->p += 4;
			} else {
				r = -EINVAL;
			}
			break;
		case 'z':
		case 'Z': r = read_zone(in, &t->offset); t->has_zone = 1; break;
		case 'b':
		case 'h':
		case 'B':
			r = read_name(in, month_names, 12, &idx);
			t->month = idx + 1;
			t->has_month_or_day = 1;
			break;
		case 'a':
		case 'A': r = read_name(in, day_names, 7, &idx); break; /* checked by nothing */
		case 'F': r = depth < 2 ? parse_format(in, "%Y-%m-%d", t, depth + 1) : -EINVAL; break;
		case 'T': r = depth < 2 ? parse_format(in, "%H:%M:%S", t, depth + 1) : -EINVAL; break;
		case 'D': r = depth < 2 ? parse_format(in, "%m/%d/%y", t, depth + 1) : -EINVAL; break;
		case 'R': r = depth < 2 ? parse_format(in, "%H:%M", t, depth + 1) : -EINVAL; break;
		case 'n':
		case 't':
			while (in->p < in->end && is_space(*in->p))
				in->p++;
			break;
		default: return -EINVAL; /* an unknown directive or a lone % */
		}
		if (r < 0)
			return r;
		f++;
	}
	return 0;
}

/* YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)frac]]][ *zone] */
static int parse_iso(struct in *in, struct fields *t)
{
	int neg = 0;
	int64_t y;
	if (in->p < in->end && (*in->p == '-' || *in->p == '+'))
		neg = *in->p++ == '-';
	if (read_num(in, 4, 9, &y) < 0 || in->p >= in->end || *in->p++ != '-' ||
	    read_unsigned(in, 2, 2, &t->month) < 0 || in->p >= in->end || *in->p++ != '-' ||
	    read_unsigned(in, 2, 2, &t->day) < 0)
		return -EINVAL;
	t->year = neg ? -y : y;
	t->has_month_or_day = 1;
	if (in->p < in->end && (*in->p == 'T' || *in->p == 't' || *in->p == ' ') && in->p + 1 < in->end &&
	    in->p[1] >= '0' && in->p[1] <= '9') {
		in->p++;
		if (read_unsigned(in, 2, 2, &t->hour) < 0 || in->p >= in->end || *in->p++ != ':' ||
		    read_unsigned(in, 2, 2, &t->minute) < 0)
			return -EINVAL;
		if (in->p < in->end && *in->p == ':') {
			in->p++;
			if (read_unsigned(in, 2, 2, &t->second) < 0)
				return -EINVAL;
			if (in->p < in->end && (*in->p == '.' || *in->p == ',')) {
				in->p++;
				if (read_fraction(in, &t->nsec) < 0)
					return -EINVAL;
			}
		}
	}
	while (in->p < in->end && *in->p == ' ')
		in->p++;
	if (in->p < in->end) {
		if (read_zone(in, &t->offset) < 0)
			return -EINVAL;
		t->has_zone = 1;
	}
	return 0;
}

int bh_parse_timestamp_at(const char *s, size_t n, const char *format, int32_t utc_offset, bh_timestamp *out)
{
	struct fields t;
	struct in in = { s, s + n };
	int64_t days, sec;
	int r;
	memset(&t, 0, sizeof(t));
	t.year = 1970;
	t.month = 1;
	t.day = 1;
	r = format ? parse_format(&in, format, &t, 0) : parse_iso(&in, &t);
	if (r < 0 || in.p != in.end)
		return -EINVAL;
	if (t.has_epoch) {
		out->sec = t.epoch;
		out->nsec = t.nsec;
		return 0;
	}
	if (t.hour12) {
		if (t.hour < 1 || t.hour > 12)
			return -EINVAL;
		t.hour = t.hour % 12 + (t.pm ? 12 : 0);
	} else if (t.pm && t.hour < 12) {
		t.hour += 12;
	}
	if (t.year < -999999999 || t.year > 999999999)
		return -ERANGE;
	if (t.has_yday && !t.has_month_or_day) {
		if (t.yday < 1 || t.yday > (is_leap(t.year) ? 366u : 365u))
			return -EINVAL;
		days = bh_days_from_civil(t.year, 1, 1) + t.yday - 1;
	} else {
		if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month))
			return -EINVAL;
		days = bh_days_from_civil(t.year, t.month, t.day);
	}
	if (t.hour > 23 || t.minute > 59 || t.second > 60)
		return -EINVAL;
	sec = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
	out->sec = sec - (t.has_zone ? t.offset : utc_offset);
	out->nsec = t.nsec;
	return 0;
}

int bh_parse_timestamp(const char *s, size_t n, const char *format, bh_timestamp *out)
{
	return bh_parse_timestamp_at(s, n, format, 0, out);
}
