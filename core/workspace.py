"""What a worktree is: git facts plus merged configuration, computed once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core import config as configuration
from seedbed.core.errors import NotARepositoryError
from seedbed.core.gitfacts import GitFacts
from seedbed.core.types import ConfigKey


@dataclass(frozen=True)
class Workspace:
    facts: GitFacts
    config: configuration.Config
    pyproject: Mapping[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.facts.root

    @property
    def common_dir(self) -> Path:
        return self.facts.common_dir

    @property
    def state_dir(self) -> Path:
        """Per-worktree state (ready marker, lock, logs): excluded from git."""
        return self.root / ".seedbed"

    @property
    def repo_state_dir(self) -> Path:
        """Per-repository state, shared by every worktree."""
        return self.common_dir / "seedbed"

    @property
    def name(self) -> str:
        return self.root.name

    @staticmethod
    def facts_for(cwd: Path) -> GitFacts:
        facts = GitFacts.read(cwd)
        if facts is None:
            raise NotARepositoryError(str(cwd))
        return facts

    @classmethod
    def discover(
        cls,
        cwd: Path,
        plugin_keys: Iterable[ConfigKey] = (),
        sources: list[configuration.Source] | None = None,
    ) -> Workspace:
        facts = cls.facts_for(cwd)
        pyproject = configuration.read_pyproject(facts.root)
        if sources is None:
            sources = configuration.load_sources(facts.root, pyproject)
        config = configuration.validate(sources, plugin_keys)
        return cls(facts, config, pyproject)

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "repository": self.facts.repository,
            "branch": self.facts.branch,
            "main": self.facts.is_main,
            "id": self.facts.id,
            "slug": self.facts.slug,
            "common_dir": str(self.common_dir),
        }
