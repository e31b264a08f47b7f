#!/bin/bash
# The config `embulk example` writes runs unchanged and prints what Embulk prints.
. "$(dirname "$0")/lib.sh"
cd "$EXAMPLES/embulk"
expect_exit 0 "embulk example runs" -- "$BH" --quiet run example.yml
expect_same "$T/out" '1,32864,2015-01-27 19:23:49 UTC,2015-01-27 00:00:00 UTC,embulk
2,14824,2015-01-27 19:01:23 UTC,2015-01-27 00:00:00 UTC,embulk jruby
3,27559,2015-01-28 02:20:02 UTC,2015-01-28 00:00:00 UTC,Embulk "csv" parser plugin
4,11270,2015-01-29 11:54:36 UTC,2015-01-29 00:00:00 UTC,' "stdout matches Embulk's"

expect_exit 0 "preview" -- "$BH" preview example.yml
expect_grep "$T/out" '^\| id:long +\| account:long +\| time:timestamp' "preview header names and types"
expect_grep "$T/out" 'Embulk "csv" parser plugin' "preview shows records"

expect_exit 0 "check" -- "$BH" check example.yml
expect_grep "$T/out" '^example.yml: ok' "check says ok"
expect_grep "$T/out" 'decoder +gzip +compress' "check lists resolved plugins"

expect_exit 0 "guess" -- "$BH" --quiet guess seed.yml -o "$T/guessed.yml"
expect_grep "$T/guessed.yml" 'type: gzip' "guess finds gzip"
expect_grep "$T/guessed.yml" 'type: csv' "guess picks csv"
expect_grep "$T/guessed.yml" 'skip_header_lines: 1' "guess finds the header"
expect_exit 0 "the guessed config runs" -- "$BH" --quiet run "$T/guessed.yml"
expect_grep "$T/out" '^3,27559,' "guessed config reads every record"
finish
