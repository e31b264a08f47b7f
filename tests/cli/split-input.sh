#!/bin/sh
# Split inputs: a large file is cut into parts that run as tasks of their own
# (exec.split_size).  Whatever the cut points, the parts together must give
# exactly the records, rejects, line numbers and errors of one task reading
# the whole file — including cut points inside quoted fields that span lines,
# where a part's first attempt is void and runs again.
. "$BULKHEAD_SRCDIR/tests/cli/lib.sh"

# Every row has a quoted field spanning several lines (most bytes are inside
# one), every 997th row has a bad double, the header is skipped.
awk 'BEGIN {
	print "id,note,price"
	for (i = 1; i <= 6000; i++) {
		if (i % 997 == 0) { printf "%d,bad row,not-a-number\n", i; continue }
		printf "%d,\"note %d\nsays \"\"hi\"\", \"\"bye\"\"\n", i, i
		for (j = 0; j < 12; j++) printf "padding line %d of row %d, with a comma\n", j, i
		printf "end\",%d.25\n", i
	}
}' >"$T/in.csv"

config() { # config THREADS SPLIT_SIZE INPUT PARSER OUTDIR FORMAT [INVALID]
	invalid="  invalid_records: {action: skip, reject_file: $5.rejects}"
	[ $# -ge 7 ] && invalid=$7
	cat <<EOF
in:
  type: file
  path_prefix: $3
  parser:
    type: $4
$([ "$4" = csv ] && echo "    skip_header_lines: 1")
    columns:
    - {name: id, type: long}
    - {name: note, type: string}
    - {name: price, type: double}
exec:
  max_threads: $1
  split_size: $2
$invalid
out:
  type: file
  path_prefix: $5/part
  file_ext: $6
  formatter: {type: $6}
EOF
}

mkdir "$T/one" "$T/split"
config 1 64KiB "$T/in.csv" csv "$T/one" jsonl >"$T/one.yml"
config 4 64KiB "$T/in.csv" csv "$T/split" jsonl >"$T/split.yml"
expect_exit 0 "csv: one task" -- "$BH" run --quiet "$T/one.yml"
BULKHEAD_DEBUG=1 expect_exit 0 "csv: split into parts" -- "$BH" run "$T/split.yml"
[ "$(ls "$T/one" | wc -l)" = 1 ] && pass "one task writes one file" || fail "one task wrote $(ls "$T/one")"
[ "$(ls "$T/split" | wc -l)" = 16 ] && pass "four threads: four parts each, sixteen files" || fail "split wrote $(ls "$T/split")"
expect_grep "$T/err" "runs again from byte" "a part that started inside a multi-line field ran again"
expect_grep "$T/err" "5994 records in, 5994 out, 6 invalid, $(wc -c <"$T/in.csv") bytes read" \
	"the report counts every record and byte once"
cat "$T/one"/* >"$T/one.all"
cat "$T/split"/* >"$T/split.all"
cmp -s "$T/one.all" "$T/split.all" && pass "the parts, in order, hold exactly the records of one task" ||
	fail "split output differs from one task's ($(wc -l <"$T/one.all") vs $(wc -l <"$T/split.all") lines)"
sort "$T/one.rejects" >"$T/one.rej"
sort "$T/split.rejects" >"$T/split.rej"
cmp -s "$T/one.rej" "$T/split.rej" && pass "rejects with the same line numbers" ||
	{ fail "rejects differ"; diff "$T/one.rej" "$T/split.rej" | head -5 >&2; }
expect_grep "$T/split.rej" '"line":14942,.*"record":"997,bad row,not-a-number"' "a reject's line counts the header and every line of the multi-line fields"

# The first invalid record stops the run with the same file:line whichever part found it.
stop='  invalid_records: {action: stop}'
config 1 64KiB "$T/in.csv" csv "$T/one" jsonl "$stop" >"$T/one-stop.yml"
config 4 64KiB "$T/in.csv" csv "$T/split" jsonl "$stop" >"$T/split-stop.yml"
rm -f "$T/one"/* "$T/split"/*
expect_exit 4 "stop: one task" -- "$BH" run --quiet "$T/one-stop.yml"
grep -o 'in.csv:[0-9]*' "$T/err" >"$T/one.where"
expect_exit 4 "stop: split" -- "$BH" run --quiet "$T/split-stop.yml"
grep -o 'in.csv:[0-9]*' "$T/err" >"$T/split.where"
expect_same "$T/split.where" "$(cat "$T/one.where")" "the stop names the same line"
[ -z "$(ls "$T/split")" ] && pass "a stopped split run publishes nothing" || fail "published $(ls "$T/split")"

# JSON Lines split the same way (the lines of the csv run's output).
cp "$T/one.all" "$T/in.jsonl"
sed -i '100s/.*/{"id": 1, "price": "x"/; 3000s/.*/not json/' "$T/in.jsonl"
mkdir "$T/jone" "$T/jsplit"
config 1 64KiB "$T/in.jsonl" jsonl "$T/jone" csv >"$T/jone.yml"
config 3 64KiB "$T/in.jsonl" jsonl "$T/jsplit" csv >"$T/jsplit.yml"
expect_exit 0 "jsonl: one task" -- "$BH" run --quiet "$T/jone.yml"
expect_exit 0 "jsonl: split into parts" -- "$BH" run --quiet "$T/jsplit.yml"
[ "$(ls "$T/jsplit" | wc -l)" = 12 ] && pass "jsonl: three threads, twelve parts" || fail "jsonl split wrote $(ls "$T/jsplit")"
cat "$T/jone"/* >"$T/jone.all"
cat "$T/jsplit"/* | awk 'NR == 1 || !/^id,note,price$/' >"$T/jsplit.all" # one header per file
cmp -s "$T/jone.all" "$T/jsplit.all" && pass "jsonl: the parts hold exactly the records of one task" ||
	fail "jsonl split output differs"
sort "$T/jone.rejects" >"$T/jone.rej"
sort "$T/jsplit.rejects" >"$T/jsplit.rej"
cmp -s "$T/jone.rej" "$T/jsplit.rej" && pass "jsonl: rejects with the same line numbers" || fail "jsonl rejects differ"
expect_grep "$T/jsplit.rej" '"line":3000,' "jsonl: a reject in a later part has its file line"

# split_size: 0 turns splitting off; a compressed input is never split.
rm -f "$T/split"/*
config 4 0 "$T/in.csv" csv "$T/split" jsonl >"$T/off.yml"
expect_exit 0 "split_size 0" -- "$BH" run --quiet "$T/off.yml"
[ "$(ls "$T/split" | wc -l)" = 1 ] && pass "split_size 0: one file" || fail "split_size 0 wrote $(ls "$T/split")"
gzip -c "$T/in.csv" >"$T/in.csv.gz"
rm -f "$T/split"/*
config 4 64KiB "$T/in.csv.gz" csv "$T/split" jsonl | sed 's/^  parser:/  decoders: [{type: gzip}]\n  parser:/' >"$T/gz.yml"
expect_exit 0 "gzip input" -- "$BH" run --quiet "$T/gz.yml"
[ "$(ls "$T/split" | wc -l)" = 1 ] && pass "a compressed file is one task" || fail "gzip wrote $(ls "$T/split")"
cmp -s "$T/one.all" "$T/split"/part000.00.jsonl && pass "gzip: same records" || fail "gzip output differs"

# A bad split_size is a located config error.
config 4 lots "$T/in.csv" csv "$T/split" jsonl >"$T/bad.yml"
expect_exit 3 "split_size: lots" -- "$BH" run "$T/bad.yml"
expect_grep "$T/err" "bad.yml:1[0-9]:[0-9]+: invalid split_size" "names file, line and column"
finish
