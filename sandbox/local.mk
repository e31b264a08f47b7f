# sandbox/: owned by its component; see DESIGN.md.
