"""The command-line interface: each command is a thin wrapper over an importable function."""
