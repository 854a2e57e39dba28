"""Finding Nushell and running one command of the shipped module (cli.nu).

The child is supervised by core.supervise: argv only, its output captured (or,
for the live monitor, passed straight to the terminal).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from seedbed import core
from seedbed.core import supervise
from seedbed.core.assets import asset_dir
from seedbed.core.errors import (
    EXIT_ENVIRONMENT,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EnvironmentProblem,
    SeedbedError,
)

# The Nushell release the module is tested with (tests/setup/nushell.sh pins it).
NUSHELL_VERSION = "0.108.0"
USER_TOOLS = Path("~/.local/share/seedbed/tools")
INSTALL_HINT = (
    f"install Nushell {NUSHELL_VERSION}: npm install --prefix {USER_TOOLS}"
    f" nushell@{NUSHELL_VERSION} (or put `nu` on PATH, or set SEEDBED_NU)"
)
# seedbed's own source checkout, where the test command installs nu.
CHECKOUT_TOOLS = Path(core.__file__).resolve().parent.parent / ".tools"


def nu_candidates() -> list[Path]:
    """Where nu may be, after $SEEDBED_NU and PATH, in the order tried."""
    return [
        CHECKOUT_TOOLS / "bin" / "nu",
        USER_TOOLS.expanduser() / "node_modules" / ".bin" / "nu",
    ]


def find_nu() -> Path:
    override = os.environ.get("SEEDBED_NU")
    if override:
        path = Path(override).expanduser()
        if _is_executable(path):
            return path
        raise EnvironmentProblem(
            f"SEEDBED_NU is {override}, which is not an executable file",
            INSTALL_HINT,
        )
    on_path = shutil.which("nu")
    if on_path:
        return Path(on_path)
    for candidate in nu_candidates():
        if _is_executable(candidate):
            return candidate
    raise EnvironmentProblem("Nushell (nu) is not installed", INSTALL_HINT)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def nu_argv(nu: Path, command: str, flags: Sequence[str]) -> list[str]:
    script = asset_dir("nushell") / "cli.nu"
    # No user config: the reports must not depend on the user's shell setup.
    return [str(nu), "--no-config-file", str(script), command, *flags]


def nu_env() -> dict[str, str]:
    env = dict(os.environ)
    # monitor calls `seedbed pod stats`: the same seedbed as this one.
    if "SEEDBED_BIN" not in env and Path(sys.argv[0]).name == "seedbed":
        env["SEEDBED_BIN"] = str(Path(sys.argv[0]).resolve())
    return env


def run_report(command: str, flags: Sequence[str]) -> str:
    """Run one command of the module and return what it printed."""
    argv = nu_argv(find_nu(), command, flags)
    done = supervise.foreground(
        argv, nu_env(), capture_stdout=True, capture_stderr=True
    )
    if done.exit_code != 0:
        raise _nu_failed(command, done.exit_code, done.stderr)
    return done.stdout


def run_live(command: str, flags: Sequence[str]) -> int:
    """Run a command whose output goes straight to the terminal (monitor)."""
    argv = nu_argv(find_nu(), command, flags)
    done = supervise.foreground(argv, nu_env(), capture_stderr=True)
    if done.interrupted:
        return 0  # interrupting a live view is how it normally ends
    if done.exit_code != 0:
        raise _nu_failed(command, done.exit_code, done.stderr)
    return 0


def _nu_failed(command: str, code: int, stderr: str) -> SeedbedError:
    """The module's message and help, as cli.nu prints them, with the exit code
    it chose (10: nothing to read or no such workspace; 6: the environment)."""
    message = _line_after(stderr, "Error: ")
    hint = _line_after(stderr, "diagnostic help: ")
    if message is None:
        message = f"report {command} failed in Nushell (exit {code})"
        hint = stderr.strip() or "nu printed nothing on stderr"
    exit_code = code if code in (EXIT_NOT_FOUND, EXIT_ENVIRONMENT) else EXIT_FAILED
    return SeedbedError(message, hint or "", exit_code)


def _line_after(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line.strip().removeprefix(prefix)
    return None
