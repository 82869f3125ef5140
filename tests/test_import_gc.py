"""The garbage-collector setting of an import or a brief is temporary and survives errors and nesting."""

import gc

import pytest

from common.gcpause import MIDDLE_EVERY, fewer_gc_passes


def test_threshold_raised_inside_and_restored_after():
    before = gc.get_threshold()
    with fewer_gc_passes(threshold=12_345):
        assert gc.get_threshold()[0] == max(12_345, before[0])
        # what survives a young pass waits for many before the middle generation's
        assert gc.get_threshold()[1] == max(MIDDLE_EVERY, before[1])
        with fewer_gc_passes(threshold=99_999):  # nested: the outer setting stays
            assert gc.get_threshold()[0] == max(12_345, before[0])
        assert gc.get_threshold()[0] == max(12_345, before[0])
    assert gc.get_threshold() == before


def test_restored_after_an_error():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_gc_passes():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
