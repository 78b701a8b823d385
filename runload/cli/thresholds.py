"""The rule-threshold options, read from the signature and docstring of
:func:`runload.load.weekly_load` so the command line and the library never disagree."""

from __future__ import annotations

import argparse
import inspect
import re
from typing import Any

# Options of weekly_load the command line sets itself (not as generic thresholds).
_OWN_OPTIONS = {"week_start", "tz", "as_of"}


# Units (and scale) of each weekly_load threshold, for --help.
_UNITS = {
    "max_increase": "fraction: 0.10 = +10%",
    "recovery_drop": "fraction: 0.20 = 20% lower",
    "min_base_m": "metres: 10000 = 10 km",
    "max_build_weeks": "weeks",
    "break_weeks": "weeks",
    "spike": "fraction: 0.10 = 10% longer",
    "spike_window_days": "days",
    "acwr_threshold": "ratio, no unit",
    "acute_days": "days",
    "chronic_days": "days",
    "monotony_ddof": "delta degrees of freedom of the SD",
}


def threshold_options() -> list[tuple[str, Any, str, tuple[str, ...] | None, type]]:
    """The threshold options of :func:`runload.load.weekly_load`.

    Returns
    -------
    list of (name, default, help, choices, type)
        One entry per keyword-only parameter of ``weekly_load`` with a number or text
        default (except ``week_start``, ``tz`` and ``as_of``, which have their own
        options), its default taken from the signature, its help from the docstring.
    """
    from ..load import weekly_load

    docs = _param_docs(inspect.getdoc(weekly_load) or "")
    options = []
    for name, param in inspect.signature(weekly_load).parameters.items():
        if param.kind is not inspect.Parameter.KEYWORD_ONLY or name in _OWN_OPTIONS:
            continue
        default = param.default
        if isinstance(default, bool) or not isinstance(default, (int, float, str)):
            continue
        kind, text = docs.get(name, ("", name.replace("_", " ")))
        choices = tuple(re.findall(r"'([^']+)'", kind.split("}")[0])) if kind.startswith("{") \
            else None
        options.append((name, default, text, choices or None, _kind(param.annotation, default)))
    return options


def _param_docs(doc: str) -> dict[str, tuple[str, str]]:
    """numpydoc ``Parameters`` section -> {name: (type line, first sentence)}."""
    section = re.search(r"Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, re.S)
    if not section:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for match in re.finditer(r"^(\S[^\n:]*?) : ([^\n]*)\n((?:[ \t]+[^\n]*\n?)*)",
                             section.group(1), re.M):
        names, kind, body = match.group(1), match.group(2), " ".join(match.group(3).split())
        body = body.replace("``", "").replace(":func:", "").replace(":data:", "")
        body = re.sub(r"`~?([^`]+)`", r"\1", body)
        first = re.split(r"(?<=[.;])\s", body, maxsplit=1)[0].rstrip(".;")
        first = re.sub(r"\s*\((?:runload\.)?[A-Za-z_.]+\)", "", first)
        if "_" not in first.split(" ", 1)[0]:
            first = first[:1].upper() + first[1:]
        for name in names.split(","):
            out[name.strip()] = (kind.strip(), first)
    return out


def _add_thresholds(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "rule thresholds (defaults from runload.load.weekly_load)")
    for name, default, text, choices, kind in threshold_options():
        unit = _UNITS.get(name) or _unit_from_name(name)
        if unit and text.endswith((f", {unit}", f" in {unit}")):
            unit = ""  # the description already gives it ("..., days")
        label = f"{text} ({unit}; default {default})" if unit else f"{text} (default {default})"
        group.add_argument(
            "--" + name.replace("_", "-"), dest=name, type=_typed(kind, name), default=default,
            choices=choices, metavar=_metavar(kind, choices), help=label.replace("%", "%%"))


def _kind(annotation: Any, default: Any) -> type:
    """The Python type of an option: the annotation's when it names one, else the default's."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    for kind in (float, int, str):
        if re.fullmatch(rf"\s*{kind.__name__}\s*", str(text)):
            return kind
    return type(default)


def _unit_from_name(name: str) -> str:
    for suffix, unit in (("_m", "metres"), ("_s", "seconds"), ("_days", "days"),
                         ("_weeks", "weeks")):
        if name.endswith(suffix):
            return unit
    return ""


def _metavar(kind: type, choices) -> str:
    if choices:
        return "{" + ",".join(choices) + "}"
    return {int: "N", float: "X"}.get(kind, "TEXT")


def _typed(kind: type, name: str):
    """The option's converter; a window of whole days (``--acute-days``,
    ``--chronic-days``) must also be >= 1, checked here so that the error names the
    option whatever order the library checks its parameters in."""
    option = "--" + name.replace("_", "-")
    window = kind is int and _unit_from_name(name) == "days"

    def convert(text: str):
        what = {int: "a whole number", float: "a number"}.get(kind, "text")
        if window:
            what = "a whole number of days >= 1"
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} must be {what}, got {text!r}") from None
        if window and value < 1:
            raise argparse.ArgumentTypeError(f"{option} must be {what}, got {value}")
        return value
    convert.__name__ = kind.__name__
    return convert


def _check_thresholds(args: argparse.Namespace) -> None:
    """Check every rule option before any file is read, by the library's own checks.

    :func:`runload.load.weekly_load` validates its parameters before it looks at the
    activities; it is called here on an empty activities table, and an error names the
    option (``--max-increase must be >= 0, got -1.0``), not the Python parameter.
    """
    import warnings

    from ..columns import ACTIVITIES, empty
    from ..errors import ParameterError
    from ..load import weekly_load
    from .errors import UsageError

    values = _thresholds(args)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            weekly_load(empty(ACTIVITIES), **values)
    except ParameterError as exc:
        message = exc.message
        for name in sorted(values, key=len, reverse=True):
            message = re.sub(rf"(?<![\w-]){name}(?!\w)", "--" + name.replace("_", "-"),
                             message)
        if message.startswith("ewma smoothing"):
            message = "--ewma" + message.removeprefix("ewma smoothing")
        raise UsageError(f"{message} (see 'runload {args.command} --help')") from exc


def _thresholds(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name) for name, *_ in threshold_options()}
    values.update(week_start=args.week_start, tz=args.tz, as_of=args.as_of)
    return values

