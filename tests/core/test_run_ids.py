"""metrics.new_run_id: what uuid.uuid4().hex gives, without importing uuid."""

from __future__ import annotations

import uuid

from seedbed.core.metrics import new_run_id


def test_run_ids_are_version_4_uuids() -> None:
    seen = {new_run_id() for _ in range(500)}
    assert len(seen) == 500
    for run_id in seen:
        parsed = uuid.UUID(hex=run_id)
        assert parsed.hex == run_id and len(run_id) == 32
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
