"""Fixtures of the fuzz tests: the demo exports they start from, a scratch file per case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.seeds import write_demo


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One month of demo activity and satisfaction exports (every format), written once per process."""
    return write_demo(tmp_path_factory.mktemp("fuzz-demo"))


@pytest.fixture
def case_file(tmp_path: Path):
    """``case_file(data, suffix)``: the mutated bytes written to one reused path, which is returned."""

    def write(data: bytes, suffix: str) -> Path:
        path = tmp_path / f"case{suffix}"
        path.write_bytes(data)
        return path

    return write
