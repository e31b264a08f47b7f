/* bulkhead SDK umbrella header: everything a plugin author needs. */
#ifndef BULKHEAD_H
#define BULKHEAD_H
#include <bulkhead/types.h>
#include <bulkhead/plugin.h>
#include <bulkhead/text.h>
#endif
