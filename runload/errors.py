"""One exception hierarchy for runload.

Every error raised on purpose by runload is a :class:`RunloadError`. Errors about
a file carry the file (``source``) and, for files, the problem ``kind`` used in the
``problems`` table, so ``errors="raise"`` and ``errors="warn"`` speak the same
language. Library code re-raises with ``raise ... from exc`` so the original cause
is never lost.
"""

from __future__ import annotations

__all__ = [
    "RunloadError",
    "ReadError",
    "UnsafeInputError",
    "PainLogError",
    "HabitsLogError",
    "ParameterError",
    "RunloadWarning",
]


class RunloadError(Exception):
    """Base class of every error runload raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in words a runner understands.
    source : str, optional
        The file (``archive.zip!member`` inside archives) the error is about.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class ReadError(RunloadError):
    """An activity file (or archive) could not be read in full.

    Parameters
    ----------
    message : str
        What is wrong with the file.
    source : str, optional
        The file.
    kind : str
        The problem kind of :data:`runload.columns.PROBLEM_KINDS`
        (``truncated``, ``bad_crc``, ``malformed_xml`` ...).
    """

    def __init__(self, message: str, *, source: str | None = None, kind: str = "unreadable") -> None:
        self.kind = kind
        super().__init__(message, source=source)


class UnsafeInputError(ReadError):
    """Input refused for safety: XML entity expansion or external entities, zip bombs,
    path traversal in archive member names, nesting or size limits."""

    def __init__(self, message: str, *, source: str | None = None, kind: str = "unsafe") -> None:
        super().__init__(message, source=source, kind=kind)


class PainLogError(RunloadError, ValueError):
    """A pain log could not be read. Names the file, line and column.

    Parameters
    ----------
    message : str
        What is wrong.
    source : str, optional
        The pain-log file.
    line : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        The column name.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.line = line
        self.column = column
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column '{column}'")
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(text, source=source)
        self.message = message


class HabitsLogError(PainLogError):
    """A habits log could not be read. Names the file, line and column."""


class ParameterError(RunloadError, ValueError):
    """An option passed to a runload function is out of range or of the wrong kind."""


class RunloadWarning(UserWarning):
    """Warnings runload emits (problems in some files, assumed time zone, small counts)."""
