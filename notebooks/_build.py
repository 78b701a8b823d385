"""Write the five runload notebooks from this reviewable source.

    .venv/bin/python notebooks/_build.py          # rewrites notebooks/0*.ipynb

The notebooks are committed without outputs. Each has a title cell, then ONE cell
tagged ``parameters`` (papermill) with the paths, athlete, time zone, units and week
start, so a user points it at their own data without editing code. Cells whose
output the test checks carry the tag ``expect-figure`` (an image) or ``expect-table``
(an HTML table with at least one row); ``needs-habits`` marks a check that applies only
when the habits layer (``runload.habits``) is installed. See ``tests/test_notebooks.py``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNEL = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (runload)", "language": "python"},
    "language_info": {"name": "python"},
}


def md(*parts: str):
    """A markdown cell from one or more text blocks, each dedented on its own.

    Pass a shared block (``REF_LOAD``) as a separate argument, between the indented
    literals, instead of concatenating it into one: a concatenation mixes indented and
    unindented lines, so ``textwrap.dedent`` finds no common indent, the cell keeps its
    8 spaces and Markdown renders it as a code block.
    """
    return new_markdown_cell("".join(textwrap.dedent(part) for part in parts).strip("\n"))


def code(text: str, *tags: str):
    cell = new_code_cell(textwrap.dedent(text).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


# --------------------------------------------------------------------------- shared code

LOCATE = '''
def locate(path):
    """``path`` when it exists (absolute, or relative to the working folder), else the same
    path inside the runload repository holding this notebook (where ``sample_data/`` is)."""
    given = Path(path).expanduser()
    if given.exists():
        return given.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "runload").is_dir():
            if (folder / given).exists():
                return folder / given
            break
    raise FileNotFoundError(
        f"{path!r} not found in {here} nor in the runload repository: set the path in the "
        "parameters cell, or write the sample data with `runload sample sample_data`"
    )
'''

UNITS_CHECK = '''
if units not in ("km", "mi"):
    raise ValueError(f"units must be 'km' or 'mi', got {units!r}")
PER_UNIT = UNITS[units]  # metres per km or per mile
UNIT = units


def in_units(metres):
    """Metres -> the display unit, one decimal."""
    return (metres / PER_UNIT).round(1)
'''

PANDAS_OPTIONS = '''
pd.set_option("display.max_columns", 40)
pd.set_option("display.width", 200)
pd.set_option("display.max_colwidth", 90)
'''

REF_LOAD = """
- Buist I, Bredeweg SW, van Mechelen W, et al. (2008) No effect of a graded training program
  on the number of running-related injuries in novice runners: a randomized controlled trial.
  *Am J Sports Med* 36(1):33–39.
- Nielsen RO, Parner ET, Nohr EA, et al. (2014) Excessive progression in weekly running
  distance and risk of running-related injuries: an association which varies according to
  type of injury. *J Orthop Sports Phys Ther* 44(10):739–747.
- Frandsen JSB, Hulme A, Parner ET, et al. (2025) How much running is too much? Identifying
  high-risk running sessions in a 5200-person cohort study. *Br J Sports Med* 59:1203.
- Gabbett TJ (2016) The training—injury prevention paradox: should athletes be training
  smarter and harder? *Br J Sports Med* 50:273–280.
- Hulin BT, Gabbett TJ, Lawson DW, et al. (2016) The acute:chronic workload ratio predicts
  injury: high chronic workload may decrease injury risk in elite rugby league players.
  *Br J Sports Med* 50:231–236.
- Williams S, West S, Cross MJ, Stokes KA (2017) Better way to determine the acute:chronic
  workload ratio? *Br J Sports Med* 51:209–210.
- Lolli L, Batterham AM, Hawkins R, et al. (2019) Mathematical coupling causes spurious
  correlation within the conventional acute-to-chronic workload ratio calculations.
  *Br J Sports Med* 53:921–922.
- Impellizzeri FM, Tenan MS, Kempton T, et al. (2020) Acute:chronic workload ratio:
  conceptual issues and fundamental pitfalls. *Int J Sports Physiol Perform* 15:907–913.
- Impellizzeri FM, Woodcock S, Coutts AJ, et al. (2021) What role do chronic workloads play
  in the acute to chronic workload ratio? Time to dismiss ACWR and its underlying theory.
  *Sports Med* 51:581–592.
- Foster C (1998) Monitoring training in athletes with reference to overtraining syndrome.
  *Med Sci Sports Exerc* 30(7):1164–1168.
"""

REF_PAIN = """
- Maclure M (1991) The case-crossover design: a method for studying transient effects on the
  risk of acute events. *Am J Epidemiol* 133(2):144–153.
- Janes H, Sheppard L, Lumley T (2005) Case-crossover analyses of air pollution exposure
  data: referent selection strategies and their implications for bias. *Epidemiology*
  16(6):717–726.
- de Vet HCW, Heymans MW, Dunn KM, et al. (2002) Episodes of low back pain: a proposal for
  uniform definitions to be used in research. *Spine* 27(21):2409–2416.
- Mantel N, Haenszel W (1959) Statistical aspects of the analysis of data from retrospective
  studies of disease. *J Natl Cancer Inst* 22:719–748.
- Rothman KJ, Greenland S, Lash TL (2008) *Modern Epidemiology*, 3rd ed. (ch. 14: exact and
  mid-p intervals; ch. 15: Mantel–Haenszel).
- Chree C (1913) Some phenomena of sunspots and of terrestrial magnetism at Kew Observatory.
  *Phil Trans R Soc Lond A* 212:75–116 (the superposed-epoch method).
