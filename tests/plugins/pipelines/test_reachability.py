"""A source that cannot be reached fails at once, naming the connection and the URL."""

from __future__ import annotations

import pytest
import requests

from hangar_common.net import free_port
from hangar_plugins.pipelines.reachability import SourceUnreachable, failing_fast_when_unreachable


def test_a_refused_connection_names_the_connection_and_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/2.3.0/launches/upcoming/"
    with pytest.raises(
        SourceUnreachable, match=r"connection 'launches_api' \(http://127.0.0.1:"
    ) as info:
        with failing_fast_when_unreachable("launches_api", url):
            requests.get(url, timeout=5)
    assert "cannot be reached" in str(info.value) and "refused" in str(info.value).lower()


def test_an_unknown_host_fails_the_same_way() -> None:
    url = "http://no-such-host.invalid/x.csv"
    with pytest.raises(SourceUnreachable, match="no-such-host.invalid"):
        with failing_fast_when_unreachable(None, url):
            requests.get(url, timeout=5)


def test_other_errors_pass_through_to_be_retried() -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        with failing_fast_when_unreachable("c", "http://x"):
            raise requests.exceptions.ReadTimeout("slow")
