#!/bin/bash
# Two versions of one plugin installed side by side serve different tenants in
# back-to-back runs, as the rollout policy says; runs record their outcomes.
. "$(dirname "$0")/lib.sh"
for v in 1 2; do
	expect_exit 0 "stage versioned $v.0.0" -- "$BH" plugin stage "$BULKHEAD_SRCDIR/tests/plugins/versioned-$v.yml" \
		"$BULKHEAD_BUILDDIR/tests/plugins/versioned-$v.so" "$T/store"
done
export BULKHEAD_PLUGIN_PATH="$T/store"
# One task thread: the lines of the two tasks then come in task order.
printf 'in: {type: versioned, tasks: 2}\nout: {type: stdout}\nexec: {max_threads: 1}\n' > "$T/c.yml"

expect_exit 0 "no policy: highest release" -- "$BH" --quiet run "$T/c.yml" --tenant acme
expect_same "$T/out" '2.0.0,1
2.0.0,2' "acme gets 2.0.0"

expect_exit 0 "policy default" -- "$BH" policy set-default versioned 1.0.0
expect_exit 0 "policy pin" -- "$BH" policy pin versioned beta 2.0.0
expect_exit 0 "alpha run" -- "$BH" --quiet run "$T/c.yml" --tenant alpha --report "$T/alpha.json"
expect_grep "$T/out" '^1\.0\.0,' "alpha gets the default 1.0.0"
expect_grep "$T/alpha.json" '"version": "1.0.0"' "report names the version"
expect_grep "$T/alpha.json" '"reason": ".*default' "report says why"
expect_exit 0 "beta run" -- "$BH" --quiet run "$T/c.yml" --tenant beta --report "$T/beta.json"
expect_grep "$T/out" '^2\.0\.0,' "beta gets its pin 2.0.0"
expect_grep "$T/beta.json" '"reason": ".*pin' "report says pinned"

expect_exit 0 "resolve explains" -- "$BH" resolve --tenant beta --json versioned
expect_grep "$T/out" '"version": ?"2.0.0"' "resolve agrees with the run"

printf 'in: {type: versioned, version: "< 2.0.0"}\nout: {type: stdout}\n' > "$T/constrained.yml"
expect_exit 3 "a constraint the pin can not meet" -- "$BH" --quiet run "$T/constrained.yml" --tenant beta
expect_exit 0 "a constraint picks the older version" -- "$BH" --quiet run "$T/constrained.yml" --tenant gamma
expect_grep "$T/out" '^1\.0\.0,' "gamma constrained to 1.0.0"

expect_exit 0 "rollout status" -- "$BH" rollout status versioned
expect_grep "$T/out" '1\.0\.0' "outcomes were recorded"
finish
