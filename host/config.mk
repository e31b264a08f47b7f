# host config loading (libbhconfig.a); owned by the config component.
