#!/bin/sh
# bulkhead plugin pack/verify/install/list/info/remove, signatures, policy,
# resolve and rollout, through the CLI, with the two builds of the
# tests/plugins/versioned plugin (1.0.0 and 2.0.0).
. "$BULKHEAD_SRCDIR/tests/cli/lib.sh"

P="$BULKHEAD_BUILDDIR/tests/plugins"
for v in 1 2; do
	mkdir -p "$T/src$v"
	ver=$([ $v = 1 ] && echo 1.0.0 || echo 2.0.0)
	cp "$P/versioned-$v.so" "$T/src$v/versioned.so"
	cat >"$T/src$v/manifest.yml" <<YAML
name: versioned
version: $ver
abi: "1.1"
description: test plugin
library: versioned.so
kinds: [input]
requires: {network: false}
YAML
	echo "notes for $ver" >"$T/src$v/NOTES.txt"
done

# ---- pack ----
expect_exit 0 "pack 1.0.0" -- "$BH" plugin pack "$T/src1" -o "$T/v1.bhp"
expect_grep "$T/out" "packed versioned 1.0.0 .* 2 file\(s\), 1 component" "pack reports files and components"
expect_exit 0 "pack 2.0.0" -- "$BH" plugin pack "$T/src2" -o "$T/v2.bhp"
tar tzf "$T/v1.bhp" >"$T/list"
expect_same "$T/list" "manifest.yml
NOTES.txt
versioned.so" "bundle holds manifest.yml first, then every file"
tar xzOf "$T/v1.bhp" manifest.yml >"$T/manifest"
expect_grep "$T/manifest" "^  versioned.so: sha256:[0-9a-f]{64}$" "pack fills in file hashes"
expect_grep "$T/manifest" "^  input/versioned: test input$" "pack fills in components from the library"
expect_grep "$T/manifest" "^options:" "pack fills in options"
sed -i 's/^version: 1.0.0/version: 1.0.1/' "$T/src1/manifest.yml"
expect_exit 7 "pack refuses a manifest that disagrees with the library" -- "$BH" plugin pack "$T/src1" -o "$T/x.bhp"
expect_grep "$T/err" "library is version 1.0.0 but manifest.yml says version: 1.0.1" "and says why"
sed -i 's/^version: 1.0.1/version: 1.0.0/' "$T/src1/manifest.yml"

# ---- verify / install ----
expect_exit 0 "verify" -- "$BH" plugin verify "$T/v1.bhp"
expect_grep "$T/out" "ok: versioned 1.0.0" "verify names the plugin"
expect_exit 0 "install 1.0.0" -- "$BH" plugin install "$T/v1.bhp"
expect_exit 0 "install 2.0.0 side by side" -- "$BH" plugin install "$T/v2.bhp"
expect_exit 0 "re-install of identical content is fine" -- "$BH" plugin install "$T/v1.bhp"
expect_grep "$T/out" "already installed" "and says so"
[ -f "$BULKHEAD_HOME/plugins/versioned/1.0.0/versioned.so" ] && pass "store layout <home>/plugins/NAME/VERSION" ||
	fail "store layout"
echo "changed" >"$T/src1/NOTES.txt"
"$BH" plugin pack "$T/src1" -o "$T/v1-changed.bhp" >/dev/null 2>&1
before=$(cd "$BULKHEAD_HOME/plugins" && find . -path ./.lock -prune -o -type f -print | sort | xargs sha256sum)
expect_exit 7 "same name@version with different content is refused" -- "$BH" plugin install "$T/v1-changed.bhp"
expect_grep "$T/err" "already installed with different content" "and says why"
after=$(cd "$BULKHEAD_HOME/plugins" && find . -path ./.lock -prune -o -type f -print | sort | xargs sha256sum)
[ "$before" = "$after" ] && pass "store unchanged after a refused install" || fail "store changed"
head -c 300 "$T/v2.bhp" >"$T/trunc.bhp"
expect_exit 7 "truncated bundle rejected" -- "$BH" plugin verify "$T/trunc.bhp"

# ---- signatures ----
if command -v minisign >/dev/null 2>&1; then
	(cd "$T" && minisign -G -W -p op.pub -s op.key >/dev/null)
	expect_exit 7 "--require-signature refuses an unsigned bundle" -- "$BH" plugin verify "$T/v2.bhp" --require-signature
	minisign -S -W -s "$T/op.key" -m "$T/v2.bhp" -t "versioned 2.0.0" >/dev/null
	expect_exit 7 "signed by a key not in trusted-keys is refused when required" -- \
		"$BH" plugin verify "$T/v2.bhp" --require-signature
	expect_grep "$T/err" "not in .*trusted-keys" "and names the keys dir"
	mkdir -p "$BULKHEAD_HOME/trusted-keys" && cp "$T/op.pub" "$BULKHEAD_HOME/trusted-keys/"
	expect_exit 0 "trusted signature accepted" -- "$BH" plugin verify "$T/v2.bhp" --require-signature
	expect_grep "$T/out" "signature: good, key [0-9A-F]{16}.*trusted comment: versioned 2.0.0" "signature details shown"
	cp "$T/v2.bhp.minisig" "$T/v1.bhp.minisig"
	expect_exit 7 "a signature of another file is rejected even when not required" -- "$BH" plugin verify "$T/v1.bhp"
	rm -f "$T/v1.bhp.minisig"
	BULKHEAD_REQUIRE_SIGNATURE=1 expect_exit 7 "BULKHEAD_REQUIRE_SIGNATURE=1 requires signatures" -- \
		"$BH" plugin verify "$T/v1.bhp"
	echo "require_signature: true" >"$BULKHEAD_HOME/host.yml"
	expect_exit 7 "require_signature in host.yml requires signatures" -- "$BH" plugin verify "$T/v1.bhp"
	rm -f "$BULKHEAD_HOME/host.yml"
