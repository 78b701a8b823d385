"""Running the command line: parse, dispatch, and turn errors into exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Sequence

from .. import __version__
from ..errors import ReadError, RunloadError
from .errors import NothingReadError, UsageError
from .output import PROG, _check_outputs, _say, _show_warning
from .parser import build_parser
from .thresholds import _check_thresholds


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``runload`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success; 1 nothing to show (no activity could be read, or no
        week up to ``--as-of``) or an input file is unusable; 2 bad usage (unknown
        option, missing file, bad value, an output that cannot be written) or a missing
        optional package (fit-tool for ``runload sample``).
    """
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # answer without importing pandas
        _say(f"{PROG} {__version__}")
        return 0
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    args.argv = words
    with warnings.catch_warnings():
        if args.quiet:
            warnings.simplefilter("ignore")
        else:
            warnings.simplefilter("default")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.showwarning = _show_warning
        try:
            _check_outputs(args)  # -o and --csv writable, before any file is read
            if hasattr(args, "max_increase"):  # every rule option, before any file is read
                _check_thresholds(args)
            return args.func(args)
        except UsageError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 2
        except NothingReadError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 1
        except ReadError as exc:
            message = str(exc)
            if exc.kind == "unreadable" and "no such" in exc.message:
                _say(f"{PROG}: error: {message}; check the path", err=True)
                return 2
            _say(f"{PROG}: error: {message}", err=True)
            return 1
        except RunloadError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 1
        except KeyboardInterrupt:
            _say(f"{PROG}: interrupted", err=True)
            return 130
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            return 0

