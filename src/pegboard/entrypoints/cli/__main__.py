"""`python -m pegboard.entrypoints.cli`: the same as the `pegboard` command."""

from pegboard.entrypoints.cli.running import run

run()
