/* csv plugin: the component table and the option tables (their descriptions
 * are the user documentation; the README's option lists come from them). */
#include "plugins/csv/csv.h"

const bh_option csv_parser_options[] = {
	{ "columns", BH_OPT_COLUMNS, NULL, 1,
	  "The schema, in file order: a list of {name, type, format, timezone}. type is boolean, long, "
	  "double, string, timestamp or json. format (timestamps only) is a strptime-style format "
	  "(%Y %m %d %H %M %S %N %z %b %j %s ...); without one, ISO 8601 forms such as "
	  "2024-01-31 12:00:00.5 +09:00 are read. timezone (timestamps only) applies to text without a zone." },
	{ "delimiter", BH_OPT_STRING, ",", 0,
	  "Field separator: one or more characters (\"\\t\" for TSV)." },
	{ "quote", BH_OPT_STRING, "\"", 0,
	  "Quote character of quoted fields; a doubled quote inside them is a literal quote. \"\" disables quoting." },
	{ "escape", BH_OPT_STRING, "\\", 0,
	  "Escape character inside quoted fields: it makes the next quote or escape character literal "
	  "(elsewhere it is an ordinary character). \"\" disables it. Use \"\\\"\" for strict RFC 4180 input "
	  "where backslashes are data." },
	{ "null_string", BH_OPT_STRING, NULL, 0,
	  "A value read as null (quoted or not). When unset, an empty unquoted field is null and \"\" is an "
	  "empty string." },
	{ "trim_if_not_quoted", BH_OPT_BOOLEAN, "false", 0,
	  "Remove spaces around unquoted values (spaces after a closing quote are always allowed)." },
	{ "skip_header_lines", BH_OPT_LONG, "0", 0, "Number of lines skipped at the start of each file." },
	{ "header_line", BH_OPT_BOOLEAN, NULL, 0,
	  "Deprecated (Embulk): true is skip_header_lines: 1 when skip_header_lines is 0." },
	{ "allow_extra_columns", BH_OPT_BOOLEAN, "false", 0,
	  "Ignore fields beyond the listed columns instead of rejecting the record." },
	{ "allow_optional_columns", BH_OPT_BOOLEAN, "false", 0,
	  "Fill missing trailing fields with null instead of rejecting the record." },
	{ "comment_line_marker", BH_OPT_STRING, NULL, 0,
	  "Lines starting with this text are skipped (empty lines always are)." },
	{ "max_quoted_size_limit", BH_OPT_LONG, "131072", 0,
	  "Largest quoted field in bytes. A longer one rejects its record; reading resumes at the next "
	  "line, as in Embulk." },
	{ "max_line_size", BH_OPT_LONG, CSV_MAX_LINE_SIZE_DEFAULT, 0,
	  "Largest record in bytes (16 MiB), line ends included. A longer one is rejected and skipped." },
	{ "charset", BH_OPT_STRING, "UTF-8", 0,
	  "Input character set; only UTF-8 (and its ASCII subset) is accepted. A UTF-8 byte order mark at "
	  "the start of a file is skipped; a string or json value that is not valid UTF-8 makes its record "
	  "invalid." },
	{ "newline", BH_OPT_STRING, "CRLF", 0,
	  "Accepted for Embulk compatibility (CRLF, LF or CR): every record may end with any of them, and "
	  "newlines inside quoted fields are kept as written." },
	{ "default_timezone", BH_OPT_STRING, "UTC", 0,
	  "Zone of timestamp text without one: UTC or a fixed offset such as +09:00 (named zones are not "
	  "supported)." },
	{ "default_timestamp_format", BH_OPT_STRING, NULL, 0,
	  "Format of timestamp columns without their own. Unset reads ISO 8601 forms; Embulk's default "
	  "\"%Y-%m-%d %H:%M:%S.%N %z\" is one of them." },
	{ "stop_on_invalid_record", BH_OPT_BOOLEAN, "false", 0,
	  "true stops at the first invalid record (bad value, wrong column count, unterminated quote, "
	  "oversized field) even when exec.invalid_records.action is skip. By default invalid records "
	  "follow the run's exec.invalid_records policy, which itself stops at the first one (with file, "
	  "line and reason) unless set to skip." },
	{ NULL, 0, NULL, 0, NULL },
};

const bh_option csv_formatter_options[] = {
	{ "delimiter", BH_OPT_STRING, ",", 0, "Field separator: one or more characters (\"\\t\" for TSV)." },
	{ "quote", BH_OPT_STRING, "\"", 0, "Quote character. \"\" writes no quotes (as quote_policy NONE)." },
	{ "quote_policy", BH_OPT_STRING, "MINIMAL", 0,
	  "MINIMAL quotes values containing the delimiter, the quote, a newline or the escape, and values "
	  "equal to null_string; ALL quotes every value (header included); NONE never quotes and escapes "
	  "delimiters, quotes and newlines with the escape character instead." },
	{ "escape", BH_OPT_STRING, NULL, 0,
	  "Escape character. Unset: quotes inside quoted values are doubled (RFC 4180), and with "
	  "quote_policy NONE a backslash is used. Another character also escapes itself." },
	{ "header_line", BH_OPT_BOOLEAN, "true", 0, "Write the column names as the first line of each file." },
	{ "newline", BH_OPT_STRING, "LF", 0, "Line end: LF, CRLF or CR. (Embulk's default is CRLF.)" },
	{ "null_string", BH_OPT_STRING, "", 0,
	  "Text written for null values (unquoted); an empty string value is then written quoted." },
	{ "charset", BH_OPT_STRING, "UTF-8", 0, "Output character set; only UTF-8 is supported." },
	{ "default_timezone", BH_OPT_STRING, "UTC", 0,
	  "Zone timestamps are shown in: UTC or a fixed offset such as +09:00." },
	{ "default_timestamp_format", BH_OPT_STRING, "%Y-%m-%d %H:%M:%S.%6N %z", 0,
	  "strftime-style format of timestamps (%N nanoseconds, %3N/%6N/%9N digits, %z +hhmm, %:z +hh:mm). "
	  "As in Embulk, a format the input used to parse a column is not reused for output." },
	{ "column_options", BH_OPT_MAP, NULL, 0,
	  "Per-column settings: a map from column name to {format, timezone} for timestamp columns." },
	{ NULL, 0, NULL, 0, NULL },
};

static const bh_component csv_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_PARSER,
		.type = "csv",
		.description = "Parses RFC 4180 CSV and other delimited text into typed columns",
		.options = csv_parser_options,
		.vtable = &csv_parser_vtable,
	},
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_FORMATTER,
		.type = "csv",
		.description = "Writes records as CSV or other delimited text",
		.options = csv_formatter_options,
		.vtable = &csv_formatter_vtable,
	},
};

static const bh_plugin csv_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "csv",
	.version = "1.0.0",
	.description = "CSV parser and formatter",
	.components = csv_components,
	.component_count = BH_COUNT(csv_components),
};

BH_PLUGIN_DEFINE(csv_plugin)
