# host commands for bundles, store, policy and rollout (libbhpkgcmd.a).
