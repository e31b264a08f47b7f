#!/bin/bash
# Real transfers end to end: CSV files -> filters -> files, the report, --next,
# variables, invalid records (stop and skip), and transactional output.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/in" "$T/dest"
printf 'id,name,score\n1,alice,1.5\n2,"bob, jr",2\n' > "$T/in/part_01.csv"
printf 'id,name,score\n3,carol,\n' > "$T/in/part_02.csv"
write_config() {
cat > "$T/c.yml" <<YML
in:
  type: file
  path_prefix: \${dir}/in/part_
  parser:
    type: csv
    skip_header_lines: 1
    columns:
    - {name: id, type: long}
    - {name: name, type: string}
    - {name: score, type: double}
filters:
  - type: columns
    columns: [{name: id}, {name: name}, {name: score}]
    add_columns: [{name: batch, type: string, default: "\${time:%Y-%m-%d}"}]
exec:
  max_threads: 2
  $1
out:
  type: file
  path_prefix: \${dir}/dest/result_
  file_ext: csv
  formatter: {type: csv}
YML
}
write_config "invalid_records: {action: stop}"
V=(--var dir="$T" --time 2026-11-21)

expect_exit 0 "csv -> csv run" -- "$BH" --quiet run "$T/c.yml" "${V[@]}" --report "$T/report.json" --next "$T/next.yml"
cat "$T"/dest/result_*.csv | sort > "$T/all"
expect_same "$T/all" '1,alice,1.5,2026-11-21
2,"bob, jr",2.0,2026-11-21
3,carol,,2026-11-21
id,name,score,batch
id,name,score,batch' "output rows, one file per task, with header"
expect_grep "$T/report.json" '"status": "ok"' "report status"
expect_grep "$T/report.json" '"in": 3' "report counts records in"
expect_grep "$T/report.json" '"out": 3' "report counts records out"
expect_grep "$T/report.json" '"name": "csv"' "report lists plugins"
expect_grep "$T/report.json" '"sandbox"' "report has a sandbox object"
expect_grep "$T/next.yml" "last_path: .*part_02.csv" "--next records the last file"

# The next run reads only new files.
printf 'id,name,score\n4,dave,4\n' > "$T/in/part_03.csv"
rm -f "$T"/dest/*
expect_exit 0 "incremental run" -- "$BH" --quiet run "$T/next.yml" "${V[@]}" --report "$T/report2.json"
expect_grep "$T/report2.json" '"in": 1' "incremental run reads only the new file"
rm "$T/in/part_03.csv"

# Invalid record, default action stop: exit 4, file and line named, nothing published.
expect_exit 0 "baseline run" -- "$BH" --quiet run "$T/c.yml" "${V[@]}"
cp -r "$T/dest" "$T/dest.before"
printf 'id,name,score\n5,eve,5\nsix,frank,6\n' > "$T/in/part_04.csv"
expect_exit 4 "invalid record stops the run" -- "$BH" --quiet run "$T/c.yml" "${V[@]}" --report "$T/report3.json"
expect_grep "$T/err" "part_04.csv:3" "message names file and line"
expect_grep "$T/err" "six" "message quotes the bad value"
expect_grep "$T/report3.json" '"status": "data_error"' "report says data_error"
if diff -r "$T/dest.before" "$T/dest" >/dev/null; then pass "earlier output untouched"; else fail "earlier output changed"; fi
if ls -a "$T/dest" | grep -q 'tmp'; then fail "staged files left behind"; else pass "no staged files left"; fi

# Skip: the record goes to the reject file and is counted.
write_config 'invalid_records: {action: skip, reject_file: "${dir}/rejects.jsonl"}'
expect_exit 0 "skip invalid records" -- "$BH" --quiet run "$T/c.yml" "${V[@]}" --report "$T/report4.json"
expect_grep "$T/report4.json" '"invalid": 1' "report counts the invalid record"
expect_grep "$T/rejects.jsonl" '"line":3' "reject file has the line"
expect_grep "$T/rejects.jsonl" 'six,frank,6' "reject file has the record"
finish
