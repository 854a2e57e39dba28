"""The pod image: built from the shipped templates/pod, once per content.

The tag carries a hash of the template files and the base image name, so editing
the Dockerfile or changing `base_image` builds a new image and an unchanged
setup reuses the existing one without asking the builder anything. `pod gc`
removes the `seedbed-pod:<hash>` images left by earlier templates or bases
(unused_images), keeping the current one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seedbed.core.assets import asset_dir
from seedbed.core.errors import EXIT_ENGINE, EXIT_NOT_FOUND, SeedbedError
from seedbed.plugins.pods.engine import api_error_text
from seedbed.plugins.pods.settings import PodSettings

IMAGE_REPOSITORY = "seedbed-pod"
BUILD_TIMEOUT = 900


def template_dir() -> Path:
    return asset_dir("templates") / "pod"


def image_tag(base_image: str, template: Path | None = None, base_id: str = "") -> str:
    """seedbed-pod:<hash of the template files, the base's name and its id>.

    The id (when the base is on the engine) makes a re-imported or re-pulled
    base under the same name build a new pod image.
    """
    folder = template or template_dir()
    digest = hashlib.sha256(f"{base_image}\0{base_id}".encode())
    for path in sorted(folder.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{IMAGE_REPOSITORY}:{digest.hexdigest()[:16]}"


def ensure_image(
    client: Any,
    settings: PodSettings,
    on_build: Callable[[str], None] | None = None,
) -> str:
    """The image name pods run; builds it when missing (on_build hears the tag)."""
    from docker.errors import APIError, BuildError, ImageNotFound

    if settings.image:
        try:
            client.images.get(settings.image)
        except ImageNotFound as exc:
            raise SeedbedError(
                f"image {settings.image!r} (pod.image) is not on the engine",
                "build it from templates/pod, or unset pod.image to let seedbed"
                " build one",
                EXIT_NOT_FOUND,
            ) from exc
        return settings.image
    tag = current_tag(client, settings)
    try:
        client.images.get(tag)
        return tag
    except ImageNotFound:
        pass
    if on_build is not None:
        on_build(tag)
    try:
        # pull=False: a base image already on the engine is used as is, so a
        # machine without registry access can build from a local base.
        # network_mode none: the Dockerfile downloads nothing.
        client.images.build(
            path=str(template_dir()),
            tag=tag,
            buildargs={"BASE_IMAGE": settings.base_image},
            pull=False,
            rm=True,
            forcerm=True,
            network_mode="none",
            labels={"seedbed.image": "pod"},
            timeout=BUILD_TIMEOUT,
        )
    except BuildError as exc:
        raise SeedbedError(
            f"building the pod image from {settings.base_image!r} failed: {exc.msg}",
            "set [tool.seedbed.pod] base_image to an image the engine has locally"
            " (`docker images`) when it cannot reach a registry",
            EXIT_ENGINE,
        ) from exc
    except APIError as exc:
        raise SeedbedError(
            f"building the pod image from {settings.base_image!r} failed:"
            f" {api_error_text(exc)}",
            "set [tool.seedbed.pod] base_image to an image the engine has locally"
            " (`docker images`) when it cannot reach a registry",
            EXIT_ENGINE,
        ) from exc
    return tag


def current_tag(client: Any, settings: PodSettings) -> str:
    """The image `pod up` would run now (pod.image, else the template's tag)."""
    from docker.errors import ImageNotFound

    if settings.image:
        return settings.image
    try:
        base_id = str(client.images.get(settings.base_image).id)
    except ImageNotFound:
        base_id = ""  # the build pulls it, when a registry is reachable
    return image_tag(settings.base_image, base_id=base_id)


def unused_images(client: Any, keep: str) -> list[str]:
    """Tags `seedbed-pod:*` other than keep whose image no container uses."""
    in_use = {c["ImageID"] for c in client.api.containers(all=True)}
    prefix = f"{IMAGE_REPOSITORY}:"
    return sorted(
        tag
        for image in client.api.images(name=IMAGE_REPOSITORY)
        if image["Id"] not in in_use
        for tag in image.get("RepoTags") or []
        if tag.startswith(prefix) and tag != keep
    )


def remove_images(client: Any, tags: list[str]) -> list[str]:
    """Remove these tags (never forced); the ones removed. A tag a container
    started using meanwhile, or already gone, is skipped."""
    from docker.errors import APIError

    removed = []
    for tag in tags:
        try:
            client.api.remove_image(tag)
        except APIError:  # in use now (409) or gone (404): not ours to force
            continue
        removed.append(tag)
    return removed
