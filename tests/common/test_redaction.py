from __future__ import annotations

import pytest

from hangar_common.redaction import redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:s3cret@db:5432/x", "postgresql://u:***@db:5432/x"),
        ("redis://:s3cret@cache/0", "redis://:***@cache/0"),
        ("postgresql://u@db/x", "postgresql://u@db/x"),
        ("redis://[::1]:6379/0", "redis://[::1]:6379/0"),
        ("redis://u:pw@[::1]:6379/0", "redis://u:***@[::1]:6379/0"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert "s3cret" not in redact_url(url)
