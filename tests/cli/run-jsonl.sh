#!/bin/bash
# JSON Lines through the real CLI and sandbox: jsonl parser -> rename ->
# columns -> jsonl formatter, rejects with their line numbers, stop mode, guess.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/in" "$T/result"
printf '\xef\xbb\xbf{"ID":1,"User Name":"a\\u00e9","At":"2024-01-02 03:04:05","Doc":{"x": [1, 2]}}\r\n\n' > "$T/in/part_1.jsonl"
printf '{"ID":2,"User Name":"b\\"q","At":1700000000,"Extra":true}\n{"ID":"three"}\n[4]\n{"ID":5}' >> "$T/in/part_1.jsonl"
cat > "$T/t.yml" <<YML
in:
  type: file
  path_prefix: $T/in/part_
  parser:
    type: jsonl
    stop_on_invalid_record: false
    default_timezone: "+09:00"
    columns:
    - {name: ID, type: long}
    - {name: User Name, type: string}
    - {name: At, type: timestamp}
    - {name: Doc, type: json}
filters:
  - type: rename
    rules:
    - {rule: upper_to_lower}
    - {rule: character_types, pass_types: [a-z, 0-9], replace: "_"}
  - type: columns
    columns: [at, id, {name: user, src: user_name}, doc]
    add_columns: [{name: batch, type: long, default: 7}]
out:
  type: file
  path_prefix: $T/result/r_
  file_ext: jsonl
  formatter: {type: jsonl, default_timezone: "+09:00", default_timestamp_format: "%Y-%m-%dT%H:%M:%S%:z"}
exec:
  invalid_records: {action: skip, max: 10, reject_file: $T/rejects.jsonl}
YML
expect_exit 0 "jsonl -> rename -> columns -> jsonl" -- "$BH" --quiet run "$T/t.yml" --report "$T/report.json"
cat "$T"/result/r_*.jsonl > "$T/got"
expect_same "$T/got" '{"at":"2024-01-02T03:04:05+09:00","id":1,"user":"aé","doc":{"x":[1,2]},"batch":7}
{"at":"2023-11-15T07:13:20+09:00","id":2,"user":"b\"q","doc":null,"batch":7}
{"at":null,"id":5,"user":null,"doc":null,"batch":7}' "records converted, renamed, selected"
expect_grep "$T/rejects.jsonl" '"line": ?4, ?"column": ?7, ?"reason": ?"column .ID.: cannot convert to long' "bad value rejected with line and column"
expect_grep "$T/rejects.jsonl" '"line": ?5, ?"column": ?1, ?"reason": ?"expected a JSON object' "non-object rejected with its line"
expect_grep "$T/report.json" '"invalid": 2' "report counts the invalid lines"
expect_grep "$T/report.json" '"out": 3' "report counts the records out"

sed -e '/stop_on_invalid_record/d' -e '/^exec:/,$d' "$T/t.yml" > "$T/stop.yml"
expect_exit 4 "stop_on_invalid_record stops the run" -- "$BH" --quiet run "$T/stop.yml"
expect_grep "$T/err" 'part_1.jsonl:4:7: column .ID.: cannot convert to long' "stop names file, line and column"

printf 'in:\n  type: file\n  path_prefix: %s/in/part_\nout: {type: stdout}\n' "$T" > "$T/seed.yml"
expect_exit 0 "guess" -- "$BH" --quiet guess "$T/seed.yml" -o "$T/guessed.yml"
expect_grep "$T/guessed.yml" 'type: jsonl' "guess picks jsonl"
expect_grep "$T/guessed.yml" 'name: User Name' "guess lists the keys"
finish
