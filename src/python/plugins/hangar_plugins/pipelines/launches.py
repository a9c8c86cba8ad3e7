"""Upcoming rocket launches (Launch Library 2 JSON): fetch, download images, notify."""

from __future__ import annotations

import json
import posixpath
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

LAUNCHES_ENDPOINT = "/2.3.0/launches/upcoming/"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


@dataclass(frozen=True)
class Launch:
    id: str
    name: str
    net: str  # "No Earlier Than" time, ISO 8601
    image_url: str | None


def parse_launches(payload: Any) -> list[Launch]:
    """The launches of an LL2 ``launches/upcoming`` answer; a clear error if it is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise ValueError("launches answer must be a JSON object with a 'results' list")
    launches = []
    for index, item in enumerate(payload["results"]):
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise ValueError(f"launch #{index} lacks an id or a name")
        image = item.get("image")
        url = image.get("image_url") if isinstance(image, dict) else image
        launches.append(
            Launch(
                id=str(item["id"]),
                name=str(item["name"]),
                net=str(item.get("net", "")),
                image_url=str(url) if url else None,
            )
        )
    return launches


def image_name(launch: Launch) -> str:
    suffix = posixpath.splitext(urlsplit(launch.image_url or "").path)[1].lower()
    return f"{launch.id}{suffix if suffix in IMAGE_SUFFIXES else '.img'}"


def fetch_launches(http_conn_id: str, destination: ObjectStoragePath) -> list[dict[str, Any]]:
    """GET the upcoming launches, keep the answer at ``destination``, return the launches."""
    from airflow.providers.http.hooks.http import HttpHook

    from hangar_plugins.pipelines.reachability import HTTP_TIMEOUT, failing_fast_when_unreachable

    hook = HttpHook(method="GET", http_conn_id=http_conn_id)
    url = hook.url_from_endpoint(LAUNCHES_ENDPOINT)
    with failing_fast_when_unreachable(http_conn_id, url):
        response = hook.run(LAUNCHES_ENDPOINT, extra_options={"timeout": HTTP_TIMEOUT})
    payload = response.json()
    launches = parse_launches(payload)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(json.dumps(payload, indent=1).encode())
    return [asdict(launch) for launch in launches]


def download_images(
    launches: list[dict[str, Any]], folder: ObjectStoragePath, *, http_conn_id: str
) -> list[str]:
    """Each launch's image into ``folder`` as ``<launch id>.<ext>``; relative image URLs are
    fetched from the connection's host. Returns the stored paths."""
    from airflow.providers.http.hooks.http import HttpHook

    from hangar_plugins.pipelines.reachability import HTTP_TIMEOUT, failing_fast_when_unreachable

    hook = HttpHook(method="GET", http_conn_id=http_conn_id)
    session = hook.get_conn()
    stored = []
    for item in launches:
        launch = Launch(**item)
        if not launch.image_url:
            continue
        url = launch.image_url
        if "://" not in url:
            url = hook.url_from_endpoint(url)
        with failing_fast_when_unreachable(http_conn_id, url):
            response = session.get(url, timeout=HTTP_TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"image of launch {launch.id} ({url}): HTTP {response.status_code}")
        target = folder / image_name(launch)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.content)
        stored.append(str(target))
    return stored


def summary(launches: list[dict[str, Any]], images: list[str], day: str) -> str:
    lines = [f":rocket: {len(launches)} upcoming launches ({day}), {len(images)} images stored"]
    lines += [f"- {item['name']} — NET {item['net']}" for item in launches[:10]]
    return "\n".join(lines)
