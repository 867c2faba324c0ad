"""Late work: a deadline, a penalty policy, and what they make of a raw score.

A policy is written as a lecturer would say it, parts separated by commas::

    10%/day                     10 % of the points available per started day late
    10%/day, max 50%            ... never more than half the points
    5%/hour, zero after 3 days  ... and nothing after three days
    20%                         a flat 20 % for any late work
    10%/day of score            10 % of the student's own score per day (instead of the points
                                available)
    zero                        late work scores 0
    none                        no penalty (lateness is still shown)

Lateness is the submission time minus the deadline (the student's extension, if any) minus the
grace period, counted in started units (1 minute late is one day late). Times are compared as
the LMS writes them (its local time): give the deadline in the LMS's time zone.

When the LMS only flags a submission as late without its time (Canvas), the flag is trusted
(Canvas applies its own due dates and extensions) and it counts as one unit late.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1),
          "week": timedelta(weeks=1)}
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
            "%Y-%m-%d")


@dataclass(frozen=True)
class Penalty:
    rate: float = 0.0                 # fraction per unit (per_unit set) or flat (per_unit None)
    per_unit: timedelta | None = None
    cap: float = 1.0                  # the largest fraction taken
    zero_after: timedelta | None = None
    of_score: bool = False            # a fraction of the student's score, not of the maximum

    def fraction(self, lateness: timedelta) -> float:
        """The fraction taken for work ``lateness`` late (> 0)."""
        if self.zero_after is not None and lateness > self.zero_after:
            return 1.0
        if self.per_unit is None:
            return min(self.rate, self.cap)
        units = math.ceil(lateness / self.per_unit)
        return min(self.rate * units, self.cap)


@dataclass(frozen=True)
class Policy:
    deadline: datetime | None = None
    penalty: Penalty = Penalty()
    grace: timedelta = timedelta(0)
    extensions: dict = field(default_factory=dict)     # student key, LMS id or name → deadline
    timezone: str | None = None       # the LMS's zone (IANA name): lateness in real time

    def deadline_for(self, *who: str) -> datetime | None:
        for w in who:
            if w and w in self.extensions:
                return self.extensions[w]
        return self.deadline


@dataclass(frozen=True)
class Outcome:
    score: float                      # after the penalty
    penalty: float                    # points taken
    late: bool
    lateness: timedelta | None        # None: late by the LMS's flag, time unknown
    reason: str                       # "" when on time


def parse_penalty(spec: str) -> Penalty:
    """A Penalty from its written form (see the module's docstring); ValueError when unclear."""
    if not isinstance(spec, str):
        raise TypeError(f"argument 'penalty': expected a string such as '10%/day', "
                        f"got {type(spec).__name__}")
    text = spec.strip().lower()
    if text in ("", "none", "0", "0%"):
        return Penalty()
    if text == "zero":
        return Penalty(rate=1.0)
    rate, per_unit, cap, zero_after, of_score = None, None, 1.0, None, False
    seen: set[str] = set()
    for part in (p.strip() for p in text.split(",")):
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%\s*(?:/\s*(minute|hour|day|week)s?)?"
                         r"(\s+of\s+(?:the\s+)?(score|max|maximum|points))?", part)
        if m and rate is None:
            rate = float(m[1]) / 100
            per_unit = _UNITS[m[2]] if m[2] else None
            of_score = m[4] == "score"
            continue
        m = re.fullmatch(r"max(?:imum)?\s+(\d+(?:\.\d+)?)\s*%", part)
        if m:
            if "max" in seen:
                raise ValueError(f"argument 'penalty': {spec!r} gives a maximum twice")
            seen.add("max")
            cap = float(m[1]) / 100
            continue
        m = re.fullmatch(r"zero\s+after\s+(\d+(?:\.\d+)?)\s*(minute|hour|day|week)s?", part)
        if m:
            if "zero" in seen:
                raise ValueError(f"argument 'penalty': {spec!r} gives 'zero after' twice")
            seen.add("zero")
            zero_after = float(m[1]) * _UNITS[m[2]]
            continue
        raise ValueError(f"argument 'penalty': could not read {part!r} in {spec!r}; expected "
                         "e.g. '10%/day', '10%/day, max 50%', '5%/hour, zero after 3 days', "
                         "'20%', 'zero' or 'none'")
    if rate is None and zero_after is None:
        raise ValueError(f"argument 'penalty': {spec!r} gives no rate; expected e.g. '10%/day'")
    if rate is not None and not 0 <= rate <= 1 or not 0 <= cap <= 1:
        raise ValueError(f"argument 'penalty': percentages must lie in 0..100, got {spec!r}")
    return Penalty(rate or 0.0, per_unit, cap, zero_after, of_score)


def parse_time(text: str, what: str = "deadline") -> datetime:
    """``2026-12-07 17:00`` (also with seconds, a ``T``, or a date alone: its midnight ends
    the day before, so write ``2026-12-07 23:59`` for "the end of the 7th")."""
    if not isinstance(text, str):
        raise TypeError(f"argument {what!r}: expected a string such as '2026-12-07 17:00', "
                        f"got {type(text).__name__}")
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ValueError(f"argument {what!r}: expected a time such as '2026-12-07 17:00', "
                     f"got {text!r}")


