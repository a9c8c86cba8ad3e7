from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hangar_common.bundles.dag_snapshots import BundleSnapshot, read_datasets, unpack
from hangar_common.bundles.store import BundleStoreError


def _pex(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_unpack_keeps_the_bundles_own_files_only(tmp_path: Path) -> None:
    artifact = _pex({"dag.py": "x", "PEX-INFO": "{}", ".bootstrap/pex/x.py": "", "__main__.py": ""})
    folder = unpack(artifact, tmp_path / "bundle")
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["dag.py"]
    with pytest.raises(BundleStoreError, match="not a PEX/zip archive"):
        unpack(b"not a zip", tmp_path / "other")


def test_datasets_are_the_yaml_entries_of_any_config_datasets_folder(tmp_path: Path) -> None:
    folder = tmp_path / "hangar_dags" / "config" / "datasets"
    folder.mkdir(parents=True)
    (folder / "sales.yaml").write_text("schedule: '0 2 * * *'\nkeys: [id]\n")
    (folder / "broken.yaml").write_text("a: [unclosed\n")
    (folder / "README.md").write_text("not an entry")
    entries = read_datasets(tmp_path)
    assert sorted(entries) == ["broken", "sales"]
    assert entries["sales"] == {"schedule": "0 2 * * *", "keys": ["id"]}
    assert list(entries["broken"]) == ["<invalid YAML>"]


def test_snapshot_from_the_runners_json() -> None:
    raw = {
        "dags": {"d": {"hash": "h", "file": "d.py", "data": {"dag": {"dag_id": "d"}}}},
        "import_errors": {"e.py": "boom"},
        "static_findings": {"d.py": ["line 3: now()"]},
        "seconds": 1.5,
    }
    snapshot = BundleSnapshot.from_json(raw, datasets={"s": {}})
    assert snapshot.dags == {"d": {"dag": {"dag_id": "d"}}}
    assert (snapshot.hashes, snapshot.files) == ({"d": "h"}, {"d": "d.py"})
    assert snapshot.import_errors == {"e.py": "boom"} and snapshot.seconds == 1.5
    assert snapshot.static_findings == {"d.py": ["line 3: now()"]}
