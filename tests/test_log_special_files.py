"""Pain and habits logs given a path that is not a regular file.

A named pipe would block ``open()`` for ever and a device never ends; a folder is a
slip of the file chooser. Each is refused at once with one :class:`PainLogError` /
:class:`HabitsLogError` naming the file and what it is, before anything is read.
Reads that could hang run in a thread joined with a timeout, so a regression fails
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import tempfile
import threading

import pandas as pd
import pytest

from runload import read_pain_log
from runload.errors import HabitsLogError, PainLogError
from runload.habits import read_habits_log

TODAY = "2024-12-31"
#: Seconds a read may take before it counts as blocked (a refusal takes microseconds).
HANG_S = 20.0
READERS = [pytest.param(read_pain_log, PainLogError, "pain log", id="pain"),
           pytest.param(read_habits_log, HabitsLogError, "habits log", id="habits")]
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")


def _unblock(path: str) -> None:
    """Open a named pipe for writing and close it, releasing a reader blocked in open()."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def causes(exc: BaseException):
    """The chain of causes of ``exc`` (the habits reader wraps the pain-log error)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
        yield exc


def read_within(reader, path, *, fifo: str | None = None):
    """Call ``reader(path)`` in a thread; return the exception it raised (None if it
    returned), or fail the test when it is still running after :data:`HANG_S`."""
    outcome: dict[str, BaseException | None] = {}

    def run():
        try:
            reader(path, today=TODAY)
            outcome["error"] = None
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_S)
    if thread.is_alive():
        if fifo is not None:
            _unblock(fifo)
            thread.join(HANG_S)
        pytest.fail(f"{reader.__name__}({path!r}) blocked for more than {HANG_S:g} s")
    return outcome["error"]


@posix_only
@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_named_pipe_is_refused_without_blocking(tmp_path, reader, error, what):
    fifo = tmp_path / "pain.csv"
    os.mkfifo(fifo)
    exc = read_within(reader, fifo, fifo=str(fifo))
    assert isinstance(exc, error), exc
    assert exc.source == str(fifo)
    assert str(exc) == (f"{fifo}: a named pipe (FIFO), not a regular file; a {what} must be "
                        "a CSV file on disk: not read")


@posix_only
@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_symlink_to_a_named_pipe_is_refused_without_blocking(tmp_path, reader, error, what):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "log.csv"
    link.symlink_to(fifo)
    exc = read_within(reader, link, fifo=str(fifo))
    assert isinstance(exc, error), exc
    assert "named pipe" in exc.message and exc.source == str(link)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_device_is_refused_before_it_is_read(device, reader, error, what):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist on this system")
    exc = read_within(reader, device)
    assert isinstance(exc, error), exc
    assert str(exc) == f"{device}: a device, not a regular file; a {what} must be a CSV file on disk: not read"


@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_folder_is_refused_by_name(tmp_path, reader, error, what):
    exc = read_within(reader, tmp_path)
    assert isinstance(exc, error), exc
    assert str(exc) == f"{tmp_path}: a folder, not a file; a {what} must be a CSV file on disk: not read"


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX") or sys.platform == "win32",
                    reason="unix sockets need POSIX")
@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_socket_is_refused_by_name(reader, error, what):
    with tempfile.TemporaryDirectory(dir="/tmp") as short:  # socket paths are short
        path = os.path.join(short, "log.csv")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            exc = read_within(reader, path)
    assert isinstance(exc, error), exc
    assert "a socket, not a regular file" in exc.message
    assert any(isinstance(c, OSError) for c in causes(exc))  # the error of open() is kept


@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_missing_file_still_says_it_cannot_be_opened(tmp_path, reader, error, what):
    exc = read_within(reader, tmp_path / "nope.csv")
    assert isinstance(exc, error), exc
    assert f"cannot open the {what}: No such file or directory" in str(exc)
    assert any(isinstance(c, FileNotFoundError) for c in causes(exc))


@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_a_regular_file_buffer_and_frame_are_still_read(tmp_path, reader, error, what):
    text = ("onset,severity\n2024-03-04,5\n" if what == "pain log"
            else "date,kind,minutes\n2024-03-04,strength,30\n")
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    from_file = reader(path, today=TODAY)
    from_buffer = reader(io.BytesIO(text.encode()), today=TODAY)
    from_frame = reader(pd.read_csv(io.StringIO(text), dtype=str), today=TODAY)
    assert len(from_file) == len(from_buffer) == len(from_frame) == 1
    pd.testing.assert_frame_equal(from_file, from_buffer)


@pytest.mark.parametrize(("reader", "error", "what"), READERS)
def test_the_size_cap_holds_for_a_buffer_too(reader, error, what):
    from runload.csvlog import MAX_LOG_BYTES

    class Endless(io.RawIOBase):
        """A stream that never ends, like an open device."""

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

    exc = read_within(reader, io.BufferedReader(Endless()))
    assert isinstance(exc, error), exc
    assert f"larger than {MAX_LOG_BYTES // 2**20} MiB" in str(exc)
