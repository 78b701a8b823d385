"""What the command line prints: messages, tables, the problems list, CSV files, warnings."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import UsageError

PROG = "runload"


# Problems printed at the end of a run (all of them are in the HTML report).
_MAX_PROBLEMS = 20


def _say(text: str, *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _stdout_taken(args: argparse.Namespace) -> bool:
    """True when a CSV goes to standard output, so messages go to standard error."""
    return getattr(args, "csv", None) == "-"


#: The output options of the commands: (attribute of args, option as shown).
_OUTPUTS = (("output", "-o/--output"), ("csv", "--csv"))


def _check_outputs(args: argparse.Namespace) -> None:
    """Check every output path (``-o``, ``--csv``) before any file is read.

    Its folder must exist (it is not created: a typo in a folder name would otherwise
    make a new folder silently) and the file must be writable; anything else is bad
    usage (exit code 2), named by option and path. ``--csv -`` (standard output) is
    not checked.
    """
    for attr, option in _OUTPUTS:
        target = getattr(args, attr, None)
        if target is None or str(target) == "-":
            continue
        example = f"{args.command}.{'csv' if attr == 'csv' else 'html'}"
        _check_output(Path(target), option, example)


def _check_output(path: Path, option: str, example: str) -> None:
    import os

    def fail(why: str) -> UsageError:
        return UsageError(f"{option} {path}: {why}")

    folder = path.parent
    if path.is_dir():
        raise fail(f"is a folder; give a file name inside it, e.g. {path / example}")
    if not folder.exists():
        raise fail(f"no such folder {str(folder)!r}; create it first or choose another path")
    if not folder.is_dir():
        raise fail(f"{str(folder)!r} is not a folder; choose another path")
    existed = os.path.lexists(path)
    try:
        # "a" leaves an existing file as it is; a new one is removed again at once
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise fail(f"cannot write there ({exc.strerror or exc}); choose a folder you can "
                   "write to") from exc
    if not existed:
        try:
            path.unlink()
        except OSError:
            pass


def _write_csv(frame, target: str, args: argparse.Namespace) -> None:
    if target == "-":
        frame.to_csv(sys.stdout, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
        return
    path = Path(target)  # checked before any file was read (_check_outputs)
    try:
        frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
    except OSError as exc:
        raise UsageError(f"--csv {path}: cannot write the CSV ({exc.strerror or exc}); "
                         "choose another path") from exc
    _say(f"wrote {len(frame)} rows to {path}", err=_stdout_taken(args))


def _written(write, option: str, path) -> Path:
    """``write()`` (write_report, write_audit): a failure to write the file is bad
    usage (exit code 2) naming the option, as when it is found before the files are read."""
    from ..errors import RunloadError

    try:
        return write()
    except RunloadError as exc:
        if isinstance(exc.__cause__, OSError):
            cause = exc.__cause__
            raise UsageError(f"{option} {path}: cannot write there "
                             f"({cause.strerror or cause}); choose another path") from exc
        raise


def _print_table(frame, args: argparse.Namespace) -> None:
    import pandas as pd

    if _stdout_taken(args):
        return
    if frame.empty:
        _say("(no rows)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        _say(frame.to_string(index=False, na_rep="-"))


def _print_problems(activities, args: argparse.Namespace) -> None:
    from ..io import problems

    table = problems(activities)
    if table.empty:
        return
    err = _stdout_taken(args)
    files = table["source"].nunique()
    _say(f"\nProblems: {len(table)} in {files} file{'' if files == 1 else 's'} "
         f"({_kept_in_files(table)}):", err=err)
    for row in table.head(_MAX_PROBLEMS).itertuples(index=False):
        kept = "part kept" if bool(row.salvaged) else "nothing kept"
        _say(f"  {row.source}: {row.kind}: {row.message} ({kept})", err=err)
    if len(table) > _MAX_PROBLEMS:
        _say(f"  ... and {len(table) - _MAX_PROBLEMS} more (all of them are in the HTML report; "
             "in Python: runload.problems(activities))", err=err)


def _kept_in_files(table) -> str:
    """``1 not read, 1 read in part``: the files of a problems table by what was kept."""
    nothing = (~table["salvaged"].astype(bool)).groupby(table["source"]).any()
    parts = [f"{n} {what}" for n, what in ((int(nothing.sum()), "not read"),
                                           (int((~nothing).sum()), "read in part")) if n]
    return ", ".join(parts)


def _command_line(argv: Sequence[str] | None) -> str:
    words = list(sys.argv[1:] if argv is None else argv)
    return " ".join([PROG, *(shlex.quote(str(w)) for w in words)])


def _warning_category():
    from ..errors import RunloadWarning

    return RunloadWarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    text = " ".join(str(message).split()).replace("(tz=...)", "(--tz ZONE)")
    print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)

