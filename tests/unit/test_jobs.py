"""Long computations in a child process: the same answer as in the server, and a planner can abandon them."""

from __future__ import annotations

import operator
import os
import time

import numpy as np
import pandas as pd

from dashboard.analysis import siting
from dashboard.analysis.distance import StraightLine
from dashboard.web import jobs

# The line of test_siting: greedy finds 8 with two sites, the optimum L + R covers all 10.
CELLS = np.array([[0.0, 0.0], [600.0, 0.0], [1400.0, 0.0], [2000.0, 0.0]])
DEMAND = np.array([2.0, 3.0, 3.0, 2.0])
SITES = pd.DataFrame({"site_id": ["L", "M", "R"], "x": [300.0, 1000.0, 1700.0], "y": [0.0, 0.0, 0.0]})


def _settled(job: jobs.Job) -> str:
    """The job's state once it is no longer running (each wait is bounded; the loop ends with the child).

    Jobs that should finish get a minute: starting the fork server on a busy machine takes seconds."""
    while (state := job.collect(1.0)) == jobs.RUNNING:
        pass
    return state


def test_the_exact_model_in_a_child_gives_the_servers_answer():
    table = siting.candidate_table(SITES, None)
    coverage = siting.from_pairs(StraightLine().within(CELLS, table[["x", "y"]].to_numpy(), 500.0), DEMAND, table)
    job = jobs.start("line-2", siting.exact, coverage, siting.SitingParams(sites=2), limit_s=30)
    assert _settled(job) == jobs.DONE
    assert job.result.sites["site_id"].tolist() == ["L", "R"] and job.result.objective == 10
    assert jobs.start("line-2", siting.exact, coverage, siting.SitingParams(sites=2), limit_s=30) is job  # kept
    assert not job.process.is_alive()


def test_a_cancelled_job_stops_its_process_and_starts_anew_when_asked_again():
    job = jobs.start("sleep", time.sleep, 120, limit_s=120)
    assert jobs.start("sleep", time.sleep, 120, limit_s=120) is job  # the second planner waits for the same one
    assert job.collect(0.2) == jobs.RUNNING
    job.cancel()
    assert job.state == jobs.CANCELLED and not job.process.is_alive()
    again = jobs.start("sleep", time.sleep, 0, limit_s=60)
    assert again is not job and _settled(again) == jobs.DONE and again.result is None


def test_an_error_or_a_dying_child_is_a_failure_not_an_exception_in_the_server():
    assert _settled(jobs.start("divide", operator.truediv, 1, 0, limit_s=60)) == jobs.FAILED
    assert _settled(jobs.start("exit", os._exit, 3, limit_s=60)) == jobs.FAILED


def test_a_child_far_beyond_its_time_limit_is_stopped(monkeypatch):
    monkeypatch.setattr(jobs, "GRACE_S", 0.0)
    job = jobs.start("hangs", time.sleep, 120, limit_s=0.5)
    assert _settled(job) == jobs.FAILED and not job.process.is_alive()


def test_only_the_latest_finished_answers_are_kept(monkeypatch):
    monkeypatch.setattr(jobs, "KEPT", 2)
    done = [jobs.start(f"kept-{i}", abs, -i, limit_s=60) for i in range(4)]
    assert [_settled(job) for job in done] == [jobs.DONE] * 4
    jobs.start("kept-4", abs, -4, limit_s=60)
    assert jobs.find("kept-0") is None and jobs.find("kept-4") is not None
