# The build-tree plugin store: every in-tree plugin staged as
# plugin-store/<name>/<version>/ exactly as an installed bundle is laid out,
# so `./bulkhead` works uninstalled.  Option tables are read from each library
# by bulkhead-worker (never by the host).
BH_PLUGIN_STAMPS = $(BH_PLUGINS:%=plugin-store/.stamp-%)

# Secondary expansion: the stem appears twice in the library's path.
.SECONDEXPANSION:
plugin-store/.stamp-%: plugins/$$*/$$*.so $(srcdir)/plugins/$$*/manifest.yml bulkhead$(EXEEXT) bulkhead-worker$(EXEEXT)
	@$(MKDIR_P) plugin-store
	$(AM_V_GEN)BULKHEAD_HOME=$(abs_top_builddir)/.stage-home ./bulkhead$(EXEEXT) plugin stage \
		$(srcdir)/plugins/$*/manifest.yml plugins/$*/$*.so plugin-store && touch $@

# Every in-tree plugin is also packed into a bundle, exactly as a third-party
# plugin would be: bundles/<name>-<version>.bhp.
bundles/.stamp-%: plugin-store/.stamp-%
	@$(MKDIR_P) bundles
	$(AM_V_GEN)cd bundles && BULKHEAD_HOME=$(abs_top_builddir)/.stage-home ../bulkhead$(EXEEXT) --quiet \
		plugin pack ../plugin-store/$*/*/ >/dev/null && touch ../$@

all-local: $(BH_PLUGINS:%=bundles/.stamp-%)

# make install verifies and installs the bundles into the system store,
# $(pkglibdir)/plugins (the store of the home $(pkglibdir)).
install-data-local: $(BH_PLUGINS:%=bundles/.stamp-%)
	$(MKDIR_P) $(DESTDIR)$(pkglibdir)/plugins
	for b in bundles/*.bhp; do \
		./bulkhead$(EXEEXT) --quiet --home $(DESTDIR)$(pkglibdir) plugin install "$$b" || exit 1; \
	done

uninstall-local:
	rm -rf $(DESTDIR)$(pkglibdir)/plugins

clean-local:
	rm -rf plugin-store bundles .stage-home

# docs/plugins.md: the option reference, generated from the staged manifests.
# `make docs` refreshes it; tests/cli/docs-current.sh fails when it is stale.
docs: $(BH_PLUGIN_STAMPS)
	./bulkhead$(EXEEXT) plugin docs plugin-store > $(srcdir)/docs/plugins.md
.PHONY: docs
