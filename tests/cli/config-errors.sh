#!/bin/bash
# Config mistakes fail before anything runs: file:line:column, did-you-mean, exit 3.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/in"
printf 'a\n1\n' > "$T/in/x.csv"
cat > "$T/typo.yml" <<YML
in:
  type: file
  path_prefix: $T/in/x
  parser:
    type: csv
    delimeter: ";"
    columns: [{name: a, type: long}]
out: {type: stdout}
YML
expect_exit 3 "unknown option" -- "$BH" run "$T/typo.yml"
expect_grep "$T/err" "typo.yml:6:5: .*delimeter.*did you mean 'delimiter'" "located error with a suggestion"

sed -e 's/delimeter: ";"/skip_header_lines: many/' "$T/typo.yml" > "$T/type.yml"
expect_exit 3 "wrong type" -- "$BH" run "$T/type.yml"
expect_grep "$T/err" "type.yml:6:[0-9]+: .*skip_header_lines" "type error located"

sed -e 's/type: csv/type: cvs/' "$T/typo.yml" > "$T/noplugin.yml"
expect_exit 3 "unknown plugin" -- "$BH" run "$T/noplugin.yml"
expect_grep "$T/err" "noplugin.yml:[45]:[0-9]+: .*parser 'cvs'" "missing plugin located"

printf 'in: {type: file, path_prefix: "${nope}"}\nout: {type: stdout}\n' > "$T/var.yml"
expect_exit 3 "undefined variable" -- "$BH" run "$T/var.yml"
expect_grep "$T/err" "var.yml:1:.*nope" "undefined variable named"

printf 'in: {type: file, path_prefix: "%s/in/x", parser: {type: csv, columns: [{name: a, type: long}]}}\nout: {type: file, path_prefix: /tmp/bh-out_, file_ext: csv, formatter: {type: csv}}\n' "$T" > "$T/tmpout.yml"
expect_exit 3 "output straight into /tmp" -- "$BH" run "$T/tmpout.yml"
expect_grep "$T/err" "tmpout.yml:2:1: output directory /tmp is in /tmp, which the sandbox replaces" "refused with a reason"

expect_exit 2 "bad command line" -- "$BH" run
expect_exit 0 "run --help" -- "$BH" run --help
expect_grep "$T/out" "usage: bulkhead run" "help text"
expect_exit 0 "--help lists exit codes" -- "$BH" --help
expect_grep "$T/out" "5  resource limit" "exit codes documented"
finish
