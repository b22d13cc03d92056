"""Objects built at a process's start, kept out of the garbage collector's full passes."""

from __future__ import annotations

from pegboard.planning.collector import keep_out_of_collection


def freeze_start_up() -> None:
    """Move every object alive now (modules, mappers, compiled statements, the app) to the
    collector's permanent generation: they live as long as the process, so no full pass needs
    to walk them again. Call it once the process is built and before it takes work."""
    keep_out_of_collection()