"""


# --------------------------------------------------------------------------- 01


def notebook_01():
    cells = [
        md("""
        # 1 · My running history

        Point runload at your activity files — a **Strava bulk export** (`export_*.zip`), a
        **Garmin Connect account export** (`<uuid>_1.zip`), a folder of FIT / GPX / TCX files
        (gzipped or not), or a single file — and see:

        1. what was in the files, and what could not be read (every file is accounted for);
        2. your activities, by sport;
        3. your **weekly running distance**, in kilometres or miles.

        It runs on the sample runner *Alex* (two years: a phone with Strava, then a Garmin watch)
        unless you change the cell below.
        """),
        code('''
        # Parameters — change these to use your own data (or pass them with papermill -p).
        activities_path = "sample_data/alex"  # a folder, an export zip or one activity file
        athlete = "alex"                      # your name in the tables (None: the folder/zip name)
        tz = "Europe/London"                  # your home time zone (IANA), for files that don't say
        units = "km"                          # "km" or "mi"
        week_start = "monday"                 # first day of your training week ("sunday", ...)
        ''', "parameters"),
        md("""
        Paths are taken as given when they exist (absolute, or relative to the folder you run
        the notebook from); otherwise inside the runload repository, where `sample_data/` lives.
        """),
        code("from pathlib import Path\n\n"
             "import matplotlib.pyplot as plt\nimport pandas as pd\n"
             "from IPython.display import display\n\n"
             "import runload\nfrom runload.columns import PROBLEM_KINDS, UNITS\n"
             "from runload.plot.weekly import plot_weekly\n"
             + PANDAS_OPTIONS + UNITS_CHECK + "\n" + LOCATE
             + '\nprint(f"runload {runload.__version__}")'),
        md("""
        ## Read the files

        `runload.read_activities` walks the folder or archive, opens every file (gzip and zip
        included), recognises the format from the content, and returns **one row per activity**
        — distances in metres, times in seconds, start times in UTC. Bad files never stop it:
        what can be read is kept, and every problem is written down. The same run recorded twice
        (say, the watch's FIT file and the GPX Strava made from it) is kept once: the copy gets
        `duplicate_of` and never counts.

        A *RunloadWarning* below, if any, is a one-line summary of the files with problems; the
        details follow.
        """),
        code('''
        source = locate(activities_path)
        activities = runload.read_activities(source, athlete=athlete, tz=tz)
        counted = activities[activities["duplicate_of"].isna()]
        first, last = counted["start_time"].min(), counted["start_time"].max()
        print(f"{len(activities)} activities read from {source.name}: "
              f"{len(counted)} counted, {len(activities) - len(counted)} duplicates; "
              f"{first:%d %b %Y} to {last:%d %b %Y}")
        '''),
        md("""
        ### Every file accounted for

        The inventory counts the files. Each file found is exactly one of: an **activity file**
        (at least one activity was kept — possibly only part of it, *salvaged*), a
        **non-activity file** (a valid file that holds no activity by design: watch settings,
        monitoring data, a planned route) or a **problem file** (nothing could be kept).
        Photos, CSV and JSON files of an export are *ignored*, and counted as such.
        """),
        code('''
        inventory = runload.inventory(activities)
        parts = inventory["activity_files"] + inventory["non_activity_files"] + inventory["problem_files"]
        print(f"files seen {inventory['files_seen']} = activity files {inventory['activity_files']} "
              f"+ non-activity files {inventory['non_activity_files']} "
              f"+ problem files {inventory['problem_files']}: "
              + ("every file accounted for" if parts == inventory["files_seen"]
                 else "the counts do not add up — please report this"))
        pd.Series(inventory, name="count").rename_axis("what").to_frame()
        ''', "expect-table"),
        md("""
        ### Problems found in the files

        First by kind: how many problems, in how many files, and in how many of those files
        some of the file was still kept as an activity (`salvaged files`; a file cut off
        mid-stream can have two problems of one kind, but it is one file). Then one row per
        problem (a file can have several). The kinds are explained in
        `runload.columns.PROBLEM_KINDS`.
        """),
        code('''
        problems = runload.problems(activities)
        if problems.empty:
            print("No problems: every activity file was read in full.")
        else:
            by_kind = problems.groupby("kind").agg(problems=("source", "size"), files=("source", "nunique"))
            salvaged = problems[problems["salvaged"]].groupby("kind")["source"].nunique()
            by_kind["salvaged files"] = salvaged.reindex(by_kind.index, fill_value=0)
            by_kind["meaning"] = by_kind.index.map(PROBLEM_KINDS)
            display(by_kind)
            inside = problems["source"].str.split("!")
            display(pd.DataFrame({
                "file": inside.str[-1].str.rsplit("/", n=1).str[-1],
                "in archive": inside.str[0].str.rsplit("/", n=1).str[-1].where(inside.str.len() > 1),
                "kind": problems["kind"],
                "message": problems["message"],
                "salvaged": problems["salvaged"],
            }).head(10))
        '''),
        md("""
        ## What you did: activities by sport

        Only running (road, trail, treadmill) counts as mileage; cycling, swimming and other
        sports count as cross-training time, strength sessions as strength sessions.
        """),
        code('''
        moving_h = counted["moving_time_s"].fillna(counted["elapsed_time_s"]) / 3600
        by_sport = (
            counted.assign(distance=counted["distance_m"] / PER_UNIT, hours=moving_h)
            .groupby("sport")
            .agg(activities=("activity_id", "size"), distance=("distance", "sum"), hours=("hours", "sum"))
            .sort_values("activities", ascending=False)
            .round(1)
            .rename(columns={"distance": f"distance ({UNIT})", "hours": "moving time (h)"})
        )
        by_sport
        ''', "expect-table"),
        md("The ten latest activities, in your local time:"),
        code('''
        latest = counted.tail(10)
        start = latest["start_time"].dt.tz_convert(tz) if tz else latest["start_time"]
        pd.DataFrame({
            "start (local)": start.dt.strftime("%a %d %b %Y %H:%M"),
            "sport": latest["sport"],
            f"distance ({UNIT})": in_units(latest["distance_m"]),
            "moving time (min)": (latest["moving_time_s"] / 60).round(0),
            "avg HR (bpm)": latest["avg_heart_rate_bpm"].round(0),
            "device": latest["device"],
            "format": latest["format"],
        }).reset_index(drop=True)
        ''', "expect-table"),
        md("""
        ## Weekly running distance

        `runload.weekly_load` bins the runs into your local weeks (starting on `week_start`) —
        **every** week from the first activity to the last, weeks without running included as
        0. The first week, and the last one when the data stops before it ends, are *incomplete*
        (hatched): they show their distance but are never judged by the rules.

        The markers are the load flags, each with the strength of its evidence; notebook 2
        explains them. Green bands are recovery weeks.
        """),
        code('''
        weekly = runload.weekly_load(activities, week_start=week_start, tz=tz)
        ax = plot_weekly(weekly, units=units)
        plt.show()
        ''', "expect-figure"),
        md("The last twelve weeks:"),
        code('''
        recent = weekly.tail(12)
        pd.DataFrame({
            "week starting": recent["week_start"].dt.strftime("%a %d %b %Y"),
            f"distance ({UNIT})": in_units(recent["distance_m"]),
            "runs": recent["runs"],
            f"longest run ({UNIT})": in_units(recent["longest_run_m"]),
            "cross-training (h)": (recent["cross_training_time_s"] / 3600).round(1),
            "strength sessions": recent["strength_sessions"],
            "change vs reference (%)": recent["change_pct"].round(0),
            "recovery week": recent["recovery_week"],
            "complete": recent["complete"],
        }).reset_index(drop=True)
        ''', "expect-table"),
        md("### Year by year"),
        code('''
        year = weekly["week_start"].dt.year.rename("year")
        yearly = weekly.groupby(year).agg(
            weeks=("week_start", "size"),
            distance=("distance_m", "sum"),
            runs=("runs", "sum"),
            biggest_week=("distance_m", "max"),
            longest_run=("longest_run_m", "max"),
            weeks_without_running=("distance_m", lambda d: int((d == 0).sum())),
        )
        for column in ("distance", "biggest_week", "longest_run"):
            yearly[column] = in_units(yearly[column])
        yearly.rename(columns={
            "distance": f"distance ({UNIT})",
            "biggest_week": f"biggest week ({UNIT})",
            "longest_run": f"longest run ({UNIT})",
            "weeks_without_running": "weeks without running",
        })
        ''', "expect-table"),
        md("""
        ## Take it further

        - The tables are ordinary pandas DataFrames in metres and seconds:
          `weekly.to_csv("my_weekly.csv")` keeps them; the column meanings are in
          `runload.columns.WEEKLY` and `runload.columns.ACTIVITIES`.
        - The same from the command line: `runload weekly sample_data/alex --units km --csv weekly.csv`.
        - **Notebook 2** explains each load rule on these weeks, with the evidence behind it;
          **notebook 3** relates them to a back-pain log.

        ## References

        - runload's data contract and file formats: `docs/fit.md`, `docs/gpx_tcx.md`.
        - The weekly rules: `docs/load_rules.md`.
        """),
    ]
    return cells


# --------------------------------------------------------------------------- 02


def notebook_02():
    cells = [
        md("""
        # 2 · The load rules on your own weeks

        Running advice comes with rules of thumb: *don't add more than 10% a week*, *take a
        recovery week every 3–4 weeks*, *don't suddenly run much further than usual*, *keep your
        acute:chronic ratio below 1.5*. This notebook computes each rule on your weeks, shows
        where it fired, and says how good the evidence behind it is — from a randomised trial
        that found the 10% rule did not prevent injuries, to a large cohort that did link single
        long runs to injury. A flag is a prompt to look, not a diagnosis.
        """),
        code('''
        # Parameters — change these to use your own data (or pass them with papermill -p).
        activities_path = "sample_data/alex"  # a folder, an export zip or one activity file
        athlete = "alex"                      # your name in the tables (None: the folder/zip name)
        tz = "Europe/London"                  # your home time zone (IANA), for files that don't say
        units = "km"                          # "km" or "mi"
        week_start = "monday"                 # first day of your training week
        # the rules' thresholds (runload.weekly_load defaults)
        max_increase = 0.10                   # 10% rule
        recovery_drop = 0.20                  # a recovery week is >= 20% below its reference
        max_build_weeks = 4                   # build weeks in a row before a recovery week is due
        spike = 0.10                          # a run > 10% longer than the 30-day longest run
        acwr_threshold = 1.5                  # acute:chronic workload ratio flag
        # prevention checklist (habits layer)
        pain_log = "sample_data/pain/alex_episodes.csv"  # back-pain log, for the rehab and core habits; None: none
        habits_log = None                     # your habits CSV (docs/habits.md), or None
        sleep_source = "auto"                 # Garmin export with sleep data; "auto": the zips in activities_path; None: none
        ''', "parameters"),
        code("import importlib.util\nfrom pathlib import Path\n\n"
             "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
             "from IPython.display import display\n\n"
             "import runload\nfrom runload.acwr import half_life_days\n"
             "from runload.columns import UNITS\n"
             "from runload.flags import EVIDENCE, PROGRESSION_CATEGORIES, SPIKE_CATEGORIES, "
             "SPIKE_HAZARD_RATIOS\n"
             "from runload.plot.weekly import plot_acwr, plot_spikes, plot_weekly\n"
             + PANDAS_OPTIONS + UNITS_CHECK + "\n" + LOCATE
             + '\nprint(f"runload {runload.__version__}")'),
        md("""
        ## How strong is the evidence for each rule?

        `runload.flags.EVIDENCE` holds a short label per rule; the plots and tables repeat it
        next to every flag.
        """),
        code('''
        pd.Series(EVIDENCE, name="strength of evidence").rename_axis("rule").to_frame()
        ''', "expect-table"),
        code('''
        activities = runload.read_activities(locate(activities_path), athlete=athlete, tz=tz,
                                             errors="skip")
        weekly = runload.weekly_load(
            activities, week_start=week_start, tz=tz, max_increase=max_increase,
            recovery_drop=recovery_drop, max_build_weeks=max_build_weeks, spike=spike,
            acwr_threshold=acwr_threshold,
        )
        judged = weekly[weekly["complete"]]
        print(f"{len(weekly)} weeks, {len(judged)} complete (judged by the rules); "
              f"parameters: {weekly.attrs['parameters']}")
        '''),
        md("""
        ## 1 · The 10% rule

        Each complete week is compared with its **reference** — normally the week before. The
        exception is the advice *"After this recovery week, you can safely start back from where
        you left off"* (article A, in the references): the week after a single recovery week is
        compared with the last build week before it, not with the easy week. The week is a
        **ramp** (`flag_ramp`) when it is more than 10% above its reference (exactly +10% is
        allowed). Weeks whose reference is below `min_base_m` (10 km) are not judged: a
        percentage of almost nothing means little.

        **Evidence.** In a randomised trial of 532 novice runners preparing for a 4-mile race,
        a graded programme that kept to the 10% rule did not lower injuries: **20.8% injured
        vs 20.3%** on a standard programme (Buist et al. 2008). The rule is a heuristic. In a
        cohort of 873 novices (Nielsen et al. 2014), weekly progressions **above 30%** were
        associated with some distance-related injury types — not with injuries overall —
        which is why the weeks are also put into Nielsen's categories < 10%, 10–30%, > 30%.
        """),
        code('''
        ramps = weekly[weekly["flag_ramp"]]
        if len(ramps):
            r = ramps.iloc[-1]
            print(f"Latest ramp: the week of {r.week_start:%d %b %Y} — {r.distance_m / PER_UNIT:.1f} {UNIT} "
                  f"against a reference of {r.reference_m / PER_UNIT:.1f} {UNIT}, "
                  f"{r.change_pct:+.0f}% (the rule allows +{100 * max_increase:g}%).")
        print(f"{len(ramps)} of {len(judged)} complete weeks broke the {100 * max_increase:g}% rule.")

        # a week after a single recovery week: judged against the last build week, not the easy week
        previous = weekly["distance_m"].shift(1)
        back = (weekly["complete"] & weekly["recovery_week"].shift(1, fill_value=False)
                & ~weekly["recovery_week"].shift(2, fill_value=False) & ~weekly["recovery_week"]
                & (weekly["distance_m"] > (1 + max_increase) * previous))
        if back.any():
            i = weekly.index[back][-1]
            window = weekly.loc[max(i - 3, 0): i]
            display(pd.DataFrame({
                "week starting": window["week_start"].dt.strftime("%d %b %Y"),
                f"distance ({UNIT})": in_units(window["distance_m"]),
                f"reference ({UNIT})": in_units(window["reference_m"]),
                "change (%)": window["change_pct"].round(1),
                "recovery week": window["recovery_week"],
                "ramp": window["flag_ramp"],
            }).reset_index(drop=True))
            r = weekly.loc[i]
            print(f"The week of {r.week_start:%d %b %Y} is {100 * (r.distance_m / previous[i] - 1):+.0f}% over "
                  f"the recovery week before it, but {r.change_pct:+.0f}% over its reference, the last "
                  f"build week: back to where you left off" + (", and still a ramp." if r.flag_ramp else
                                                                 ", which is no ramp."))
        ''', "expect-table"),
        code('''
        change = judged["change_pct"].dropna().clip(-100, 150)
        fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
        ax.axvspan(10, 30, color="tab:orange", alpha=0.12, label="Nielsen 10–30%")
        ax.axvspan(30, 150, color="tab:red", alpha=0.10, label="Nielsen > 30% (some injury types)")
        ax.hist(change, bins=np.arange(-100, 155, 5), color="tab:blue", alpha=0.8,
                label="complete weeks")
        ax.axvline(100 * max_increase, color="black", ls="--", lw=1,
                   label=f"+{100 * max_increase:g}% rule — {EVIDENCE['flag_ramp']}")
        ax.set_xlabel("change over the reference week (%; clipped at -100 and +150)")
        ax.set_ylabel("weeks")
        ax.set_title("How much each week changed over its reference")
        ax.legend(fontsize="small", loc="upper right")
        plt.show()

        progression = (
            judged["progression"].value_counts().reindex(list(PROGRESSION_CATEGORIES), fill_value=0)
            .rename("weeks").rename_axis("progression (Nielsen 2014)").to_frame()
        )
        progression
        ''', "expect-figure"),
        md("""
        ## 2 · Recovery weeks and build streaks

        A **recovery week** is at least 20% below its reference (`recovery_drop`); a week off
        after a build counts too. Every other complete week extends the **build streak**; a
        recovery week, or a week below the 10 km base, resets it. Building for more than
        `max_build_weeks` (4) weeks in a row raises `flag_missing_recovery`.

        **Evidence.** Coaching advice (article A: *"increase by a handful of miles each week
        for 3 to 4 weeks and then have one week as “recovery” where you drop your mileage by
        20%"*); no trial has tested recovery weeks for injury prevention.
        """),
        code('''
        fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
        ax.step(weekly["week_start"], weekly["build_streak"], where="post", color="tab:blue",
                label="build streak (weeks)")
        ax.axhline(max_build_weeks, color="tab:orange", ls="--",
                   label=f"{max_build_weeks} build weeks — {EVIDENCE['flag_missing_recovery']}")
        rec = weekly[weekly["recovery_week"]]
        ax.scatter(rec["week_start"], np.zeros(len(rec)), marker="v", color="tab:green", zorder=3,
                   label=f"recovery week — {EVIDENCE['recovery_week']}")
        miss = weekly[weekly["flag_missing_recovery"]]
        ax.scatter(miss["week_start"], miss["build_streak"], marker="s", color="tab:orange", zorder=3,
                   label="recovery week overdue")
        ax.set_ylabel("consecutive build weeks")
        ax.set_xlabel("week starting")
        ax.set_title("Build streaks and recovery weeks")
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(0, -0.18), frameon=False)
        plt.show()

        gaps = rec["week_start"].diff().dt.days.div(7).dropna()
        last_recovery = rec["week_start"].max()
        summary = {
            "recovery weeks": len(rec),
            "median weeks between recovery weeks": float(gaps.median()) if len(gaps) else np.nan,
            "longest build streak (weeks)": int(weekly["build_streak"].max()),
            "weeks flagged 'recovery week overdue'": int(weekly["flag_missing_recovery"].sum()),
            "weeks since the last recovery week": (
                int((weekly["week_start"].max() - last_recovery).days // 7)
                if pd.notna(last_recovery) else "none in the data"),
        }
        pd.Series(summary, name="value", dtype=object).to_frame()
        ''', "expect-figure"),
        md("""
        ## 3 · Session spikes: one run much longer than usual

        Each run is compared with the **longest run of the 30 days before it**. In the largest
        study of the question — about 5 200 runners whose GPS-watch runs were followed
        prospectively — a single run **10–30% longer** than that came with a hazard ratio of
        injury of **1.64**, **30–100% longer 1.52**, **more than twice as long 2.28**, relative
        to runs at most 10% longer; the weekly ratios and the ACWR were *not* associated
        (Frandsen et al. 2025). It is an association from an observational cohort — the best
        evidence among these rules, but not proof of cause, and a population average, not
        your personal risk.
        """),
        code('''
        spikes = runload.session_spikes(activities, tz=tz, spike=spike)
        ax = plot_spikes(spikes, units=units)
        plt.show()

        categories = (
            spikes["spike_category"].value_counts().reindex(list(SPIKE_CATEGORIES), fill_value=0)
            .rename("runs").to_frame()
        )
        categories["hazard ratio (Frandsen 2025)"] = [SPIKE_HAZARD_RATIOS[c] for c in categories.index]
        categories.loc["no run in the 30 days before", "runs"] = int(spikes["spike_category"].isna().sum())
        categories.rename_axis("longer than the 30-day longest run")
        ''', "expect-figure", "expect-table"),
        code('''
        top = spikes.dropna(subset=["spike_pct"]).nlargest(5, "spike_pct")
        pd.DataFrame({
            "date": top["local_time"].dt.strftime("%a %d %b %Y"),
            f"run ({UNIT})": in_units(top["distance_m"]),
            f"30-day longest before ({UNIT})": in_units(top["longest_prior_m"]),
            "longer by (%)": top["spike_pct"].round(0),
            "category": top["spike_category"],
        }).reset_index(drop=True)
        '''),
        md("""
        ## 4 · The acute:chronic workload ratio (ACWR)

        The ACWR divides the last 7 days' load by the longer-term (28-day) load. Three versions
        are computed, at the end of each week:

        - **rolling, coupled** (Gabbett 2016; Hulin et al. 2016): 7-day mean / 28-day mean — the
          acute week is inside the chronic window;
        - **rolling, uncoupled**: 7-day mean / the 21 days before them;
        - **EWMA** (Williams et al. 2017): exponentially weighted averages with
          λ = 2/(N+1), N = 7 and 28 days.

        Team-sport studies proposed a 0.8–1.3 "sweet spot" and a danger zone above 1.5
        (`flag_acwr`). **The metric is contested**: the coupled ratio shares the acute week with
        its denominator, which makes a spurious correlation (Lolli et al. 2019); ratio scaling
        does not remove the chronic load's influence and the injury evidence has fundamental
        problems (Impellizzeri et al. 2020, 2021); and in 5 200 runners the ACWR was not
        associated with injury (Frandsen et al. 2025). runload shows it because people ask.
        """),
        code('''
        ax = plot_acwr(weekly, threshold=acwr_threshold)
        plt.show()

        half_lives = pd.DataFrame(
            {s: {f"N = {n} days": round(half_life_days(n, s), 2) for n in (7, 28, 42)}
             for s in ("williams", "simple", "banister")}
        ).rename_axis("EWMA window")
        print("EWMA half-lives, days (the same N does not mean the same memory across tools):")
        half_lives
        ''', "expect-figure"),
        md("""
        ## 5 · Monotony and strain

        Foster (1998) described training **monotony** — the week's mean daily load divided by
        its standard deviation (days off count as 0) — and **strain**, the week's load times its
        monotony. Every day the same gives a high monotony; hard and easy days alternating give
        a low one. Foster saw illnesses follow weeks of high strain and monotony in the athletes
        he monitored; values of monotony above about 2 are often quoted as high. Here the load
        is running distance, not Foster's session-RPE × minutes. **Evidence:** descriptive, weak
        for injury.
        """),
        code('''
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True, layout="constrained")
        top.plot(weekly["week_start"], weekly["monotony"], marker=".", color="tab:purple",
                 label="monotony (mean / SD of daily distance)")
        top.axhline(2.0, color="tab:red", ls="--", lw=1, label="2.0, often quoted as high")
        top.set_ylabel("monotony")
        top.set_title(f"Monotony and strain — {EVIDENCE['monotony']}")
        top.legend(fontsize="small", loc="upper left")
        bottom.bar(weekly["week_start"], weekly["strain"] / PER_UNIT, width=6, align="edge",
                   color="tab:gray", label=f"strain (weekly distance × monotony, {UNIT})")
        bottom.set_ylabel(f"strain ({UNIT})")
        bottom.set_xlabel("week starting")
        bottom.legend(fontsize="small", loc="upper left")
        plt.show()
        ''', "expect-figure"),
        md("""
        ## 6 · All the flags together

        The weekly chart marks every flag, and its legend repeats the evidence label. The table
        counts how often each rule fired on the complete weeks.
        """),
        code('''
        ax = plot_weekly(weekly, units=units)
        plt.show()

        flag_columns = [c for c in weekly.columns if c.startswith("flag_")]
        pd.DataFrame({
            "weeks flagged": [int(judged[c].sum()) for c in flag_columns],
            "share of complete weeks (%)": [round(100 * judged[c].mean(), 1) for c in flag_columns],
            "strength of evidence": [EVIDENCE.get(c, "") for c in flag_columns],
        }, index=pd.Index(flag_columns, name="flag"))
        ''', "expect-figure", "expect-table"),
        md("""
        ## 7 · The prevention checklist

        The advice behind runload also covers habits: cross-training, strength work 20–30
        minutes a few times a week, core work and a full 8-week rehab after back pain, strides,
        rotating shoes, 7 hours of sleep, some running on uneven ground. The habits layer
        (`runload.weekly_habits`, `runload.habits.prevention_checklist`) judges each week from
        the activities, an optional habits log and Garmin sleep data: ✓ kept, ✗ missed, –
        not judged (incomplete week, not applicable, or not recorded — missing data never
        counts as kept). All of these are **expert advice, not trial results**.

        The evidence labels name their source: **article A** is "Low Back Pain in Runners:
        Prevention & Treatment" (a blog article; author not named, undated), **article B**
        "Low Back Pain: Rehab For Runners" (a physiotherapist's blog article, June 2019). The
        sentences each habit rests on are quoted in `docs/sources.md`.
        """),
        code('''
        if importlib.util.find_spec("runload.habits") is None:
            print("This runload has no habits layer (runload.habits); skipping the checklist.")
        else:
            from runload.habits import prevention_checklist, read_garmin_sleep
            from runload.plot.habits import plot_checklist

            if sleep_source == "auto":
                root = locate(activities_path)
                zips = sorted(root.glob("*.zip")) if root.is_dir() else [root]
                nights = [read_garmin_sleep(z, athlete=athlete) for z in zips if z.suffix == ".zip"]
                nights = [n for n in nights if len(n)]
                sleep = pd.concat(nights, ignore_index=True) if nights else None
            elif sleep_source:
                sleep = read_garmin_sleep(locate(sleep_source), athlete=athlete)
            else:
                sleep = None
            habits = runload.weekly_habits(
                weekly, activities, habits=locate(habits_log) if habits_log else None,
                episodes=runload.read_pain_log(locate(pain_log), athlete=athlete) if pain_log else None,
                sleep=sleep,
            )
            checklist = prevention_checklist(habits, load_flags=True)
            ax = plot_checklist(habits, load_flags=True, last_weeks=26)
            plt.show()
            names = list(checklist.attrs["flags"])
            marks = checklist.loc[checklist["complete"], names]
            display(pd.DataFrame({
                "weeks kept ✓": (marks == "✓").sum(),
                "weeks missed ✗": (marks == "✗").sum(),
                "not judged –": (marks == "–").sum(),
                "strength of evidence": pd.Series(checklist.attrs["evidence"]),
            }).rename_axis("habit"))
        ''', "expect-figure", "needs-habits"),
        md("""
        ## What to take from this

        - The **10% rule** and **recovery weeks** are sensible habits with no trial behind them
          (the one trial found no protection). Treat their flags as reminders.
        - **A single run much longer than anything in the last month** is the pattern with the
          clearest evidence: build the long run gradually.
        - **ACWR** numbers are shown for completeness; don't steer by them.
        - Whether *your* back pain followed any of these is notebook 3's question.

        ## References
        """, REF_LOAD, """\
        - Article A: "Low Back Pain in Runners: Prevention & Treatment", blog article (author
          not named, undated); article B: "Low Back Pain: Rehab For Runners", a
          physiotherapist's blog article (20 June 2019). Expert opinion, not studies; quoted in
          `docs/sources.md`.
        - The rules, precisely, and a worked example: `docs/load_rules.md`; the habits:
          `docs/habits.md`.
        """),
    ]
    return cells


# --------------------------------------------------------------------------- 03


def notebook_03():
    cells = [
        md("""
        # 3 · Did back pain follow the load?

        You keep a **pain log** (a small CSV: one row per episode, or a daily diary). This
        notebook lines the episodes up with your weekly load and asks whether back-pain onsets
        were more common after the weeks the rules flag — and then, just as important, how
        little a single runner's handful of episodes can tell.
        """),
        code('''
        # Parameters — change these to use your own data (or pass them with papermill -p).
        activities_path = "sample_data/alex"                # folder, export zip or file
        pain_log = "sample_data/pain/alex_episodes.csv"     # episodes or daily-diary CSV
        athlete = "alex"                                    # your name in the tables
        tz = "Europe/London"                                # your home time zone (IANA)
        units = "km"                                        # "km" or "mi"
        week_start = "monday"                               # first day of your training week
        lag_weeks = 1                                       # exposure week -> onset week (1: the week after)
        washout_weeks = 4                                   # weeks after an episode not at risk
        n_permutations = 999                                # circular-shift permutations (0: none)
        seed = 0                                            # seed of the permutations
        ''', "parameters"),
        code("from pathlib import Path\n\n"
             "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
             "from IPython.display import display\n\n"
             "import runload\nfrom runload.columns import UNITS\n"
             "from runload.plot.pain import forest, mileage_with_pain\n"
             "from runload.plot.pain import superposed_epoch as plot_epochs\n"
             "from runload.stats import superposed_epoch\n"
             + PANDAS_OPTIONS + UNITS_CHECK + "\n" + LOCATE
             + '\nprint(f"runload {runload.__version__}")'),
        code('''
        activities = runload.read_activities(locate(activities_path), athlete=athlete, tz=tz,
                                             errors="skip")
        weekly = runload.weekly_load(activities, week_start=week_start, tz=tz)
        print(f"{len(weekly)} weeks of {weekly['athlete'].iloc[0]}, "
              f"{weekly['week_start'].min():%d %b %Y} to {weekly['week_start'].max():%d %b %Y}")
        '''),
        md("""
        ## The pain log and its episodes

        `runload.read_pain_log` accepts either form (`docs/templates/`). An **episode** follows
        de Vet et al. (2002): pain lasting at least a day, with at least a pain-free month (28
        days) before the next one — pain that comes back sooner belongs to the same episode.
        Any mistake in the file (an impossible date, a severity of 11) is reported with its
        line and column; nothing is guessed.
        """),
        code('''
        episodes = runload.read_pain_log(locate(pain_log), athlete=athlete)
        days = (episodes["end"].fillna(episodes["onset"]) - episodes["onset"]).dt.days + 1
        shown = episodes.assign(days=days)
        shown[["onset", "end", "days", "max_severity", "time_lost_days", "location", "notes"]]
        ''', "expect-table"),
        code('''
        ax = mileage_with_pain(weekly, episodes, units=units)
        ax.figure.set_size_inches(11, 4.5)
        plt.show()
        ''', "expect-figure"),
        md("""
        ## The analysis

        `runload.associate` relates every load flag — and the week's change and distance — to
        the **new onsets** in the week after (`lag_weeks` = 1), in four ways:

        - **lagged risk ratio**: onsets per week at risk after flagged vs unflagged weeks;
        - **case-crossover** (Maclure 1991): each onset is compared with *your own* other weeks
          of the same 5-week calendar block (time-stratified referents, Janes et al. 2005) —
          Mantel–Haenszel odds ratio for flags, conditional logistic regression for the
          continuous exposures;
        - **dose-response**: Nielsen's weekly progression and Frandsen's session-spike
          categories against the lowest one;
        - **lagged correlation** of the week's change with the pain severity (a description).

        Weeks in an episode, and in the 4 weeks after it (`washout_weeks`), are not at risk:
        pain reduces running, and counting those weeks would make the flags look protective.
        Intervals are mid-p (exact-type; no normal approximation with a handful of onsets).
        """),
        code('''
        results = runload.associate(weekly, episodes, lag_weeks=lag_weeks,
                                    washout_weeks=washout_weeks, n_permutations=n_permutations,
                                    seed=seed)
        compact = results[["exposure", "method", "lag_weeks", "estimate", "ci_low", "ci_high",
                           "p_value", "exposed_n", "exposed_events", "unexposed_n",
                           "unexposed_events", "warning"]]
        compact.round(3)
        ''', "expect-table"),
        md("""
        ### In plain words

        Each result in one sentence (`summary`), and why it cannot say much (`warning`):
        """),
        code('''
        for row in results.itertuples():
            if row.method in ("lagged_risk_ratio", "case_crossover"):
                note = f"  ⚠ {row.warning}" if pd.notna(row.warning) else ""
                print(f"• {row.summary}.{note}")
        '''),
        md("""
        ### The forest plot

        Each ratio with its 95% interval on a log scale; 1 (dashed) means no association. Grey
        rows carry a warning (too few onsets, an interval open on one side). Intervals that
        reach the edge are unbounded. Every row is drawn. A ratio of 0 — no onset at all after
        a flagged week — cannot sit on a log scale, but its upper limit is still informative:
        it is an arrow from the left edge up to that limit, labelled "0". An infinite ratio (no
        onset after the unflagged weeks) runs from its lower limit to the right edge, labelled
        "∞", and a row that could not be estimated is labelled "not estimable".
        """),
        code('''
        ratio_rows = results["method"].isin(["lagged_risk_ratio", "case_crossover", "conditional_logit"])
        fig, ax = plt.subplots(figsize=(10, 0.6 * int(ratio_rows.sum()) + 2), layout="constrained")
        forest(results[ratio_rows], ax=ax)
        plt.show()
        ''', "expect-figure"),
        md("""
        ## The weeks before each onset (superposed epochs)

        Line up the 8 weeks before every onset at week 0 and look at the load: a build-up before
        the onsets would show as a rising mean. A picture to look at, not a test (Chree 1913).
        """),
        code('''
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
        distance = superposed_epoch(weekly, episodes, value="distance_m", weeks_before=8,
                                    washout_weeks=washout_weeks)
        plot_epochs(distance, units=units, label="weekly distance", ax=left)
        change = superposed_epoch(weekly, episodes, value="change_pct", weeks_before=8,
                                  washout_weeks=washout_weeks)
        plot_epochs(change, units=None, label="change over the reference week (%)", ax=right)
        right.set_title("Weekly change before back-pain onsets")
        plt.show()
        print(f"{distance['onset'].nunique()} onsets lined up")
        ''', "expect-figure"),
        md("""
        ## Reading it honestly

        - **A runner has few episodes.** Count the onsets below: with a handful, an interval
          that runs from "protective" to "ten times the risk" is the honest answer, and the
          `warning` column says so. *No significant result* here does **not** mean *no
          effect*: the data are too few to tell.
        - **Many rows, some "significant" by chance.** Every flag × method × lag is a test; at
          5% one row in twenty is "significant" with no effect at all. Look at the size of the
          estimate and its interval, and whether the lagged and case-crossover rows agree.
        - **Association is not cause.** A flagged week and a pain onset can both follow
          something else — a race build-up, a new job, a house move, a poor night's sleep.
          The flags themselves are heuristics (the 10% rule did not prevent injuries in a
          trial, Buist et al. 2008).
        - **What the case-crossover controls for.** Each onset is compared with the same
          runner's own weeks in the same calendar block, so everything that does not change
          from week to week — age, build, history, shoes, a long-standing back problem — and
          slow trends or seasons are controlled by design (Maclure 1991; Janes et al. 2005).
          It does **not** control what changes with the load: illness, stress, sleep, other
          sports.
        - **Reverse causation.** Pain reduces running. The risk ratios and the case-crossover
          keep episode and washout weeks out of the weeks at risk; with `lag_weeks = 0` a
          week's running may already be shaped by the pain that started in it. The *lagged
          correlation* uses every week, pain weeks included — a negative correlation (less or
          falling running before the painful weeks) is largely pain reducing running, and the
          superposed epochs' drop at week 0 is the same thing. Descriptions, not tests.
        """),
        code('''
        lagged = results[results["method"] == "lagged_risk_ratio"]
        onsets = int(lagged["exposed_events"].add(lagged["unexposed_events"]).fillna(0).max()) if len(lagged) else 0
        tests = int(results["p_value"].notna().sum())
        small = int((results["p_value"] < 0.05).sum())
        print(f"{len(episodes)} episodes in the log; {onsets} onsets at risk in the analysed weeks.")
        print(f"{tests} p-values; {small} below 0.05, where chance alone would give about "
              f"{0.05 * tests:.1f}.")
        '''),
        md("""
        ### Only for the sample data: what the simulation planted

        The sample runner's onsets were *drawn* from a known weekly hazard that is higher after
        a ramp or session-spike week (`sample_data/truth/hazard.csv`, written by
        `runload.sample`). Comparing the estimate with the truth shows what a few onsets can
        and cannot reveal. For your own log this cell prints nothing.
        """),
        code('''
        truth_file = locate(pain_log).parent.parent / "truth" / "hazard.csv"
        if truth_file.is_file():
            truth = pd.read_csv(truth_file)
            truth = truth[(truth["athlete"] == athlete) & truth["at_risk"]]
            planted = truth.groupby("exposed_prev")["hazard"].mean()
            print(f"planted weekly hazard of an onset: {planted.get(False, np.nan):.3f} after an "
                  f"unflagged week, {planted.get(True, np.nan):.3f} after a ramp or spike week "
                  f"(a risk ratio of {planted.get(True, np.nan) / planted.get(False, np.nan):.1f}); "
                  f"{int(truth['onset'].sum())} onsets were drawn.")
            display(results.loc[results["exposure"].isin(["flag_ramp", "flag_session_spike"])
                                & (results["method"] == "lagged_risk_ratio"),
                                ["exposure", "estimate", "ci_low", "ci_high", "summary"]])
            print("A real, planted effect can hide behind a handful of onsets: the intervals, not "
                  "the point estimates, are the result.")
        '''),
        md("""
        ## What to do with it

        Keep the log going — every episode makes the next analysis a little less uncertain —
        and keep the habits the physiotherapy advice gives after back pain (a full 8-week rehab
        and weekly core work: article B, "Low Back Pain: Rehab For Runners", quoted in
        `docs/sources.md`; see notebook 2's checklist). A coach with a squad can pool several
        runners (notebook 4), which says more, but only about that squad.

        ## References
        """, REF_PAIN, """\
        - Buist I et al. (2008) *Am J Sports Med* 36:33–39; Nielsen RO et al. (2014)
          *JOSPT* 44:739–747; Frandsen JSB et al. (2025) *Br J Sports Med* 59:1203.
        - How each analysis works and its simulated false-alarm rate and power:
          `docs/pain_analysis.md`.
        """),
    ]
    return cells


# --------------------------------------------------------------------------- 04


def notebook_04():
    cells = [
        md("""
        # 4 · The coach's squad audit

        A folder per athlete, one pain log for the squad (a daily diary or episodes, with an
        `athlete` column). This notebook answers the coach's Monday questions: **who is flagged
        right now, how long since each athlete's last recovery week, who had back pain
        recently** — and, over the whole squad, did pain follow the flagged weeks?
        """),
        code('''
        # Parameters — change these to use your own data (or pass them with papermill -p).
        squad_path = "sample_data/squad"                # one folder (or export zip) per athlete
        pain_log = "sample_data/pain/squad_diary.csv"   # the squad's pain log (athlete column); None: none
        tz = "Europe/London"                            # the squad's time zone (IANA)
        units = "km"                                    # "km" or "mi"
        week_start = "monday"                           # first day of the training week
        as_of = None                                    # the day of the audit, "YYYY-MM-DD"; None: the end of the data
        recent_weeks = 2                                # a flag is "active" if raised in the last 2 weeks
        pain_weeks = 8                                  # back pain is "recent" within 8 weeks (rehab length)
        ''', "parameters"),
        code("from pathlib import Path\n\n"
             "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
             "from IPython.display import display\nfrom matplotlib.lines import Line2D\n"
             "from matplotlib.patches import Patch\n\n"
             "import runload\nfrom runload.columns import UNITS\n"
             "from runload.flags import EVIDENCE\n"
             "from runload.plot.pain import forest\nfrom runload.plot.weekly import plot_weekly\n"
             + PANDAS_OPTIONS + UNITS_CHECK + "\n" + LOCATE
             + '\nprint(f"runload {runload.__version__}")'),
        md("""
        ## Read every athlete

        Each sub-folder (or `.zip`) of `squad_path` is one athlete, named after it. Problems
        in the files are counted per athlete, so you know whose numbers to take with care.
        """),
        code('''
        root = locate(squad_path)
        sources = sorted(p for p in root.iterdir()
                         if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".zip"))
        squad = {}
        for path in sources:
            name = path.stem if path.suffix == ".zip" else path.name
            squad[name] = runload.read_activities(path, athlete=name, tz=tz, errors="skip")


        def day(stamp):
            return f"{stamp:%d %b %Y}" if pd.notna(stamp) else "–"


        files = pd.DataFrame({
            name: {**runload.inventory(acts),
                   "first activity": day(acts["start_time"].min()),
                   "last activity": day(acts["start_time"].max())}
            for name, acts in squad.items()
        }).T.rename_axis("athlete")
        files[["files_seen", "activities", "duplicates", "problem_files", "salvaged_files",
               "first activity", "last activity"]]
        ''', "expect-table"),
        code('''
        weekly = pd.concat(
            [runload.weekly_load(acts, week_start=week_start, tz=tz, as_of=as_of)
             for acts in squad.values()],
            ignore_index=True,
        )
        episodes = runload.read_pain_log(locate(pain_log)) if pain_log else None
        print(f"{weekly['athlete'].nunique()} athletes, {len(weekly)} athlete-weeks; "
              f"{0 if episodes is None else len(episodes)} back-pain episodes in the log")
        episodes
        '''),
        md("""
        ## The audit: who needs a look this week

        `runload.squad_audit` gives one row per athlete, riskiest first:

        - **active flags** — load flags raised in the last `recent_weeks` weeks;
        - **weeks since recovery** — since the last recovery week (≥ 20% below its reference);
        - **recent pain** — a back-pain episode ongoing or ended within `pain_weeks` weeks
          (rehab takes about 8 weeks even when the pain is gone, and back pain recurs);
        - **trend** — the last 4 full weeks against the 4 before;
        - **risk** — a *triage order*, not a prediction: the number of active flags, plus 2 for
          recent back pain (high ≥ 3, moderate 1–2, low 0).
        """),
        code('''
        audit = runload.squad_audit(
            weekly, episodes, as_of=as_of, recent_weeks=recent_weeks, pain_weeks=pain_weeks,
            problems={name: runload.problems(acts) for name, acts in squad.items()},
        )
        pd.DataFrame({
            "athlete": audit["athlete"],
            "risk": audit["risk"],
            "score": audit["risk_score"],
            "active flags": audit["active_flags"],
            f"this week ({UNIT})": in_units(audit["current_distance_m"]),
            f"last 4 weeks ({UNIT})": in_units(audit["distance_4wk_m"]),
            "trend (%)": audit["trend_pct"].round(1),
            "weeks since recovery": audit["weeks_since_recovery"],
            "recent back pain": audit["pain_recent"].map(
                {True: "yes", False: "no"}, na_action="ignore").fillna("– (no pain log)"),
            "last pain onset": audit["last_pain_onset"].dt.strftime("%d %b %Y").fillna(""),
            "file problems": audit["data_problems"],
        })
        ''', "expect-table"),
        code('''
        week = audit["current_week"].iloc[0]
        print(f"Audit for the week of {week:%d %b %Y}:")
        for row in audit.itertuples():
            notes = []
            if row.active_flags:
                flags = ", ".join(f.replace("_", " ") for f in row.active_flags.split(", "))
                notes.append(f"flagged in the last {recent_weeks} weeks: {flags}")
            if pd.notna(row.pain_recent) and row.pain_recent:
                notes.append(f"back pain recently (onset {row.last_pain_onset:%d %b})")
            if pd.isna(row.weeks_since_recovery):
                notes.append("no recovery week in the data")
            elif row.weeks_since_recovery > 4:
                notes.append(f"{row.weeks_since_recovery} weeks since the last recovery week")
            print(f"  {row.athlete:<8} {row.risk:<9} " + ("; ".join(notes) if notes else "nothing flagged"))
        '''),
        md("""
        ## Everyone's season at a glance

        Weekly distance per athlete with recovery weeks (green), the flags, and back-pain
        episodes (red bands).
        """),
        code('''
        names = list(audit["athlete"])
        ncols = 2
        nrows = int(np.ceil(len(names) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(13, 2.9 * nrows), layout="constrained",
                                 squeeze=False)
        for ax, name in zip(axes.flat, names):
            plot_weekly(weekly, units=units, athlete=name, ax=ax)
            ax.get_legend().remove()
            ax.set_xlabel("")
            if episodes is not None:
                for ep in episodes[episodes["athlete"] == name].itertuples():
                    end = ep.end if pd.notna(ep.end) else ep.onset
                    ax.axvspan(ep.onset, end + pd.Timedelta(days=1), color="tab:red", alpha=0.25, lw=0)
        top = max(ax.get_ylim()[1] for ax in list(axes.flat)[:len(names)])
        for ax in list(axes.flat)[:len(names)]:
            ax.set_ylim(0, top)  # one scale for everyone
        for ax in list(axes.flat)[len(names):]:
            ax.set_axis_off()
        handles = [
            Patch(facecolor="tab:blue", label="running distance"),
            Patch(facecolor="tab:green", alpha=0.3, label="recovery week"),
            Line2D([], [], color="tab:red", marker="^", ls="", label=f"weekly rise > 10% — {EVIDENCE['flag_ramp']}"),
            Line2D([], [], color="tab:orange", marker="s", ls="",
                   label=f"recovery week overdue — {EVIDENCE['flag_missing_recovery']}"),
            Line2D([], [], color="tab:purple", marker="D", ls="",
                   label=f"session spike — {EVIDENCE['flag_session_spike']}"),
            Patch(facecolor="tab:red", alpha=0.25, label="back-pain episode"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize="small", frameon=False)
        fig.suptitle("The squad's weekly running distance")
        plt.show()
        ''', "expect-figure"),
        md("Flags raised over the whole period, complete weeks only:"),
        code('''
        flag_columns = [c for c in weekly.columns if c.startswith("flag_")]
        complete = weekly[weekly["complete"]]
        counts = complete.groupby("athlete")[flag_columns].sum().astype(int)
        counts["complete weeks"] = complete.groupby("athlete").size()
        counts["recovery weeks"] = complete.groupby("athlete")["recovery_week"].sum()
        counts
        ''', "expect-table"),
        md("""
        ## Pooled over the squad: did pain follow the flags?

        One athlete's few episodes say almost nothing (notebook 3). The squad's weeks can be
        pooled: the **pooled** rows stratify by athlete (Mantel–Haenszel), so each athlete is
        compared with themselves and differences between athletes (age, mileage, history) do not
        mix in. Still: a small squad has few onsets, and the answer is about this squad only.
        """),
        code('''
        if episodes is None:
            print("No pain log (pain_log = None): nothing to relate the load to.")
        else:
            results = runload.associate(weekly, episodes, lag_weeks=1,
                                        methods=("lagged", "case_crossover"), n_permutations=199,
                                        seed=0)
            pooled = results[results["athlete"] == "pooled"]
            display(pooled[["exposure", "method", "estimate", "ci_low", "ci_high", "p_value",
                            "exposed_n", "exposed_events", "unexposed_n", "unexposed_events",
                            "warning"]].round(3))
        ''', "expect-table"),
        code('''
        if episodes is not None:
            for row in pooled.itertuples():
                note = f"  ⚠ {row.warning}" if pd.notna(row.warning) else ""
                print(f"• {row.summary}.{note}")
            fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
            forest(results, athlete="pooled", ax=ax)
            ax.set_title("Load flags and back-pain onsets, pooled over the squad (Mantel–Haenszel)")
            plt.show()
        ''', "expect-figure"),
        md("""
        ## How to use the audit

        - It is a **triage list** for a conversation, not a prediction. Each flag is a
          heuristic (the 10% rule did not prevent injuries in a randomised trial, Buist et al.
          2008); the session spike has the best evidence (Frandsen et al. 2025).
        - Recent back pain weighs most because back pain recurs: check that the athlete is
          doing the 8-week rehab and weekly core work, even if the pain has gone.
        - *File problems* and *no recovery week in the data* can mean missing files rather than
          missing rest; ask before judging.

        ## References

        - Buist I et al. (2008) *Am J Sports Med* 36:33–39 — the 10% rule trial.
        - Frandsen JSB et al. (2025) *Br J Sports Med* 59:1203 — single-session spikes.
        - Mantel N, Haenszel W (1959) *J Natl Cancer Inst* 22:719–748 — pooling over strata.
        - de Vet HCW et al. (2002) *Spine* 27:2409–2416 — what counts as an episode.
        - `docs/pain_analysis.md` — the analyses, and their simulated false-alarm rate and power.
        """),
    ]
    return cells


# --------------------------------------------------------------------------- 05


def notebook_05():
    cells = [
        md("""
        # 5 · Reproduce the analysis

        For the researcher: the whole analysis from the raw files, with **every parameter
        pinned in one cell** (tagged `parameters` for papermill), the software versions and
        fingerprints of the input and of the results recorded, a **sensitivity analysis** over
        the rule thresholds and lags, and the same analysis for a cohort on a **Dask cluster**
        (`runload.cluster`).

        ```
        papermill notebooks/05_reproduce.ipynb results/run.ipynb \\
            -p activities_path /data/me/export.zip -p pain_log /data/me/pain.csv \\
            -p athlete me -p tz Europe/Oslo -p output_dir results
        ```
        """),
        code('''
        # Parameters — every number the results depend on (papermill: -p name value).
        activities_path = "sample_data/alex"              # folder, export zip or file
        pain_log = "sample_data/pain/alex_episodes.csv"   # episodes or daily-diary CSV
        athlete = "alex"
        tz = "Europe/London"
        units = "km"
        week_start = "monday"
        as_of = None                                      # end of the data, "YYYY-MM-DD"; None: last activity
        # weekly rules (runload.weekly_load)
        max_increase = 0.10
        recovery_drop = 0.20
        min_base_m = 10_000
        max_build_weeks = 4
        break_weeks = 2
        spike = 0.10
        spike_window_days = 30
        acwr_threshold = 1.5
        acwr_method = "rolling"
        # association (runload.associate); the pre-specified analysis is lag 1
        lag_weeks = 1
        washout_weeks = 4
        stratum_weeks = 5
        ci_method = "mid-p"
        alpha = 0.05
        n_permutations = 999
        seed = 0
        # sensitivity analysis: thresholds x lags (mid-p intervals, no permutations)
        increase_grid = [0.05, 0.10, 0.15]
        drop_grid = [0.15, 0.20, 0.30]
        sensitivity_lags = [0, 1, 2]
        sensitivity_exposures = ["flag_ramp", "flag_missing_recovery"]
        # cohort on a Dask cluster (runload.cluster); a small local demo by default
        use_cluster = True
        cluster_workers = 2
        cluster_processes = False                         # False: threads, starts at once; True: a process per worker
        cohort_path = "sample_data/squad"                 # one folder per athlete
        cohort_pain_log = "sample_data/pain/squad_diary.csv"
        cohort_athletes = ["dario", "gus"]                # a few keep the demo quick; None: every athlete
        # where to write the tables and the provenance record (None: nowhere)
        output_dir = None
        ''', "parameters"),
        code("import hashlib\nimport importlib.util\nimport itertools\nimport json\n"
             "import logging\nimport platform\nimport sys\nimport tempfile\n"
             "from datetime import datetime, timezone\n"
             "from importlib.metadata import PackageNotFoundError, version\nfrom pathlib import Path\n\n"
             "import matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\n"
             "from IPython.display import display\n\n"
             "import runload\nfrom runload.columns import UNITS\n"
             "from runload.plot.pain import forest\n"
             + PANDAS_OPTIONS + UNITS_CHECK + "\n" + LOCATE),
        md("""
        ## The run's record

        Everything needed to say what was run: the parameters, the software versions and, once
        the files are read, a fingerprint of the input (SHA-256 of the sorted activity ids —
        each a hash of a file's bytes — and of the pain log's bytes).
        """),
        code('''
        PARAMETER_NAMES = [
            "activities_path", "pain_log", "athlete", "tz", "units", "week_start", "as_of",
            "max_increase", "recovery_drop", "min_base_m", "max_build_weeks", "break_weeks",
            "spike", "spike_window_days", "acwr_threshold", "acwr_method", "lag_weeks",
            "washout_weeks", "stratum_weeks", "ci_method", "alpha", "n_permutations", "seed",
            "increase_grid", "drop_grid", "sensitivity_lags", "sensitivity_exposures",
            "cohort_path", "cohort_pain_log", "cohort_athletes",
        ]
        parameters = {name: globals()[name] for name in PARAMETER_NAMES}


        def installed(package):
            try:
                return version(package)
            except PackageNotFoundError:
                return "not installed"


        record = {
            "run_at_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "runload": runload.__version__,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "packages": {p: installed(p) for p in ("numpy", "pandas", "scipy", "statsmodels",
                                                   "matplotlib", "fitdecode", "pyarrow", "distributed")},
            "parameters": parameters,
        }
        print(json.dumps(record, indent=1, default=str))
        '''),
        md("""
        ## The analysis, from the raw files

        The weekly rules and the association options are collected once
        (`weekly_options`, `association_options`) and used for every run below.
        """),
        code('''
        weekly_options = dict(
            week_start=week_start, tz=tz, as_of=as_of, max_increase=max_increase,
            recovery_drop=recovery_drop, min_base_m=min_base_m, max_build_weeks=max_build_weeks,
            break_weeks=break_weeks, spike=spike, spike_window_days=spike_window_days,
            acwr_threshold=acwr_threshold, acwr_method=acwr_method,
        )
        association_options = dict(washout_weeks=washout_weeks, stratum_weeks=stratum_weeks,
                                   ci_method=ci_method, alpha=alpha, seed=seed)

        activities = runload.read_activities(locate(activities_path), athlete=athlete, tz=tz,
                                             errors="skip")
        weekly = runload.weekly_load(activities, **weekly_options)
        episodes = runload.read_pain_log(locate(pain_log), athlete=athlete)
        associations = runload.associate(weekly, episodes, lag_weeks=lag_weeks,
                                         n_permutations=n_permutations, **association_options)

        ids = "\\n".join(sorted(activities["activity_id"].astype(str)))
        record["input"] = {
            "inventory": runload.inventory(activities),
            "problems": int(len(runload.problems(activities))),
            "activities_sha256": hashlib.sha256(ids.encode()).hexdigest(),
            "pain_log_sha256": hashlib.sha256(locate(pain_log).read_bytes()).hexdigest(),
            "episodes": int(len(episodes)),
        }
        record["weekly_parameters"] = weekly.attrs["parameters"]
        print(json.dumps(record["input"], indent=1))
        associations[["exposure", "method", "lag_weeks", "estimate", "ci_low", "ci_high", "p_value",
                      "p_exact", "p_midp", "p_permutation", "exposed_n", "exposed_events",
                      "unexposed_n", "unexposed_events", "warning"]].round(4)
        ''', "expect-table"),
        md("""
        ### Same input, same parameters, same numbers

        A fingerprint of each result table: the SHA-256 of its CSV with 12 significant digits.
        The permutations are seeded (`seed`) and the weekly table does not depend on the order
        the files were read in, so a second run — here rebuilt from nothing but
        `weekly.attrs["parameters"]`, the record `weekly_load` keeps of its options — must give
        the same fingerprints. Compare them with a colleague's run.
        """),
        code('''
        def fingerprint(frame):
            text = frame.to_csv(index=False, float_format="%.12g", date_format="%Y-%m-%d")
            return hashlib.sha256(text.encode()).hexdigest()


        weekly_again = runload.weekly_load(activities, **weekly.attrs["parameters"])
        again = runload.associate(weekly_again, episodes, lag_weeks=lag_weeks,
                                  n_permutations=n_permutations, **association_options)
        record["output"] = {"weekly_sha256": fingerprint(weekly),
                            "associations_sha256": fingerprint(associations)}
        print(json.dumps(record["output"], indent=1))
        print("second run identical:", fingerprint(weekly_again) == record["output"]["weekly_sha256"]
              and fingerprint(again) == record["output"]["associations_sha256"])
        '''),
        code('''
        ratio_rows = associations["method"].isin(["lagged_risk_ratio", "case_crossover", "conditional_logit"])
        fig, ax = plt.subplots(figsize=(10, 0.6 * int(ratio_rows.sum()) + 2), layout="constrained")
        forest(associations[ratio_rows], ax=ax)
        ax.set_title(f"Pre-specified analysis: lag {lag_weeks} week(s), {ci_method} intervals "
                     "(an estimate of 0 or ∞ is an arrow to the edge)")
        plt.show()
        ''', "expect-figure"),
        md("""
        ## Sensitivity: how the estimates move with the thresholds

        The thresholds are conventions: 10% for the rule, 20% for a recovery week, one week of
        lag. Here every combination of a weekly increase of 5/10/15%, a recovery drop of
        15/20/30% and a lag of 0–2 weeks is re-run from the activities: how many weeks are
        flagged, and the risk ratio and case-crossover odds ratio with their intervals. An
        estimate that swings with an arbitrary threshold is not a finding. (Mid-p intervals,
        no permutations, to keep the grid quick.)
        """),
        code('''
        def sensitivity_point(max_increase, recovery_drop):
            """One grid point: the weekly table and the associations with these thresholds."""
            options = {**weekly_options, "max_increase": max_increase, "recovery_drop": recovery_drop}
            weeks = runload.weekly_load(activities, **options)
            table = runload.associate(weeks, episodes, exposures=sensitivity_exposures,
                                      methods=("lagged", "case_crossover"),
                                      lag_weeks=sensitivity_lags, n_permutations=0,
                                      **association_options)
            flagged = {c: int(weeks.loc[weeks["complete"], c].sum()) for c in sensitivity_exposures}
            return table.assign(max_increase=max_increase, recovery_drop=recovery_drop), flagged


        grid = list(itertools.product(increase_grid, drop_grid))
        outcomes = [sensitivity_point(mi, rd) for mi, rd in grid]
        sensitivity = pd.concat([table for table, _ in outcomes], ignore_index=True)
        label = {(mi, rd): f"+{mi:.0%} / −{rd:.0%}" for mi, rd in grid}

        flagged = pd.DataFrame([counts for _, counts in outcomes],
                               index=pd.Index([label[g] for g in grid], name="max increase / recovery drop"))
        print(f"{len(grid)} threshold combinations x {len(sensitivity_lags)} lags; "
              "complete weeks flagged:")
        flagged.T
        ''', "expect-table"),
        code('''
        def cell(row):
            if pd.isna(row.estimate):
                return "–"
            return (f"{row.estimate:.2g} ({row.ci_low:.2g}–{row.ci_high:.2g}) "
                    f"{row.exposed_events}/{row.exposed_n}")


        shown = sensitivity.assign(
            value=[cell(r) for r in sensitivity.itertuples()],
            thresholds=[label[(mi, rd)] for mi, rd in
                        zip(sensitivity["max_increase"], sensitivity["recovery_drop"])],
        )
        table = shown.pivot_table(index=["exposure", "method", "lag_weeks"], columns="thresholds",
                                  values="value", aggfunc="first")
        table = table[[label[g] for g in grid]]  # in grid order
        print("estimate (95% interval) onsets after exposed weeks / exposed weeks at risk; "
              "columns: max increase / recovery drop")
        table
        ''', "expect-table"),
        code('''
        exposures = list(sensitivity_exposures)
        fig, axes = plt.subplots(1, len(exposures), figsize=(6.5 * len(exposures), 4.8),
                                 sharey=True, layout="constrained", squeeze=False)
        rows = sensitivity[sensitivity["method"] == "lagged_risk_ratio"]
        for ax, exposure in zip(axes.flat, exposures):
            for k, lag in enumerate(sensitivity_lags):
                part = rows[(rows["exposure"] == exposure) & (rows["lag_weeks"] == lag)]
                part = part.set_index(["max_increase", "recovery_drop"]).reindex(
                    pd.MultiIndex.from_tuples(grid))
                x = np.arange(len(grid)) + (k - (len(sensitivity_lags) - 1) / 2) * 0.22
                est = part["estimate"].to_numpy(dtype=float)
                lo = part["ci_low"].to_numpy(dtype=float)
                hi = part["ci_high"].to_numpy(dtype=float)
                ax.vlines(x, np.clip(lo, 0.02, 50), np.clip(hi, 0.02, 50), color=f"C{k}", lw=1.5)
                positive = np.isfinite(est) & (est > 0)
                ax.plot(x[positive], est[positive], "o", color=f"C{k}", label=f"lag {lag} week(s)")
                zero = est == 0
                ax.plot(x[zero], np.full(int(zero.sum()), 0.02), "v", color=f"C{k}")
            ax.axhline(1, color="black", ls="--", lw=1)
            ax.set_yscale("log")
            ax.set_ylim(0.015, 60)
            ax.set_xticks(range(len(grid)), [label[g] for g in grid], rotation=45, ha="right",
                          fontsize=8)
            ax.set_xlabel("max weekly increase / recovery drop")
            ax.set_title(exposure)
        axes.flat[0].set_ylabel("risk ratio of a pain onset (log; ▼ = 0; bars clipped to 0.02–50)")
        axes.flat[0].legend(fontsize="small")
        fig.suptitle("Sensitivity of the lagged risk ratio to the thresholds and the lag")
        plt.show()
        ''', "expect-figure"),
        md("""
        ## A cohort on a cluster (`runload.cluster`)

        For thousands of athletes the expensive step is reading the files. `runload.cluster`
        does it on Dask: `read_cohort` reads every athlete's files as tasks and writes one
        Parquet partition per athlete (`out/activities/athlete=<name>/`), `weekly_cohort` builds
        each athlete's weekly table as a task with the same pinned options, and the pooled
        association runs on the result. Each athlete's result depends only on their own files
        and the parameters, so the cohort result is the same whichever worker reads which folder.

        Here a small `LocalCluster` runs it on `cohort_athletes` of the sample squad
        (threads by default, so it starts at once). On a real cluster, connect the `Client` to
        its scheduler instead — `Client("tcp://scheduler:8786")`, or a `dask-jobqueue` cluster on
        SLURM/PBS — with the source folders and `out` on a file system every worker sees:

        ```python
        from dask.distributed import Client
        from runload import cluster

        with Client("tcp://scheduler:8786") as client:
            inventory = cluster.read_cohort("/shared/cohort", "/shared/out", client=client)
            weekly = cluster.weekly_cohort("/shared/out", client=client, **weekly_options)
        associations = runload.associate(weekly, runload.read_pain_log("/shared/pain.csv"),
                                         lag_weeks=1, n_permutations=999, seed=0)
        ```

        The sensitivity grid above is embarrassingly parallel too:
        `client.gather(client.map(sensitivity_point, *zip(*grid)))`.
        """),
        code('''
        if not use_cluster:
            print("use_cluster is False: the cohort step is skipped")
        elif not (importlib.util.find_spec("distributed") and importlib.util.find_spec("runload.cluster")):
            print('dask.distributed is not installed (pip install "runload[cluster]"): skipped')
        else:
            from dask.distributed import Client, LocalCluster

            from runload import cluster

            folders = sorted(p for p in locate(cohort_path).iterdir()
                             if p.is_dir() and not p.name.startswith("."))
            if cohort_athletes is not None:
                folders = [p for p in folders if p.name in set(cohort_athletes)]
            with tempfile.TemporaryDirectory(prefix="runload-cohort-") as scratch:
                out = Path(output_dir) / "cohort" if output_dir else Path(scratch)
                with LocalCluster(n_workers=cluster_workers, threads_per_worker=1,
                                  processes=cluster_processes, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local, Client(local) as client:
                    cohort_inventory = cluster.read_cohort({p.name: p for p in folders}, out,
                                                           client=client)
                    cohort_weekly = cluster.weekly_cohort(out, client=client, **weekly_options)
            names = list(cohort_inventory["athlete"])
            cohort_episodes = runload.read_pain_log(locate(cohort_pain_log))
            cohort_episodes = cohort_episodes[cohort_episodes["athlete"].isin(names)]
            cohort_associations = runload.associate(
                cohort_weekly, cohort_episodes, lag_weeks=lag_weeks,
                methods=("lagged", "case_crossover"), n_permutations=199, **association_options)
            record["cohort"] = {"athletes": names,
                                "weekly_sha256": fingerprint(cohort_weekly),
                                "associations_sha256": fingerprint(cohort_associations)}
            print(f"{len(names)} athletes read and weekly tables built on a LocalCluster of "
                  f"{cluster_workers} {'processes' if cluster_processes else 'threads'}; "
                  f"{len(cohort_episodes)} pain episodes")
            display(cohort_inventory.set_index("athlete"))
            pooled = cohort_associations[cohort_associations["athlete"] == "pooled"]
            display(pooled[["exposure", "method", "estimate", "ci_low", "ci_high", "p_value",
                            "exposed_events", "unexposed_events", "warning"]].round(3))
        ''', "expect-table"),
        md("## Saving the run"),
        code('''
        if output_dir:
            out = Path(output_dir)
            out.mkdir(parents=True, exist_ok=True)
            weekly.to_csv(out / "weekly.csv", index=False)
            associations.to_csv(out / "associations.csv", index=False)
            sensitivity.to_csv(out / "sensitivity.csv", index=False)
            (out / "provenance.json").write_text(json.dumps(record, indent=1, default=str))
            print(f"wrote weekly.csv, associations.csv, sensitivity.csv and provenance.json to {out}")
        else:
            print("output_dir is None: nothing written (set it to keep the tables and the record)")
        '''),
        md("""
        ## Methods, in one paragraph to adapt

        *Activity files (FIT, GPX, TCX) were read with runload (version as recorded above);
        duplicate recordings were removed. Weekly running distance was computed in local
        Monday–Sunday weeks. A week was flagged as a ramp when its distance exceeded its
        reference week by more than 10% (the reference being the last build week after a single
        recovery week), as missing a recovery week after more than four consecutive build weeks,
        and as a session spike when a run was more than 10% longer than the longest run of the
        preceding 30 days (Frandsen et al. 2025). Back-pain episodes followed de Vet et al.
        (2002). Onsets in the week after an exposed week were compared with onsets after
        unexposed weeks (risk ratio, mid-p intervals, circular-shift permutation p-values) and in
        a time-stratified case-crossover design with 5-week strata (Maclure 1991; Janes et al.
        2005); weeks within an episode or the four weeks after it were not at risk. Thresholds
        (5–15% increase, 15–30% recovery drop) and lags (0–2 weeks) were varied in a
        sensitivity analysis.*

        ## References
        """, REF_LOAD, REF_PAIN, """\
        - Method details and simulated error rates: `docs/load_rules.md`, `docs/pain_analysis.md`.
        """),
    ]
    return cells


NOTEBOOKS = {
    "01_my_running_history.ipynb": notebook_01,
    "02_load_rules.ipynb": notebook_02,
    "03_back_pain.ipynb": notebook_03,
    "04_coach_squad.ipynb": notebook_04,
    "05_reproduce.ipynb": notebook_05,
}


def build(folder: Path = HERE) -> list[Path]:
    written = []
    for name, make in NOTEBOOKS.items():
        nb = new_notebook(cells=make(), metadata=dict(KERNEL))
        for index, cell in enumerate(nb.cells):
            cell.id = f"cell-{index:02d}"  # stable ids: a rebuild changes nothing that did not change
        nbformat.validate(nb)
        path = folder / name
        nbformat.write(nb, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
