/* bulkhead plugin pack | install | verify | remove */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/packaging_cmds.h"
#include "host/pkgcmd.h"
#include "packaging/bundle.h"
#include "packaging/policy.h"
#include "packaging/util.h"

static int code_for(int r)
{
	return r == -ENOMEM || r == -EIO ? BH_EXIT_INTERNAL : BH_EXIT_BUNDLE;
}

static const char pack_usage[] =
	"usage: bulkhead plugin pack DIR [-o FILE.bhp] [--library PATH]\n"
	"  Packs DIR (manifest.yml, the built library, any data files) into a bundle.\n"
	"  Fills in the manifest's files (sha256 of each) and its components and\n"
	"  options, which bulkhead-worker reads from the library inside the sandbox.\n"
	"  -o FILE        output (default NAME-VERSION.bhp in the current directory)\n"
	"  --library PATH bundle only this library (built outside DIR) with DIR/manifest.yml\n"
	"  Hidden files, *.bhp and *.minisig under DIR are not bundled.\n";

int cmd_plugin_pack(struct bh_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"library", required_argument, NULL, 'l'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL, *library = NULL, *dir;
	char *err = NULL, *src = NULL, *lib = NULL, *def_out = NULL;
	struct manifest *m = NULL, *packed = NULL;
	json_t *describe = NULL;
	int c, code = BH_EXIT_OK, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'l':
			library = optarg;
			break;
		case 'h':
			fputs(pack_usage, stdout);
			return BH_EXIT_OK;
		default:
			fputs(pack_usage, stderr);
			return BH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(pack_usage, stderr);
		return BH_EXIT_USAGE;
	}
	dir = argv[optind];
	src = pkg_strdupf("%s/manifest.yml", dir);
	if (src == NULL || manifest_load(src, 1, &m, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_BUNDLE, "out of memory");
		goto done;
	}
	lib = library ? strdup(library) : pkg_strdupf("%s/%s", dir, m->library);
	if (lib == NULL || bundle_check_elf(lib, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_BUNDLE, "out of memory");
		goto done;
	}
	/* Reading the option table means loading the library: only the sandboxed worker does that. */
	if (host_describe_library(cli, lib, &describe, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_DATA, "cannot describe the library");
		goto done;
	}
	if (out == NULL) {
		def_out = pkg_strdupf("%s-%s.bhp", m->name, m->version);
		out = def_out;
	}
	if ((r = bundle_pack(dir, library, describe, out, &packed, &err)) < 0) {
		code = pkgcmd_fail(&err, code_for(r), "cannot pack");
		goto done;
	}
	if (!cli->quiet) {
		size_t options = 0;
		for (size_t i = 0; i < packed->component_count; i++)
			options += packed->components[i].option_count;
		printf("packed %s %s into %s: %zu file(s), %zu component(s), %zu option(s)\n", packed->name,
		       packed->version, out, packed->file_count, packed->component_count, options);
	}
done:
	json_decref(describe);
	manifest_free(m);
	manifest_free(packed);
	free(src);
	free(lib);
	free(def_out);
	return code;
}

struct bundle_args {
	const char *file;
	const char *signature;
	int require_signature;
	int json;
};

