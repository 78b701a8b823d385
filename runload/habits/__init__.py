"""The habits layer: the rest of the prevention advice as weekly columns and flags.

Besides mileage, the advice of the two articles runload grew from (article A and article
B, ``docs/sources.md``) covers habits: cross-training, strength and core work, a full
rehab programme after back pain, strides, shoe rotation, sleep and uneven surfaces. This
package measures each per week from the activities, an optional habits log
(:func:`read_habits_log`), Garmin sleep data (:func:`read_garmin_sleep`) and the speed
streams (:func:`activity_strides`), and turns each into a boolean ``flag_*`` column
(:mod:`runload.habits.rules`) that :func:`runload.associate` treats like the mileage
flags::

    weekly = runload.weekly_load(activities)
    habits = runload.weekly_habits(weekly, activities, habits="habits.csv", episodes=episodes)
    runload.associate(habits, episodes)
    prevention_checklist(habits)          # ✓ / ✗ / – per week and habit

Every habit rule is expert advice, not a trial result; :data:`EVIDENCE` says so next
to each flag. ``docs/habits.md`` has the rules, defaults, sources and the log format.
"""

from __future__ import annotations

from .checklist import prevention_checklist
from .log import HABITS_LOG, KINDS, read_habits_log
from .rehab import rehab_adherence, rehab_recurrence
from .rules import EVIDENCE, HABIT_NAMES
from .shoes import run_shoes, shoe_distance
from .sleep import read_garmin_sleep
from .strides import activity_strides, count_strides, stride_efforts
from .weekly import HABITS_WEEKLY, weekly_habits

__all__ = [
    "read_habits_log",
    "weekly_habits",
    "prevention_checklist",
    "read_garmin_sleep",
    "stride_efforts",
    "count_strides",
    "activity_strides",
    "run_shoes",
    "shoe_distance",
    "rehab_adherence",
    "rehab_recurrence",
    "EVIDENCE",
    "HABIT_NAMES",
    "HABITS_WEEKLY",
    "HABITS_LOG",
    "KINDS",
]
