"""The answer cache on object storage: one object per answer, the SQLite cache's checks."""

from __future__ import annotations

import pytest

pytest.importorskip("fsspec")

import fsspec

from extract.run.cache import CachedAnswer
from extract.run.object_cache import ObjectCache


def test_an_answer_put_by_one_writer_is_read_by_another_with_its_confidence():
    url = "memory://answers-a/cache"
    answer = CachedAnswer({"total": 12.5}, {"requests": 1}, ["m"], {"total": (12.5, 0.97)})
    ObjectCache(url).put("ab" + "0" * 62, answer)
    again = ObjectCache(url).get("ab" + "0" * 62)  # another process would see the same object
    assert again is not None
    assert again.data == {"total": 12.5} and again.models == ["m"]
    assert again.confidence == {"total": (12.5, 0.97)}  # as the SQLite cache gives it back
    assert len(ObjectCache(url)) == 1
    assert ObjectCache(url, refresh=True).get("ab" + "0" * 62) is None


def test_a_missing_or_corrupt_entry_is_a_miss_and_one_warning():
    url = "memory://answers-b/cache"
    warnings: list[str] = []
    cache = ObjectCache(url, warn=warnings.append)
    assert cache.get("cd" + "1" * 62) is None and warnings == []
    fsspec.filesystem("memory").pipe_file(f"/answers-b/cache/cd/{'cd' + '1' * 62}.json", b"[1, 2")
    assert cache.get("cd" + "1" * 62) is None
    assert cache.get("cd" + "1" * 62) is None
    assert len(warnings) == 1 and "cannot read the answer cache" in warnings[0]
