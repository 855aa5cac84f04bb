"""The shared text and spreadsheet helpers (ingestion/textfiles.py) on broken files."""

from __future__ import annotations

import zipfile

import pytest

from ingestion.errors import InputError
from ingestion.textfiles import decode_text, read_xlsx_sheet_with_row_numbers
from tests.fixtures.make_insee import write_populations


def _corrupt_member(path, member: str) -> None:
    """Garble the compressed bytes of one part of a workbook, its zip directory left valid."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + min(info.compress_size, 60)):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def test_a_corrupt_sheet_in_a_readable_zip_is_an_input_error(tmp_path):
    # found by tests/fuzz: calamine opened the workbook, then raised XmlError/ZipError reading the sheet
    path = write_populations(tmp_path / "ensemble.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet_part = next(name for name in archive.namelist() if name.startswith("xl/worksheets/sheet2"))
    _corrupt_member(path, sheet_part)
    with pytest.raises(InputError) as error:
        read_xlsx_sheet_with_row_numbers(path, "Communes")
    assert str(error.value).startswith("ensemble.xlsx: sheet 'Communes': not a readable XLSX workbook (")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n", "\u00a0\u2003\n".encode()])
def test_a_bom_or_unicode_spaces_alone_is_an_empty_file(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"^x.csv: the file is empty$"):
        decode_text(path)
