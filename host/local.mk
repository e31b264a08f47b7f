# host/: the bulkhead CLI and the bulkhead-worker executable.
# Config loading lives in host/config.mk; the packaging commands in host/packaging.mk.
include host/config.mk
include host/packaging.mk
