from __future__ import annotations

from datetime import timedelta

import pytest

from hangar_plugins.defaults import default_task_args


def test_defaults_carry_owner_retries_and_backoff() -> None:
    args = default_task_args(owner="data-eng")
    assert args["owner"] == "data-eng"
    assert args["retries"] >= 1
    assert args["retry_exponential_backoff"] is True
    assert args["retry_delay"] == timedelta(seconds=15)


def test_overrides_win() -> None:
    args = default_task_args(owner="x", retries=5, retry_delay=timedelta(seconds=1))
    assert args["retries"] == 5
    assert args["retry_delay"] == timedelta(seconds=1)


@pytest.mark.parametrize(("owner", "retries"), [(" ", 1), ("x", -1)])
def test_bad_input_is_rejected(owner: str, retries: int) -> None:
    with pytest.raises(ValueError):
        default_task_args(owner=owner, retries=retries)
