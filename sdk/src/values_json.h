/* Records as JSON: used by the test kit, previews and the control channel. */
#ifndef BH_SDK_VALUES_JSON_H
#define BH_SDK_VALUES_JSON_H

#include <jansson.h>
#include <bulkhead/types.h>

/* Appends one JSON array per record of page to rows.  Timestamps become
 * "YYYY-MM-DD hh:mm:ss.nnnnnnnnn UTC", json cells their parsed value, and
 * NaN/Infinity the strings "NaN"/"Infinity"/"-Infinity". Returns 0 or -ENOMEM. */
int rt_page_to_json(const bh_page *page, json_t *rows, size_t max_rows);
/* One cell as JSON (new reference). */
json_t *rt_value_to_json(const bh_page *page, uint32_t row, uint32_t col);
/* Appends the records of rows (arrays of JSON values) to pb, converting by
 * the builder's schema.  On failure *err names the record and column. */
int rt_json_to_records(const json_t *rows, bh_page_builder *pb, char **err);
/* Sets obj's "record" to the bytes as a string, or — when they are not valid
 * UTF-8 — "record_hex" to their hex, so no rejected byte is lost. */
int rt_set_record_bytes(json_t *obj, const char *bytes, size_t len);
/* Text of a timestamp as above; buf must hold 64 bytes. */
size_t rt_timestamp_text(bh_timestamp t, char *buf);

#endif
