from __future__ import annotations

import pytest

from hangar_plugins.pipelines.launches import Launch, image_name, parse_launches, summary


def test_both_image_shapes_of_the_ll2_api_are_read() -> None:
    launches = parse_launches(
        {
            "results": [
                {
                    "id": "a",
                    "name": "A",
                    "net": "2026-11-22T10:00:00Z",
                    "image": {"image_url": "/i/a.PNG"},
                },
                {"id": "b", "name": "B", "image": "https://x/b.jpeg?size=2"},
                {"id": "c", "name": "C", "image": None},
            ]
        }
    )
    assert [(launch.id, launch.image_url) for launch in launches] == [
        ("a", "/i/a.PNG"),
        ("b", "https://x/b.jpeg?size=2"),
        ("c", None),
    ]
    assert [image_name(launch) for launch in launches[:2]] == ["a.png", "b.jpeg"]
    assert image_name(Launch("d", "D", "", "/img/no-suffix")) == "d.img"


@pytest.mark.parametrize(
    ("payload", "message"),
    [([], "'results' list"), ({"results": [{"name": "x"}]}, "launch #0 lacks an id")],
)
def test_unexpected_answers_fail_clearly(payload: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_launches(payload)


def test_summary_names_count_and_launches() -> None:
    text = summary([{"name": "A", "net": "2026-11-22"}], ["s3://b/a.png"], "2026-11-21")
    assert text.splitlines() == [
        ":rocket: 1 upcoming launches (2026-11-21), 1 images stored",
        "- A — NET 2026-11-22",
    ]