else
	echo "minisign not installed: signature checks skipped"
fi

# ---- list / info ----
expect_exit 0 "plugin list --json" -- "$BH" plugin list --json
expect_grep "$T/out" '"version": "1.0.0"' "list shows 1.0.0"
expect_grep "$T/out" '"version": "2.0.0"' "list shows 2.0.0"
expect_exit 0 "plugin info" -- "$BH" plugin info versioned@1.0.0
expect_grep "$T/out" "^input versioned: test input" "info shows components"
expect_grep "$T/out" "OPTION +TYPE +DEFAULT +REQUIRED +DESCRIPTION" "info shows the option table"

# ---- policy ----
expect_exit 3 "policy refuses a version that is not installed" -- "$BH" policy set-default versioned 3.0.0
expect_exit 0 "policy set-default" -- "$BH" policy set-default versioned 1.0.0
expect_exit 0 "policy canary" -- "$BH" policy canary versioned 2.0.0 10
expect_exit 0 "policy pin" -- "$BH" policy pin versioned acme 2.0.0
expect_exit 3 "policy canary needs a valid percent" -- "$BH" policy canary versioned 2.0.0
expect_exit 3 "percent beyond two decimals refused" -- "$BH" policy canary versioned 2.0.0 10.001
expect_exit 0 "policy show" -- "$BH" policy show versioned
expect_grep "$T/out" "percent: 10$" "policy file has the canary"
expect_exit 0 "resolve pinned tenant" -- "$BH" resolve --tenant acme versioned --json
expect_grep "$T/out" '"version": "2.0.0"' "acme gets its pin"
expect_grep "$T/out" '"reason": "pinned' "with the reason"
canary=0
i=0
while [ $i -lt 300 ]; do
	"$BH" resolve --tenant "tenant-$i" versioned | grep -q "^versioned 2.0.0: canary" && canary=$((canary + 1))
	i=$((i + 1))
done
[ $canary -gt 10 ] && [ $canary -lt 60 ] && pass "about 10% of tenants in the canary ($canary/300)" ||
	fail "canary share $canary/300"
expect_exit 0 "resolve with a constraint" -- "$BH" resolve --tenant someone "versioned@< 2"
expect_grep "$T/out" "^versioned 1.0.0" "constraint filters"
printf 'in:\n  type: versioned\n  version: "~> 1.0"\nout:\n  type: file\n  path_prefix: /tmp/x\n  file_ext: csv\n  formatter: {type: csv}\n' >"$T/config.yml"
"$BH" resolve --tenant acme "$T/config.yml" --json >"$T/out" 2>"$T/err"
expect_grep "$T/out" '"section": "input versioned"' "resolve reads a transfer config"
expect_grep "$T/out" "pinned to versioned 2.0.0, which is excluded by the version constraint" \
	"a pin the config's constraint excludes is an error, not a silent change"
"$BH" resolve --tenant tenant-1 "$T/config.yml" >"$T/out" 2>"$T/err"
expect_grep "$T/out" "^input versioned: versioned 1.0.0: " "a config's constraint keeps other tenants off 2.0.0"
expect_exit 0 "plugin list shows who gets what" -- "$BH" plugin list
expect_grep "$T/out" "canary: 10% of tenants; pinned: acme" "list: canary and pins on 2.0.0"
expect_grep "$T/out" "default: every tenant not pinned or in the canary" "list: default on 1.0.0"
expect_exit 0 "deny" -- "$BH" policy deny versioned 2.0.0
expect_exit 3 "a pin to a denied version is an error at resolve time" -- "$BH" resolve --tenant acme versioned
expect_exit 0 "allow" -- "$BH" policy allow versioned 2.0.0

# ---- remove ----
expect_exit 7 "remove refused while the policy points at it" -- "$BH" plugin remove versioned@1.0.0
expect_grep "$T/err" "it is the default" "and says why"

# ---- rollout ----
expect_exit 0 "auto rollback setting" -- "$BH" policy auto-rollback versioned 5 10
mkdir -p "$BULKHEAD_HOME/outcomes"
now=$(date +%s)
for i in 1 2 3 4 5 6 7 8 9 10; do echo "$now 1.0.0 ok default t$i" >>"$BULKHEAD_HOME/outcomes/versioned.log"; done
for i in 1 2 3 4 5; do echo "$now 2.0.0 fail canary t$i" >>"$BULKHEAD_HOME/outcomes/versioned.log"; done
expect_exit 0 "rollout check rolls back a failing canary" -- "$BH" rollout check versioned
expect_grep "$T/out" "canary rolled back: .*5 of 5 runs" "with the reason"
expect_exit 0 "rollout status" -- "$BH" rollout status versioned
expect_grep "$T/out" "canary  2.0.0 +5/5 failed \(100.00%\), at 0% of tenants" "status shows the canary at 0%"
expect_grep "$T/out" "rolled back: " "status shows why"
expect_exit 0 "after rollback the canary tenants are back on the default" -- "$BH" resolve --tenant tenant-1 versioned
expect_grep "$T/out" "^versioned 1.0.0" "default again"

expect_exit 0 "unset default" -- "$BH" policy unset-default versioned
expect_exit 0 "remove 1.0.0" -- "$BH" plugin remove versioned@1.0.0
[ ! -e "$BULKHEAD_HOME/plugins/versioned/1.0.0" ] && pass "version gone" || fail "version still there"
finish
