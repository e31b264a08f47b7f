#!/bin/sh
# bench/selftest.sh (make check): the benchmark's own tools agree with each
# other and catch wrong data, so a passing bench means something.
#  - gen is deterministic and its CSV, JSONL and two-part forms of one seed
#    hold the same rows (same checksum);
#  - check reads each back to exactly gen's checksum;
#  - check rejects or re-hashes every kind of damage: a changed digit, a
#    changed string byte, a lost row, a duplicated row, -0.0 written as 0,
#    a double with too few digits, a bad escape, a wrong JSON type, a
#    missing key, a stray field;
#  - rusage reports a child's peak RSS, not its parent's;
#  - pipe (parser -> formatter in-process) writes what gen wrote.
set -eu
b=${BULKHEAD_BUILDDIR:?}/bench
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

sums() { sed 's/^rows=\([0-9]*\).* sum=\([0-9a-f]*\) mixed=\([0-9a-f]*\).*/\1 \2 \3/'; }

want=$("$b/gen" --size 300K --seed 7 "$t/a.csv" | sums)
rows=${want%% *}
[ "$rows" -gt 2000 ] || fail "gen wrote only $rows rows"
again=$("$b/gen" --size 300K --seed 7 "$t/b.csv" | sums)
[ "$again" = "$want" ] && cmp -s "$t/a.csv" "$t/b.csv" || fail "gen is not deterministic"
other=$("$b/gen" --size 300K --seed 8 "$t/c.csv" | sums)
[ "$other" != "$want" ] || fail "the seed does not change the data"
[ "$("$b/gen" --rows "$rows" --seed 7 --format jsonl "$t/a.jsonl" | sums)" = "$want" ] ||
	fail "gen --format jsonl differs from the CSV"
[ "$("$b/gen" --size 300K --seed 7 --parts 2 "$t/p_" | sums)" = "$want" ] ||
	fail "gen --parts 2 differs from one file"
[ -s "$t/p_0.csv" ] && [ -s "$t/p_1.csv" ] || fail "gen --parts 2 wrote no two files"

for f in a.csv a.jsonl "p_0.csv p_1.csv"; do
	got=$(cd "$t" && "$b/check" $f | sums) || fail "check rejects gen's $f"
	[ "$got" = "$want" ] || fail "check $f: $got, gen said $want"
done

# expect_bad NAME FILE: check must fail on FILE or give another checksum.
expect_bad() {
	case $2 in *.csv) orig=$t/a.csv ;; *) orig=$t/a.jsonl ;; esac
	cmp -s "$2" "$orig" && { fail "the edit for '$1' changed nothing"; return 0; }
	got=$("$b/check" "$2" 2>/dev/null | sums) || return 0
	[ "$got" != "$want" ] || fail "check does not notice: $1"
}
# Edit a copy of the input (line 100, or every line where one might not match).
edit() { sed "$2" "$t/$1" >"$t/bad.${1##*.}"; }
edit a.csv '100s/^\([0-9]\)/\1\1/'; expect_bad "changed long" "$t/bad.csv"
edit a.csv '100s/e/E/'; expect_bad "changed string byte" "$t/bad.csv"
edit a.csv '100d'; expect_bad "lost row" "$t/bad.csv"
edit a.csv '100p'; expect_bad "duplicated row" "$t/bad.csv"
edit a.csv '100s/$/,x/'; expect_bad "extra field" "$t/bad.csv"
edit a.csv 's/"/'"'"'/'; expect_bad "broken quoting" "$t/bad.csv"
edit a.jsonl 's/"price":-0\.0,/"price":0,/'; expect_bad "-0.0 written as 0" "$t/bad.jsonl"
edit a.jsonl 's/"price":\(-\{0,1\}[0-9]*\.[0-9]\)[0-9]*/"price":\1/'
expect_bad "a double with too few digits" "$t/bad.jsonl"
edit a.jsonl 's/\\"/\\q/'; expect_bad "bad escape" "$t/bad.jsonl"
edit a.jsonl '100s/"qty":\(-\{0,1\}[0-9]*\)/"qty":"\1"/'; expect_bad "long as a string" "$t/bad.jsonl"
edit a.jsonl '100s/,"note":"[^"]*"//'; expect_bad "missing key" "$t/bad.jsonl"
# --shortest: gen's doubles pass; one with a superfluous digit does not.
"$b/check" --shortest "$t/a.jsonl" >/dev/null || fail "check --shortest rejects gen's data"
printf 'id,name,qty,price,note\n1,a,2,0.30000000000000004,b\n' >"$t/s.csv"
"$b/check" --shortest "$t/s.csv" >/dev/null || fail "check --shortest rejects 0.30000000000000004"
printf 'id,name,qty,price,note\n1,a,2,0.10000000000000001,b\n' >"$t/s.csv"
"$b/check" --shortest "$t/s.csv" >/dev/null 2>&1 && fail "check --shortest accepts 0.10000000000000001"
printf 'id,name,qty,price,note\n1,a,2,1.50e3,b\n' >"$t/s.csv"
"$b/check" --shortest "$t/s.csv" >/dev/null || fail "check --shortest counts trailing zeros"
grep -q '"price":-0\.0,' "$t/a.jsonl" || fail "the dataset has no -0.0"
grep -q '9223372036854775807' "$t/a.csv" || fail "the dataset has no INT64_MAX"

# rusage: a 64 MiB child shows as >= 64 MiB, a tiny one as far less.
"$b/rusage" -o "$t/ru" python3 -c 'b = bytearray(64 << 20); b[::4096] = b"x" * len(b[::4096])'
big=$(sed 's/maxrss_kib=\([0-9]*\).*/\1/' "$t/ru")
"$b/rusage" -o "$t/ru" true
small=$(sed 's/maxrss_kib=\([0-9]*\).*/\1/' "$t/ru")
[ "$big" -ge 65536 ] || fail "rusage: 64 MiB child reported as $big KiB"
[ "$small" -lt 8192 ] || fail "rusage: 'true' reported as $small KiB"
"$b/rusage" -o "$t/ru" sh -c 'exit 3' && fail "rusage hides the exit status" || [ $? -eq 3 ] ||
	fail "rusage changes the exit status"

# pipe: the in-process parser -> formatter run gives what the worker would
# (check's checksum of its output is gen's) and counts gen's rows.
line=$("$b/pipe" -o "$t/pipe.jsonl" "$t/a.csv") || fail "pipe failed on gen's CSV"
case $line in "records=$rows "*) ;; *) fail "pipe: $line (gen wrote $rows rows)" ;; esac
[ "$(cd "$t" && "$b/check" pipe.jsonl | sums)" = "$want" ] || fail "pipe's JSONL differs from gen's rows"
"$b/pipe" --formatter none "$t/a.jsonl" >/dev/null 2>&1 && fail "pipe parsed JSONL as the default CSV"
"$b/pipe" --parser jsonl --parser-config '{"columns":[{"name":"id","type":"long"}]}' --formatter none \
	"$t/a.jsonl" >/dev/null 2>&1 || fail "pipe --parser jsonl failed"
"$b/pipe" --chunk 0 "$t/a.csv" >/dev/null 2>&1 && fail "pipe accepted --chunk 0"

[ $fails -eq 0 ] || exit 1
echo "bench selftest: ok ($rows rows)"