def parse_duration(text: str, what: str = "grace") -> timedelta:
    """``15m``, ``2h``, ``1d``, ``90s`` or ``0``."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(text))
    if not m:
        raise ValueError(f"argument {what!r}: expected a duration such as '15m', '2h' or '1d', "
                         f"got {text!r}")
    unit = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m[2]]
    return timedelta(seconds=float(m[1]) * unit)


def parse_extension(text: str) -> tuple[str, datetime]:
    """``STUDENT=2026-12-09 17:00`` → (student, deadline); STUDENT is a key, LMS id or name."""
    who, sep, when = str(text).partition("=")
    if not sep or not who.strip():
        raise ValueError(f"argument 'extension': expected STUDENT=TIME such as "
                         f"'23456=2026-12-09 17:00', got {text!r}")
    return who.strip(), parse_time(when, "extension")


def apply(policy: Policy | None, raw: float, max_score: float, *, submitted=None,
          flagged=None, who=()) -> Outcome:
    """The score after the late penalty for a raw score.

    ``submitted`` is the submission time (None if unknown), ``flagged`` the LMS's own late flag
    (None if the LMS gives none), ``who`` the names the student's extension may be under.
    """
    if policy is None:
        return Outcome(raw, 0.0, bool(flagged), None, "late (LMS flag)" if flagged else "")
    deadline = policy.deadline_for(*who)
    lateness = None
    if submitted is not None and deadline is not None:
        over = _elapsed(deadline, submitted, policy.timezone) - policy.grace
        if over <= timedelta(0):
            return Outcome(raw, 0.0, False, over, "")
        lateness = over
    elif not flagged:
        return Outcome(raw, 0.0, False, None, "")
    pen = policy.penalty
    if lateness is None:                                # the LMS's flag, time unknown
        unit = pen.per_unit or timedelta(0)
        fraction = pen.fraction(unit) if pen.per_unit else pen.fraction(timedelta(seconds=1))
        how = "late by the LMS's flag (time unknown" + (
            f", counted as one {_unit_name(unit)}" if pen.per_unit else "") + ")"
    else:
        fraction = pen.fraction(lateness)
        how = f"late by {_span(lateness)}"
    taken = fraction * (raw if pen.of_score else max_score)
    score = max(0.0, raw - taken)
    taken = raw - score
    if fraction >= 1 and pen.zero_after is not None and lateness and lateness > pen.zero_after:
        return Outcome(score, taken, True, lateness, f"{how}: after the last accepted time, "
                                                      "scored 0")
    pct = f"{fraction * 100:g}%"
    base = "of the score" if pen.of_score else "of the points"
    return Outcome(score, taken, True, lateness,
                   f"{how}: penalty {pct} {base}" if fraction else f"{how}: no penalty")


def zone(name: str | None):
    """The ZoneInfo of an IANA name (``Europe/London``); ValueError naming the argument."""
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"argument 'timezone': expected a time zone such as 'Europe/London' "
                         f"or 'America/New_York', got {name!r}") from None


def _elapsed(start: datetime, end: datetime, tz: str | None) -> timedelta:
    """``end - start`` for two wall-clock times of the LMS; in real time when its zone is known
    (a deadline before a DST change and a submission after it are an hour nearer or farther
    than their clock readings say)."""
    where = zone(tz)
    if where is None:
        return end.replace(tzinfo=None) - start.replace(tzinfo=None)
    from datetime import timezone as _tz
    def real(t):
        return (t if t.tzinfo else t.replace(tzinfo=where)).astimezone(_tz.utc)
    return real(end) - real(start)


def _unit_name(unit: timedelta) -> str:
    for name, size in _UNITS.items():
        if size == unit:
            return name
    return str(unit)


def _span(d: timedelta) -> str:
    minutes = math.ceil(d.total_seconds() / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{mins} min"] if mins or not parts else []
    return " ".join(parts)


_MOODLE_TIMES = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p",
                 "%d %B %Y, %H:%M")


def read_times(path: str) -> dict[str, datetime]:
    """Submission times from a CSV, by LMS id: {id: time}.

    Reads Moodle's offline grading worksheet (Assignment → Download grading worksheet: the
    ``Identifier`` column ``Participant 123456`` and ``Last modified (submission)``, as
    Moodle writes it in English: ``Monday, 7 December 2026, 2:03 PM``), or any CSV with the
    columns ``lms_id`` and ``submitted`` (``2026-12-07 14:03``). A row without a time (Moodle
    writes ``-``) is skipped; an unreadable time is a ValueError naming its line.
    """
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    cols = set(rows[0])
    if {"Identifier", "Last modified (submission)"} <= cols:
        ident, when, formats = "Identifier", "Last modified (submission)", _MOODLE_TIMES
    elif {"lms_id", "submitted"} <= cols:
        ident, when, formats = "lms_id", "submitted", _FORMATS
    else:
        raise ValueError(f"argument 'times': {path} has neither Moodle's columns 'Identifier' "
                         "and 'Last modified (submission)' nor 'lms_id' and 'submitted'; got "
                         f"{sorted(cols)}")
    times = {}
    for n, row in enumerate(rows, start=2):
        who = re.sub(r"^\D*", "", (row.get(ident) or "").strip()) if ident == "Identifier" \
            else (row.get(ident) or "").strip()
        text = (row.get(when) or "").strip()
        if not who or text in ("", "-"):
            continue
        for fmt in formats:
            try:
                times[who] = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"argument 'times': {path} line {n}: could not read the time "
                             f"{text!r}")
    return times
