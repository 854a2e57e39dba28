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
    """Runs steps through core.runner, keeping every result for the records."""

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

    def run(self, steps: Sequence[Step]) -> StepResult | None:
        """The failed step's result, or None when all passed."""
        for index, step in enumerate(steps, 1):
            self.progress.begin(step, index, len(steps))
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
) -> tuple[StepResult | None, str]:
    """Fill the environment: from a sibling (reuse_steps) or by the manager.
    Returns the failed step (or None) and the reuse verdict ("" when none was
    tried, "ok", or why it failed)."""
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
    return steps.run(list(manager.setup_steps(context))), verdict


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
