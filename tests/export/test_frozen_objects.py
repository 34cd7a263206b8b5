"""A run keeps the objects older than it out of the garbage collector's full collections, and gives them back."""

from __future__ import annotations

import gc

from tms_netsuite.export._engine import _old_objects_frozen


def test_objects_older_than_the_runs_are_frozen_until_the_last_run_ends() -> None:
    assert gc.get_freeze_count() == 0
    with _old_objects_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with _old_objects_frozen():  # a second run alongside freezes nothing more, and unfreezes nothing
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    assert gc.get_freeze_count() == 0


def test_the_objects_are_given_back_when_a_run_fails() -> None:
    try:
        with _old_objects_frozen():
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