static int parse_bundle_args(int argc, char **argv, const char *usage, struct bundle_args *a)
{
	static const struct option opts[] = {{"signature", required_argument, NULL, 's'},
					     {"require-signature", no_argument, NULL, 'r'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->signature = optarg;
			break;
		case 'r':
			a->require_signature = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	a->file = argv[optind];
	return 0;
}

static void describe_signature(const struct bundle_report *rep, const char *keys_dir)
{
	switch (rep->signature) {
	case BUNDLE_SIGNED:
		printf("  signature: good, key %s (%s), trusted comment: %s\n", rep->sig.key_id, rep->sig.key_file,
		       rep->sig.trusted_comment);
		break;
	case BUNDLE_UNTRUSTED:
		fprintf(stderr, "bulkhead: warning: signed with key %s, which is not in %s\n", rep->sig.key_id,
			keys_dir);
		printf("  signature: untrusted key %s\n", rep->sig.key_id);
		break;
	case BUNDLE_UNSIGNED:
		printf("  signature: none\n");
		break;
	}
}

static int run_bundle_command(struct bh_cli *cli, int argc, char **argv, int install)
{
	static const char install_usage[] =
		"usage: bulkhead plugin install FILE.bhp [--signature FILE] [--require-signature]\n"
		"  Verifies the bundle (archive entries, manifest, hashes, ABI, library, signature)\n"
		"  and installs it into <home>/plugins/NAME/VERSION.  The signature is FILE.bhp.minisig\n"
		"  unless --signature says otherwise; keys are <home>/trusted-keys/*.pub.\n"
		"  --require-signature (or BULKHEAD_REQUIRE_SIGNATURE=1, or require_signature: true\n"
		"  in <home>/host.yml) refuses unsigned and untrusted bundles.\n";
	static const char verify_usage[] =
		"usage: bulkhead plugin verify FILE.bhp [--signature FILE] [--require-signature]\n"
		"  Runs every install check without installing.\n";
	struct bundle_args a;
	struct bundle_report rep = {0};
	char *err = NULL, *keys = NULL, *store = NULL;
	int r, code = BH_EXIT_OK;

	r = parse_bundle_args(argc, argv, install ? install_usage : verify_usage, &a);
	if (r != 0)
		return r > 0 ? BH_EXIT_OK : BH_EXIT_USAGE;
	int required = pkgcmd_require_signature(cli, &err);
	if (required < 0)
		return pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the host configuration");
	keys = pkgcmd_keys_dir(cli);
	store = pkgcmd_home_store(cli);
	if (!keys || !store) {
		code = BH_EXIT_INTERNAL;
		goto done;
	}
	struct bundle_options o = {.signature_path = a.signature,
				   .keys_dir = keys,
				   .require_signature = a.require_signature || required};
	r = install ? bundle_install(a.file, store, &o, &rep, &err) : bundle_verify(a.file, &o, &rep, &err);
	if (r < 0) {
		code = pkgcmd_fail(&err, code_for(r), "bundle rejected");
		goto done;
	}
	if (!cli->quiet) {
		if (!install)
			printf("%s: ok: %s %s (abi %s), %zu file(s)\n", a.file, rep.m->name, rep.m->version, rep.m->abi,
			       rep.m->file_count);
		else if (rep.already_installed)
			printf("%s %s is already installed (same content) in %s\n", rep.m->name, rep.m->version, rep.dir);
		else
			printf("installed %s %s into %s\n", rep.m->name, rep.m->version, rep.dir);
		describe_signature(&rep, keys);
	} else if (rep.signature == BUNDLE_UNTRUSTED) {
		fprintf(stderr, "bulkhead: warning: signed with key %s, which is not in %s\n", rep.sig.key_id, keys);
	}
done:
	bundle_report_clear(&rep);
	free(keys);
	free(store);
	return code;
}

int cmd_plugin_install(struct bh_cli *cli, int argc, char **argv)
{
	return run_bundle_command(cli, argc, argv, 1);
}

int cmd_plugin_verify(struct bh_cli *cli, int argc, char **argv)
{
	return run_bundle_command(cli, argc, argv, 0);
}

/* Who in the policy still points at name@version; NULL when nobody. */
static char *policy_users(const struct policy *pol, const char *name, const char *version)
{
	const struct policy_plugin *pp = policy_find(pol, name);
	char buf[512];
	size_t len = 0, pins = 0;

	buf[0] = '\0';
	if (pp == NULL)
		return NULL;
	if (pp->default_version && strcmp(pp->default_version, version) == 0)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "it is the default");
	if (pp->canary.version && strcmp(pp->canary.version, version) == 0 && len < sizeof(buf))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%sit is the canary", len ? ", " : "");
	for (size_t i = 0; i < pp->pin_count; i++)
		pins += strcmp(pp->pins[i].version, version) == 0;
	if (pins && len < sizeof(buf))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%zu tenant(s) are pinned to it", len ? ", " : "",
					pins);
	return len ? strdup(buf) : NULL;
}

int cmd_plugin_remove(struct bh_cli *cli, int argc, char **argv)
{
	static const char usage[] =
		"usage: bulkhead plugin remove NAME@VERSION [--force]\n"
		"  Removes an installed version from <home>/plugins.  Refused while the policy\n"
		"  points at it (default, canary, pins) or a running transfer uses it, unless --force.\n";
	int force = 0, r;
	char *ref = NULL, *err = NULL, *name, *version, *store = NULL, *users = NULL;
	struct policy *pol = NULL;
	int code = BH_EXIT_OK;

	r = pkgcmd_ref_args(argc, argv, usage, "--force", &force, &ref, &name, &version);
	if (r != 0)
		return r > 0 ? BH_EXIT_OK : BH_EXIT_USAGE;
	if (version == NULL) {
		fputs(usage, stderr);
		free(ref);
		return BH_EXIT_USAGE;
	}
	if (pkgcmd_load_policy(cli, &pol, &err) < 0) {
		code = pkgcmd_fail(&err, BH_EXIT_CONFIG, "cannot read the policy");
		goto done;
	}
	users = policy_users(pol, name, version);
	if (users && !force) {
		fprintf(stderr, "bulkhead: %s@%s is still used by the policy: %s (change the policy first, or --force)\n",
			name, version, users);
		code = BH_EXIT_BUNDLE;
		goto done;
	}
	store = pkgcmd_home_store(cli);
	if (store == NULL) {
		code = BH_EXIT_INTERNAL;
		goto done;
	}
	if ((r = bundle_remove(store, name, version, force, &err)) < 0) {
		code = pkgcmd_fail(&err, code_for(r), "cannot remove");
		goto done;
	}
	if (users)
		fprintf(stderr, "bulkhead: warning: removed %s@%s although %s\n", name, version, users);
	if (!cli->quiet)
		printf("removed %s %s from %s\n", name, version, store);
done:
	policy_free(pol);
	free(users);
	free(store);
	free(ref);
	return code;
}
