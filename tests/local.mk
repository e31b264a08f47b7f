# tests/: unit and CLI tests.
