"""``make demo``: the whole analysis on the sample data, end to end.

::

    python -m runload.demo --out out [--data sample_data]

Reads the sample runner ``alex`` (a Strava and a Garmin export) with their pain log,
builds the weekly table with flags and the prevention habits (cross-training, strength,
trail share, shoe rotation, rehab after pain, and sleep from the Garmin export; stride
detection is left out because reading every run's stream would double the run time),
relates the flags to back pain, and writes the runner's report with its prevention
checklist; then audits the sample squad (one folder per athlete, a shared pain
diary). Writes ``out/report.html``, ``out/audit.html`` and the tables as CSV, and
prints where they are. When ``--data`` holds no sample data it is written first with
:func:`runload.sample.write_sample_data` (a few minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "run_demo"]

#: Where the sample data keeps each input (see runload.sample.write_sample_data).
RUNNER = "alex"
RUNNER_PAIN = Path("pain") / "alex_episodes.csv"
#: The Garmin account export of the runner (its sleep data feed the sleep habit).
RUNNER_GARMIN = "*_1.zip"
SQUAD = "squad"
SQUAD_PAIN = Path("pain") / "squad_diary.csv"


def _has_sample(data: Path) -> bool:
    return (data / RUNNER).is_dir() and (data / SQUAD).is_dir() and (data / RUNNER_PAIN).is_file()


def run_demo(data: str | Path = "sample_data", out: str | Path = "out", *,
             quiet: bool = False) -> dict[str, Path]:
    """Run the full analysis on the sample data and write every output.

    Parameters
    ----------
    data : str or Path
        The sample-data folder (written first when it holds no sample data).
    out : str or Path
        Output folder (created).
    quiet : bool
        No progress bars.

    Returns
    -------
    dict of str to Path
        The files written: ``report``, ``audit``, ``activities``, ``weekly``,
        ``associations``, ``audit_csv``, ``problems``.
    """
    from . import __version__
    from .audit import squad_audit
    from .cli import read_squad
    from .habits import read_garmin_sleep, weekly_habits
    from .io import inventory, problems, read_activities
    from .load import weekly_load
    from .pain import read_pain_log
    from .report import conservation_line, headline, summarize, write_audit, write_report
    from .sample.plan import DATA_END, HOME_TZ
    from .stats import associate

    data, out = Path(data), Path(out)
    if not _has_sample(data):
        from .sample import write_sample_data

        print(f"no sample data in {data}/: writing it first (this takes a few minutes)",
              flush=True)
        write_sample_data(data)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    print(f"runload {__version__}: the runner '{RUNNER}' ({data / RUNNER})", flush=True)
    # the sample athletes live in HOME_TZ and their data ends on DATA_END (docs/sample_data.md)
    activities = read_activities(data / RUNNER, athlete=RUNNER, tz=HOME_TZ, errors="skip",
                                 progress=not quiet)
    counts = inventory(activities)
    print("  " + conservation_line(counts))
    episodes = read_pain_log(data / RUNNER_PAIN, athlete=RUNNER)
    garmin = sorted((data / RUNNER).glob(RUNNER_GARMIN))
    sleep = read_garmin_sleep(garmin[0], athlete=RUNNER) if garmin else None
    weekly = weekly_habits(weekly_load(activities, tz=HOME_TZ, as_of=DATA_END), activities,
                           episodes=episodes, sleep=sleep)
    if sleep is not None:
        print(f"  habits: {len(sleep)} nights of sleep from {garmin[0].name}; "
              "strides not detected (runload weekly --strides does)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        associations = associate(weekly, episodes)
    print("  " + headline(summarize(weekly, episodes)))
    written["report"] = write_report(
        activities, weekly, episodes=episodes, associations=associations,
        path=out / "report.html", inventory=counts,
        parameters={"command": "python -m runload.demo", "sources": str(data / RUNNER),
                    "pain log": str(data / RUNNER_PAIN),
                    "sleep": str(garmin[0]) if garmin else "none", "strides": "not detected",
                    "tz": HOME_TZ, "as_of": str(DATA_END)})
    written["activities"] = _csv(activities, out / "activities.csv")
    written["weekly"] = _csv(weekly, out / "weekly.csv")
    written["associations"] = _csv(associations, out / "associations.csv")
    written["problems"] = _csv(problems(activities), out / "problems.csv")

    print(f"the squad ({data / SQUAD})", flush=True)
    squad, squad_problems, squad_counts = read_squad(data / SQUAD, tz=HOME_TZ, quiet=quiet)
    print("  " + conservation_line(squad_counts))
    diary = read_pain_log(data / SQUAD_PAIN)
    squad_weekly = weekly_load(squad, tz=HOME_TZ, as_of=DATA_END)
    audit = squad_audit(squad_weekly, diary, as_of=DATA_END,
                        problems={k: t["source"].nunique() for k, t in squad_problems.items()})
    written["audit"] = write_audit(
        audit, squad_weekly, path=out / "audit.html", episodes=diary, problems=squad_problems,
        inventory=squad_counts, progress=not quiet,
        parameters={"command": "python -m runload.demo", "squad": str(data / SQUAD),
                    "pain log": str(data / SQUAD_PAIN), "tz": HOME_TZ, "as_of": str(DATA_END)})
    written["audit_csv"] = _csv(audit, out / "audit.csv")
    counts_by_risk = audit["risk"].value_counts()
    print(f"  {len(audit)} athletes: " + ", ".join(
        f"{int(counts_by_risk.get(r, 0))} {r}" for r in ("high", "moderate", "low")) + " risk")
    return written


def _csv(frame, path: Path) -> Path:
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m runload.demo [--out OUT] [--data DIR] [--quiet]``; returns the exit code."""
    from .errors import RunloadError
    from .progress import wants_progress

    parser = argparse.ArgumentParser(
        prog="python -m runload.demo",
        description="Run runload's whole analysis on the sample data and write the report, "
                    "the squad audit and the tables as CSV.")
    parser.add_argument("--out", default="out", help="output folder (default out)")
    parser.add_argument("--data", default="sample_data",
                        help="sample-data folder; written first when missing "
                             "(default sample_data)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    started = time.monotonic()
    from .cli.output import _show_warning

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.showwarning = _show_warning
        try:
            written = run_demo(args.data, args.out,
                               quiet=not wants_progress(quiet=args.quiet))
        except RunloadError as exc:
            print(f"runload demo: error: {exc}", file=sys.stderr)
            return 1
        except ImportError as exc:  # writing missing sample data needs the `sample` extra
            print(f"runload demo: error: {args.data} has no sample data and writing it needs "
                  f"the optional package fit-tool ({exc}); install it with: "
                  "pip install 'runload[sample]'", file=sys.stderr)
            return 2
    print(f"\ndone in {time.monotonic() - started:.0f} s. Open these files:")
    for key in ("report", "audit"):
        print(f"  {written[key].resolve()}")
    print("tables (CSV): " + ", ".join(
        str(written[k]) for k in ("activities", "weekly", "associations", "problems", "audit_csv")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
