"""The ordered, bounded process-pool map behind ``--workers``: input order kept, input read lazily."""

from __future__ import annotations

import multiprocessing
import os
import signal

from etl.parallel import batches, fork_pool, ordered_map

_state: dict = {}


def _init(tag: str) -> None:
    _state["tag"] = tag


def _tag_with_pid(batch: list[int]) -> list[tuple[str, int, int]]:
    return [(_state["tag"], n, os.getpid()) for n in batch]


def test_batches_cover_everything_in_order():
    assert list(batches(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


def test_the_last_batches_are_smaller_so_that_workers_finish_together():
    assert list(batches(range(22), 8, last_in=4)) == [list(range(8))] + [[n, n + 1] for n in range(8, 22, 2)]
    assert list(batches(range(3), 8, last_in=4)) == [[0, 1], [2]]


def test_results_come_back_in_input_order_from_several_processes():
    with fork_pool(2, _init, ("t",)) as pool:
        results = list(ordered_map(pool, _tag_with_pid, range(100), batch_size=3, window=4))
    assert [n for _, n, _ in results] == list(range(100))
    assert {tag for tag, _, _ in results} == {"t"}  # every worker got the initializer's arguments
    assert os.getpid() not in {pid for _, _, pid in results}


def test_two_maps_can_share_one_pool_as_a_chain():
    with fork_pool(2, _init, ("t",)) as pool:
        first = (n for _, n, _ in ordered_map(pool, _tag_with_pid, range(50), batch_size=4, window=4))
        second = ordered_map(pool, _tag_with_pid, first, batch_size=3, window=4)
        assert [n for _, n, _ in second] == list(range(50))


def test_input_is_read_only_a_few_batches_ahead_of_the_consumer():
    read = []

    def source():
        for n in range(1000):
            read.append(n)
            yield n

    batch_size, window = 5, 4
    with fork_pool(2, _init, ("t",)) as pool:
        stream = ordered_map(pool, _tag_with_pid, source(), batch_size=batch_size, window=window)
        for consumed, _ in enumerate(stream, start=1):
            # Never the whole corpus in memory: what was read is bounded by what was handed on.
            assert len(read) <= consumed + (window + 1) * batch_size
            if consumed == 50:
                break
        stream.close()
    assert len(read) < 100


def test_batches_after_the_pool_is_reinitialized_go_to_new_workers_and_none_is_lost():
    with fork_pool(2, _init, ("old",)) as pool:
        def items():
            for n in range(60):
                if n == 30:
                    pool.reinitialize(("new",))  # as when the model has loaded
                yield n
        results = list(ordered_map(pool, _tag_with_pid, items(), batch_size=4, window=4))
    assert [n for _, n, _ in results] == list(range(60))
    tags = [tag for tag, _, _ in results]
    assert tags == sorted(tags, reverse=True) and tags[0] == "old" and tags[-1] == "new"  # "old" until a point, then "new"
    pids = {tag: {pid for t, _, pid in results if t == tag} for tag in ("old", "new")}
    assert pids["old"].isdisjoint(pids["new"])
    assert multiprocessing.active_children() == []  # the first workers ended too


def _die_on_13(batch: list[int]) -> list[int]:
    if 13 in batch:
        os.kill(os.getpid(), signal.SIGKILL)  # a worker killed on one item, as by the OOM killer
    return batch


def test_a_worker_that_dies_costs_only_the_item_it_died_on_and_the_pool_goes_on():
    with fork_pool(2, _init, ("t",)) as pool:
        results = list(ordered_map(pool, _die_on_13, range(40), batch_size=4, window=4,
                                   on_lost=lambda item, reason: ("lost", item, "worker" in reason)))
        assert results == [("lost", 13, True) if n == 13 else n for n in range(40)]
        assert list(ordered_map(pool, _die_on_13, range(5), batch_size=2, window=2)) == list(range(5))  # still usable
