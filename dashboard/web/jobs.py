"""Long computations in a child process, so that a planner can abandon them.

A thread cannot be stopped, and HiGHS cannot be interrupted through scipy; a process can be
terminated. Children come from a fork server that has loaded the analysis once (a start costs
milliseconds, and no thread of the web server is copied into a child). Jobs are shared by key: two
planners asking the same question wait for one computation, and its answer stays for the next.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

#: What the jobs run, imported once by the fork server rather than by every child.
PRELOAD = ["dashboard.analysis.siting"]
#: Finished answers kept for the next planner with the same question.
KEPT = 16
#: A child still running this long after its own time limit hangs: it is stopped.
GRACE_S = 15.0

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)
_jobs: OrderedDict[str, Job] = OrderedDict()
_lock = threading.Lock()


@dataclass
class Job:
    """One computation in a child: running until its answer is collected, it fails, or it is cancelled."""

    process: Any
    connection: Connection
    limit_s: float
    started: float = field(default_factory=time.monotonic)
    state: str = RUNNING
    result: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def collect(self, timeout_s: float = 0.0) -> str:
        """The state after waiting up to ``timeout_s`` for the answer; a child past its limit is stopped."""
        with self.lock:
            if self.state != RUNNING:
                return self.state
            try:
                ready = self.connection.poll(timeout_s)
                answered, value = self.connection.recv() if ready else (None, None)
            except (EOFError, OSError):  # the child died without an answer
                ready, answered = True, False
            if ready:
                self.state, self.result = (DONE, value) if answered else (FAILED, None)
                self._end()
            elif self.elapsed > self.limit_s + GRACE_S:
                log.warning("background job stopped after %.0f s", self.elapsed)
                self.state = FAILED
                self._end()
            return self.state

    def cancel(self) -> None:
        with self.lock:
            if self.state == RUNNING:
                self.state = CANCELLED
                self._end()

    def _end(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.connection.close()


def _run(connection: Connection, function: Callable, args: tuple) -> None:
    """In the child: the answer, or a note that there is none (the reason goes to the server's log)."""
    try:
        answer = (True, function(*args))
    except Exception:
        log.exception("background job failed")
        answer = (False, None)
    connection.send(answer)
    connection.close()


def start(key: str, function: Callable, *args: Any, limit_s: float) -> Job:
    """The job answering ``key``: the one running or done, else a new one (also after a failure or cancel)."""
    with _lock:
        job = _jobs.get(key)
        if job is not None and job.state in (RUNNING, DONE):
            _jobs.move_to_end(key)
            return job
        receiver, sender = _context.Pipe(duplex=False)
        process = _context.Process(target=_run, args=(sender, function, args), daemon=True)
        process.start()
        sender.close()
        job = _jobs[key] = Job(process, receiver, limit_s)
        _jobs.move_to_end(key)
        for old in [k for k, j in _jobs.items() if j.state != RUNNING][: max(len(_jobs) - KEPT, 0)]:
            del _jobs[old]
        return job


def find(key: str) -> Job | None:
    return _jobs.get(key)
