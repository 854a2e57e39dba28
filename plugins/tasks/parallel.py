"""Several task runs at once, within --parallel and the pod limits.

Every run, even a single one, happens on a worker thread; the main thread only
waits and owns the signals: SIGINT, SIGTERM and SIGHUP call Control.cancel(),
which kills every active pod so running agents and checks end at once. Tasks
not started yet are not started; each started one writes its summary as
"interrupted". The pod limits are the pods plugin's: a run that finds them
full waits for a slot (pod.make), so --parallel 3 under max_total = 2 runs
two tasks and the third waits.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from types import FrameType
from typing import Any

from seedbed.plugins.tasks.run import Control, Interrupted, Options, Plan, Runner

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Output:
    """Writes chunks to the terminal; with several tasks, line by line with a
    [task] prefix so their output does not interleave mid-line."""

    def __init__(self, stream: Any, prefixed: bool) -> None:
        self.stream, self.prefixed = stream, prefixed
        self.lock = threading.Lock()
        self.pending: dict[str, bytes] = {}

    def for_task(self, name: str) -> Callable[[bytes], None]:
        def echo(chunk: bytes) -> None:
            with self.lock:
                if not self.prefixed:
                    self.stream.write(chunk)
                    self.stream.flush()
                    return
                text = self.pending.pop(name, b"") + chunk
                *lines, rest = text.split(b"\n")
                for line in lines:
                    self.stream.write(f"[{name}] ".encode() + line + b"\n")
                if rest:
                    self.pending[name] = rest
                self.stream.flush()

        return echo


def run_all(
    app: Any, plans: Sequence[Plan], options: Options, parallel: int, to_stderr: bool
) -> list[dict[str, Any]]:
    control = Control()
    stream = sys.stderr.buffer if to_stderr else sys.stdout.buffer
    output = Output(stream, prefixed=len(plans) > 1)
    signals = _Signals(control)
    summaries: dict[int, dict[str, Any]] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(plans)))) as pool:
            futures: dict[Future[dict[str, Any]], int] = {
                pool.submit(
                    _one, app, plan, options, control, output.for_task(plan.task.name)
                ): index
                for index, plan in enumerate(plans)
            }
            pending = set(futures)
            while pending:
                # A timeout, so signal handlers run promptly in this thread.
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    summaries[futures[future]] = future.result()
    finally:
        signals.restore()
    return [summaries[index] for index in range(len(plans))]


def _one(
    app: Any, plan: Plan, options: Options, control: Control, echo: Any
) -> dict[str, Any]:
    try:
        return Runner(app, plan, options, control, echo).execute()
    except Interrupted:  # cancelled before it started: nothing was made
        return {
            "task": plan.task.name,
            "run_id": plan.run_id,
            "status": "interrupted",
            "reason": "not started: interrupted",
            "results": None,
        }


class _Signals:
    def __init__(self, control: Control) -> None:
        self.control = control
        self.fired: list[int] = []
        self.previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.fired:
            print(
                f"seedbed: {signal.Signals(signum).name}: stopping the tasks' pods…",
                file=sys.stderr,
            )
        self.fired.append(signum)
        self.control.cancel()

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
