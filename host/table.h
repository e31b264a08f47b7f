/* Printing records as an aligned table (bulkhead preview). */
#ifndef BH_HOST_TABLE_H
#define BH_HOST_TABLE_H

#include <stdio.h>
#include <jansson.h>

/* schema: [{"name","type"}], records: [[values]]. */
void table_print(FILE *f, const json_t *schema, const json_t *records);

#endif
