"""``rocket_launches`` for real, in seconds: a fixture Launch Library API, the answer and the
images in SeaweedFS, Slack off (the summary goes to the task log), run by ``./hangar test``'s
runner. Its target depends on rocket_launches.py only (tests/dags/BUILD).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.dag_runs import PipelineServices, pipeline_services

LAUNCHES = {
    "count": 2,
    "results": [
        {
            "id": "a1",
            "name": "Falcon 9 | Starlink",
            "net": "2026-11-22T10:00:00Z",
            "image": {"image_url": "/images/a1.png"},
        },
        {"id": "b2", "name": "Ariane 6 | Galileo", "net": "2026-11-23T11:00:00Z", "image": None},
    ],
}
IMAGE = b"\x89PNG fake a1"


def api(path: str) -> tuple[str, bytes] | None:
    if path == "/2.3.0/launches/upcoming/":
        return "application/json", json.dumps(LAUNCHES).encode()
    return ("image/png", IMAGE) if path == "/images/a1.png" else None


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineServices]:
    with pipeline_services(tmp_path_factory.mktemp("rocket_launches"), http=api) as found:
        yield found


def test_the_answer_and_images_are_kept_and_a_rerun_replaces_them(
    services: PipelineServices,
) -> None:
    first = services.run("rocket_launches")
    assert first.exit_code == 0, first.run
    assert [task.state for task in first.run.tasks] == ["success"] * 3
    keys = services.keys("launches/")
    [answer] = [key for key in keys if key.endswith("/launches.json")]
    assert json.loads(services.object(answer)) == LAUNCHES
    [image] = [key for key in keys if "/images/" in key]
    assert image.endswith("/images/a1.png") and services.object(image) == IMAGE
    notify = next(task for task in first.run.tasks if task.task_id == "notify")
    assert any(":rocket: 2 upcoming launches" in line for line in notify.log_tail)

    again = services.run("rocket_launches")
    assert again.exit_code == 0, again.run
    assert services.keys("launches/") == keys  # the day's partition rewritten, nothing added
