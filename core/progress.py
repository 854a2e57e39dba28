"""A one-line-per-step progress display for setups (stderr, no dependencies):
`seedbed: [i/n] step: ok in 1.20 s`, i and n counted over the whole setup."""

from __future__ import annotations

from typing import TextIO

from seedbed.core.types import Step, StepResult


class TextProgress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.label = ""

    def begin(self, step: Step, index: int, total: int) -> None:
        counter = f"{index}/{total}" if total else str(index)
        self.label = f"seedbed: [{counter}] {step.name}"
        if self.live:
            self.stream.write(f"{self.label} …")
            self.stream.flush()

    def note(self, text: str) -> None:
        """A change of plan between steps (a reuse falling back)."""
        self.stream.write(f"seedbed: {text}\n")
        self.stream.flush()

    def end(self, result: StepResult) -> None:
        verdict = (
            f"ok in {result.seconds:.2f} s"
            if result.ok
            else f"failed (exit {result.exit_code}) after {result.seconds:.2f} s"
        )
        if self.live:
            self.stream.write(f"\r{self.label}: {verdict}\n")
        else:
            self.stream.write(f"{self.label}: {verdict}\n")
        self.stream.flush()
