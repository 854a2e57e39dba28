"""Run the plan's steps in order into one log, stopping at the first failure;
a reuse that fails (a step, or the result's health) falls back to the
manager's own full install."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from seedbed.core import runner
from seedbed.core.setup import sync
from seedbed.core.setup.outcome import Progress
from seedbed.core.types import Manager, SetupContext, Step, StepResult


class StepRunner:
    """Runs steps through core.runner, keeping every result for the records.

    One counter for the whole setup: `expect(n)` announces the plan's length
    (the .worktreeinclude copy, the install, the plugins' steps) and each
    step is shown as [i/n] however many `run` calls the plan takes ([i] when
    no plan was announced); a reuse that falls back to a full install adds
    its steps and says so."""

    def __init__(
        self,
        log: IO[bytes],
        progress: Progress,
        echo: bool,
        timeout: float,
        track: Path,
        results: list[StepResult],
    ) -> None:
        self.log = log
        self.progress = progress
        self.echo = echo
        self.timeout = timeout
        self.track = track  # where a running step's process group is noted
        self.results = results  # appended to: kept when a later stage fails
        self.index = 0  # steps begun so far, over every `run` call
        self.total = 0  # the plan's length, when announced

    def expect(self, count: int) -> None:
        """The number of steps still to come (after those already run)."""
        self.total = self.index + count

    def add(self, count: int, why: str) -> None:
        """count more steps than announced (a reuse's fallback), and why."""
        if self.total:
            self.total += count
        self.progress.note(f"{why}: {count} more step(s)")

    def run(self, steps: Sequence[Step]) -> StepResult | None:
        """The failed step's result, or None when all passed."""
        for offset, step in enumerate(steps):
            self.index += 1
            if self.total and self.index > self.total:  # more than announced
                self.total = self.index + len(steps) - offset - 1
            self.progress.begin(step, self.index, self.total)  # 0: not announced
            result = runner.run_step(
                step,
                self.log,
                echo=self.echo,
                default_timeout=self.timeout,
                track=self.track,
            )
            self.progress.end(result)
            self.results.append(result)
            if not result.ok:
                return result
        return None


def install(
    steps: StepRunner,
    manager: Manager,
    context: SetupContext,
    reuse_steps: Sequence[Step],
    own_steps: Sequence[Step] | None = None,
) -> tuple[StepResult | None, str]:
    """Fill the environment: from a sibling (reuse_steps) or by the manager
    (own_steps when already planned, else its setup_steps). Returns the failed
    step (or None) and the reuse verdict ("" when none was tried, "ok", or
    why it failed)."""
    verdict = ""
    if reuse_steps:
        failed = steps.run(reuse_steps)
        reason = (
            f"step '{failed.name}' failed"
            if failed
            else sync.unhealthy(context.workspace, manager)
        )
        if not reason:
            return None, "ok"
        verdict = f"failed: {reason}; full install instead"
        steps.log.write(f"# reuse failed ({reason}); full install\n".encode())
        context = dataclasses.replace(context, recreate=True)
        full = list(manager.setup_steps(context))
        steps.add(len(full), f"reuse failed ({reason}); full install")
        return steps.run(full), verdict
    if own_steps is None:
        own_steps = list(manager.setup_steps(context))
    return steps.run(own_steps), verdict


@contextlib.contextmanager
def open_log(path: Path) -> Iterator[IO[bytes]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # keep the previous run's log beside the new one
        os.replace(path, path.with_suffix(".log.1"))
    with open(path, "ab") as handle:
        yield handle


def read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
