"""The pod plugin's pure parts: names, limits, settings, figures, the lock, specs.

Nothing here needs the Docker engine; tests/e2e/test_pods.py drives a real one.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_BUSY, EXIT_CONFIG, EXIT_USAGE, SeedbedError
from seedbed.plugins import pods
from seedbed.plugins.pods import image, limits, naming, spec, stats
from seedbed.plugins.pods.settings import DEFAULTS, Limits, PodSettings, parse_size


def test_plugin_declares_the_pod_section_keys() -> None:
    keys = {key.name: key for key in pods.seedbed_config_keys()}
    assert {key.section for key in keys.values()} == {"pod"}
    assert keys["max_per_command"].default == 10
    assert keys["max_total"].default == 15
    assert keys["max_per_env"].default == 5
    assert keys["memory_warn_percent"].default == 90
    assert keys["network"].default is False


def test_names_follow_the_pattern_and_continue_after_taken_ones() -> None:
    taken = [
        "seedbed-python-20250101-120000-1",
        "seedbed-python-20250101-120000-2",
        "seedbed-python-20250101-115959-7",  # another second
        "seedbed-web-20250101-120000-9",  # another env
    ]
    names = naming.allocate("python", "20250101-120000", 2, taken)
    assert [str(n) for n in names] == [
        "seedbed-python-20250101-120000-3",
        "seedbed-python-20250101-120000-4",
    ]
    assert naming.stamp(0).count("-") == 1 and len(naming.stamp(0)) == 15


@pytest.mark.parametrize("env", ["Python", "py-3", "", "-x", "a" * 40])
def test_env_names_that_would_make_names_ambiguous_are_refused(env: str) -> None:
    with pytest.raises(SeedbedError) as caught:
        naming.check_env_name(env)
    assert caught.value.exit_code == EXIT_USAGE


LIMITS = Limits(per_command=10, total=15, per_env=5)


@pytest.mark.parametrize(
    ("total", "per_env", "requested", "limit", "in_use"),
    [
        (0, {}, 11, "max_per_command", 0),
        (13, {"python": 1}, 3, "max_total", 13),
        (4, {"python": 4}, 2, "max_per_env", 4),
    ],
)
def test_a_request_over_a_limit_names_it_and_the_count_in_use(
    total: int, per_env: dict[str, int], requested: int, limit: str, in_use: int
) -> None:
    with pytest.raises(limits.LimitExceeded) as caught:
        limits.check(LIMITS, limits.Usage(total, per_env), "python", requested)
    error = caught.value
    assert error.exit_code == EXIT_BUSY
    assert error.details == {
        "limit": limit,
        "allowed": getattr(LIMITS, limit.removeprefix("max_")),
        "in_use": in_use,
        "requested": requested,
    }
    assert limit in error.message and f"({in_use} in use)" in error.message


def test_a_request_that_fits_passes() -> None:
    limits.check(LIMITS, limits.Usage(10, {"python": 4, "web": 6}), "python", 1)


def test_the_engine_lock_excludes_a_second_holder() -> None:
    order: list[str] = []

    def second() -> None:
        with limits.engine_lock():
            order.append("second")

    with limits.engine_lock():
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join(5)
    assert order == ["first done", "second"]


def test_the_lock_file_lives_in_seedbed_state_per_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", "tcp://one:2375")
    first = limits.lock_path()
    monkeypatch.setenv("DOCKER_HOST", "tcp://two:2375")
    assert first.parent == tmp_path / "pods" and first != limits.lock_path()


def test_sizes_read_like_docker() -> None:
    assert parse_size("memory", "512m") == 512 * 2**20
    assert parse_size("memory", "2G") == 2 * 2**30
    assert parse_size("memory", "1024") == 1024
    with pytest.raises(SeedbedError) as caught:
        parse_size("memory", "lots")
    assert (
        caught.value.exit_code == EXIT_CONFIG and "pod.memory" in caught.value.message
    )


@pytest.mark.parametrize(
    ("key", "value"), [("cpus", 0), ("max_total", -1), ("user", "me")]
)
def test_bad_settings_are_configuration_errors(key: str, value: object) -> None:
    with pytest.raises(SeedbedError) as caught:
        PodSettings.from_section({key: value})
    assert caught.value.exit_code == EXIT_CONFIG and f"pod.{key}" in str(caught.value)


def origin(tmp_path: Path) -> spec.Origin:
    return spec.Origin(
        worktree=tmp_path / "wt",
        common_dir=tmp_path / "main" / ".git",
        repository="main",
        slug="wt-abc123",
        branch="feat",
    )


def test_the_spec_is_hardened_by_default(tmp_path: Path) -> None:
    kwargs = spec.create_kwargs(
        "seedbed-python-x-1", "img", origin(tmp_path), "python", DEFAULTS, "1000:1000"
    )
    assert kwargs["user"] == "1000:1000"
    assert kwargs["read_only"] is True
    assert set(kwargs["tmpfs"]) == {"/tmp", spec.HOME}
    assert kwargs["cap_drop"] == ["ALL"]
    assert kwargs["security_opt"] == ["no-new-privileges:true"]
    assert kwargs["network_mode"] == "none"
    assert kwargs["mem_limit"] == kwargs["memswap_limit"] == 2**30
    assert kwargs["nano_cpus"] == 1_000_000_000 and kwargs["pids_limit"] == 256
    # The worktree and the (outside) common git dir, each at its host path.
    assert [(m["Source"], m["Target"]) for m in kwargs["mounts"]] == [
        (str(tmp_path / "wt"), str(tmp_path / "wt")),
        (str(tmp_path / "main" / ".git"), str(tmp_path / "main" / ".git")),
    ]
    assert kwargs["labels"][naming.LABEL_WORKTREE] == str(tmp_path / "wt")
    assert kwargs["labels"][naming.LABEL_ENV] == "python"
    networked = PodSettings.from_section({"network": True})
    assert (
        spec.create_kwargs("n", "img", origin(tmp_path), "python", networked, "1:1")[
            "network_mode"
        ]
        == "bridge"
    )


def test_a_main_worktree_mounts_only_itself(tmp_path: Path) -> None:
    main = spec.Origin(tmp_path, tmp_path / ".git", "r", "s", "main")
    assert main.mount_paths() == [tmp_path]


def test_the_pod_user_is_the_host_user_or_the_worktrees_owner(tmp_path: Path) -> None:
    assert spec.pod_user(PodSettings.from_section({"user": "5:6"}), tmp_path) == "5:6"
    if os.getuid() != 0:
        assert spec.pod_user(DEFAULTS, tmp_path) == f"{os.getuid()}:{os.getgid()}"
        return
    with pytest.raises(SeedbedError) as caught:
        spec.pod_user(DEFAULTS, tmp_path)  # root running in a root-owned worktree
    assert caught.value.exit_code == EXIT_CONFIG and "user = " in caught.value.hint
    os.chown(tmp_path, 4321, 4322)
    assert spec.pod_user(DEFAULTS, tmp_path) == "4321:4322"


SAMPLE_V1 = {
    "cpu_stats": {
        "cpu_usage": {"total_usage": 3_000_000_000},
        "system_cpu_usage": 20_000_000_000,
        "online_cpus": 2,
    },
    "precpu_stats": {
        "cpu_usage": {"total_usage": 2_000_000_000},
        "system_cpu_usage": 10_000_000_000,
    },
    "memory_stats": {
        "usage": 300 * 2**20,
        "limit": 1024 * 2**20,
        "stats": {"total_inactive_file": 44 * 2**20},
    },
    "pids_stats": {"current": 7},
}


def test_figures_are_computed_like_docker_stats() -> None:
    pod = {"Names": ["/seedbed-python-x-1"], "State": "running", "Labels": {}}
    figures = stats.from_sample(pod, SAMPLE_V1, pids_limit=256)
    assert figures.as_dict() == {
        "name": "seedbed-python-x-1",
        "status": "running",
        "cpu_percent": 20.0,  # 1 s of 10 s system time, times 2 CPUs
        "memory_bytes": 256 * 2**20,  # without the reclaimable cache
        "memory_limit_bytes": 1024 * 2**20,
        "memory_percent": 25.0,
        "pids": 7,
        "pids_limit": 256,
    }


def test_cgroup_v2_cache_and_a_stopped_pod() -> None:
    sample = {
        "memory_stats": {"usage": 100, "limit": 400, "stats": {"inactive_file": 20}}
    }
    assert stats.memory_bytes(sample) == 80
    stopped = {"Names": ["/p"], "State": "exited", "Labels": {}}
    figures = stats.from_sample(stopped, {}, pids_limit=9)
    assert (figures.cpu_percent, figures.memory_percent, figures.pids_limit) == (
        0.0,
        0.0,
        9,
    )


def test_the_image_tag_follows_the_template_and_the_base(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    first = image.image_tag("base:1", tmp_path)
    assert first.startswith("seedbed-pod:")
    assert image.image_tag("base:2", tmp_path) != first
    assert image.image_tag("base:1", tmp_path, base_id="sha256:1") != first
    (tmp_path / "Dockerfile").write_text("FROM x\nENV A=1\n")
    assert image.image_tag("base:1", tmp_path) != first


def test_sigterm_raises_once_while_provisioning_then_the_old_handler_is_back() -> None:
    import signal

    from seedbed.plugins.pods import provision

    heard: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda signum, frame: heard.append(signum))
    try:
        guard = provision._SigtermRaises()
        with pytest.raises(provision.Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode boundary
        os.kill(os.getpid(), signal.SIGTERM)  # a second one: ignored
        time.sleep(0.05)
        guard.restore()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        assert heard == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_waiting_for_a_pod_stops_when_the_request_is_cancelled() -> None:
    from seedbed.plugins.pods import provision

    class NeverReady:
        class api:  # the SDK's attribute name
            @staticmethod
            def logs(*args: object, **kwargs: object) -> bytes:
                return b""

            @staticmethod
            def inspect_container(container_id: str) -> dict[str, object]:
                return {"State": {"Status": "running"}}

    cancelled = threading.Event()
    cancelled.set()
    started = time.monotonic()
    with pytest.raises(provision.PodFailed, match="cancelled"):
        provision.wait_ready(NeverReady(), "id", 60, cancelled)
    assert time.monotonic() - started < 5


def test_unused_images_are_old_seedbed_pod_tags_no_container_uses() -> None:
    from docker.errors import APIError

    removed_tags: list[str] = []

    class Engine:
        class api:  # the SDK's attribute name
            @staticmethod
            def containers(all: bool) -> list[dict[str, str]]:
                return [{"ImageID": "sha256:used"}]

            @staticmethod
            def images(name: str) -> list[dict[str, object]]:
                return [
                    {"Id": "sha256:current", "RepoTags": ["seedbed-pod:cur"]},
                    {"Id": "sha256:old", "RepoTags": ["seedbed-pod:old", "x:1"]},
                    {"Id": "sha256:used", "RepoTags": ["seedbed-pod:used"]},
                    {"Id": "sha256:none", "RepoTags": None},
                ]

            @staticmethod
            def remove_image(tag: str) -> None:
                if tag == "seedbed-pod:busy":
                    raise APIError("conflict")
                removed_tags.append(tag)

    assert image.unused_images(Engine(), "seedbed-pod:cur") == ["seedbed-pod:old"]
    removed = image.remove_images(Engine(), ["seedbed-pod:busy", "seedbed-pod:old"])
    assert removed == removed_tags == ["seedbed-pod:old"]
