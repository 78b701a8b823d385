"""Write the hostile regression files of ``tests/test_fuzz_regressions.py``.

Run from the repository root: ``.venv/bin/python tests/data/hostile/make_hostile.py``.
Each file is the smallest form of an input that once escaped a reader as an exception
other than a ``RunloadError`` (found by ``benchmarks/fuzz.py`` or the hypothesis tests):

- ``fit_declared_size_short.fit``: a FIT header whose data size ends inside a message
  (fitdecode ``AssertionError``).
- ``zip_empty_member_name.zip``: a member with an empty name (``ZipInfo.is_dir``
  ``IndexError``).
- ``zip_unknown_version.zip``: a central directory asking for zip version 25.5
  (``zipfile`` ``NotImplementedError``).
- ``tcx_lap_time_overflow.tcx``: a lap ``TotalTimeSeconds`` of 1e185 and no point times
  (``OutOfBoundsTimedelta``).
- ``gpx_year_2999.gpx``: a point timed in the year 2999 (``OutOfBoundsDatetime``).
- ``zip_lying_compressed_size.zip`` (kept as ``benchmarks/fuzz.py`` found it, not written
  here): a nested zip stored with a compressed size that is a lie; reading it with one
  ``read(cap + 1)`` asked Python for 8 GiB (``MemoryError`` under a memory limit).
- ``pain_utf16_odd.csv`` / ``pain_year_3024.csv``: a pain log with a UTF-16 byte-order
  mark and an odd number of bytes (``UnicodeDecodeError``), and one dated 3024
  (``OutOfBoundsDatetime``); they live in ``pain/`` so the activity walk ignores them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIT = (HERE.parent / "fit" / "offset_plus10h.fit").read_bytes()
GPX_NS = "http://www.topografix.com/GPX/1/1"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def zipped(members: list[tuple[str, bytes]]) -> bytearray:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name), data)
    return bytearray(buf.getvalue())


def main() -> None:
    short = bytearray(FIT)
    short[4:8] = (30).to_bytes(4, "little")
    (HERE / "fit_declared_size_short.fit").write_bytes(bytes(short))
    (HERE / "zip_empty_member_name.zip").write_bytes(bytes(zipped([("", FIT)])))
    version = zipped([("run.fit", FIT)])
    version[version.find(b"PK\x01\x02") + 6] = 255
    (HERE / "zip_unknown_version.zip").write_bytes(bytes(version))
    (HERE / "tcx_lap_time_overflow.tcx").write_text(
        f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{TCX_NS}"><Activities>'
        '<Activity Sport="Running"><Id>2024-01-02T00:00:00Z</Id>'
        '<Lap StartTime="2024-01-02T00:00:00Z"><TotalTimeSeconds>-4.4e185</TotalTimeSeconds>'
        "<DistanceMeters>5000</DistanceMeters><Track><Trackpoint/></Track></Lap></Activity>"
        "</Activities></TrainingCenterDatabase>\n")
    (HERE / "gpx_year_2999.gpx").write_text(
        f'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="{GPX_NS}"><trk><trkseg>'
        '<trkpt lat="1" lon="1"><time>2024-06-01T10:00:00Z</time></trkpt>'
        '<trkpt lat="1.001" lon="1"><time>2024-06-01T10:01:00Z</time></trkpt>'
        '<trkpt lat="1.002" lon="1"><time>2999-06-01T10:02:00Z</time></trkpt>'
        "</trkseg></trk></gpx>\n")
    pain = HERE / "pain"
    pain.mkdir(exist_ok=True)
    (pain / "pain_utf16_odd.csv").write_bytes(
        "onset,severity\n2024-03-04,5\n".encode("utf-16") + b"\x00")
    (pain / "pain_year_3024.csv").write_text("onset,severity\n2024-03-04,5\n3024-07-15,4\n")


if __name__ == "__main__":
    main()
