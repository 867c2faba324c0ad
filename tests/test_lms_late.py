"""rnngrade.late: deadlines, penalty policies as a lecturer writes them, the scores they give."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rnngrade import late

DEADLINE = datetime(2026, 12, 7, 17, 0)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def policy(spec, **kw):
    return late.Policy(deadline=DEADLINE, penalty=late.parse_penalty(spec), **kw)


@pytest.mark.parametrize("spec, expected", [
    ("10%/day", late.Penalty(0.1, DAY)),
    ("10 % / days, max 50%", late.Penalty(0.1, DAY, cap=0.5)),
    ("5%/hour, zero after 3 days", late.Penalty(0.05, HOUR, zero_after=3 * DAY)),
    ("20%", late.Penalty(0.2)),
    ("10%/day of score", late.Penalty(0.1, DAY, of_score=True)),
    ("zero", late.Penalty(1.0)),
    ("none", late.Penalty()),
    ("zero after 2 days", late.Penalty(0.0, zero_after=2 * DAY)),
    ("12.5%/week", late.Penalty(0.125, timedelta(weeks=1))),
])
def test_penalties_are_read_as_written(spec, expected):
    assert late.parse_penalty(spec) == expected


@pytest.mark.parametrize("spec, match", [
    ("10 per day", "could not read '10 per day'"), ("10%/fortnight", "could not read"),
    ("max 50%", "gives no rate"), ("150%/day", "must lie in 0..100"),
    ("10%/day, max 120%", "must lie in 0..100"),
])
def test_an_unclear_penalty_is_refused_naming_the_argument(spec, match):
    with pytest.raises(ValueError, match=match) as err:
        late.parse_penalty(spec)
    assert "argument 'penalty'" in str(err.value)
    with pytest.raises(TypeError, match="argument 'penalty'"):
        late.parse_penalty(10)


def test_times_durations_and_extensions():
    assert late.parse_time("2026-12-07 17:00") == DEADLINE
    assert late.parse_time("2026-12-07T17:00:00") == DEADLINE
    assert late.parse_time("2026-12-08") == datetime(2026, 12, 8)
    with pytest.raises(ValueError, match="argument 'deadline'.*'7 Dec'"):
        late.parse_time("7 Dec")
    assert late.parse_duration("15m") == timedelta(minutes=15)
    assert late.parse_duration("2h") == 2 * HOUR and late.parse_duration("0") == timedelta(0)
    with pytest.raises(ValueError, match="argument 'grace'"):
        late.parse_duration("soon")
    assert late.parse_extension("José Ñúñez=2026-12-09 17:00") == (
        "José Ñúñez", datetime(2026, 12, 9, 17))
    with pytest.raises(ValueError, match="STUDENT=TIME"):
        late.parse_extension("2026-12-09 17:00")


@pytest.mark.parametrize("spec, after, raw, score, reason", [
    ("10%/day", -timedelta(minutes=1), 10, 10, ""),
    ("10%/day", timedelta(minutes=1), 10, 8.8, "late by 1 min: penalty 10% of the points"),
    ("10%/day", DAY + HOUR, 10, 7.6, "late by 1 d 1 h: penalty 20% of the points"),
    ("10%/day", 20 * DAY, 10, 0, "late by 20 d: penalty 100% of the points"),
    ("10%/day, max 50%", 20 * DAY, 10, 4, "late by 20 d: penalty 50% of the points"),
    ("10%/day of score", DAY, 10, 9, "late by 1 d: penalty 10% of the score"),
    ("5%/hour, zero after 3 days", 3 * HOUR, 12, 10.2,
     "late by 3 h: penalty 15% of the points"),
    ("5%/hour, zero after 3 days", 3 * DAY + timedelta(seconds=1), 12, 0,
     "late by 3 d 1 min: after the last accepted time, scored 0"),
    ("20%", 5 * DAY, 12, 9.6, "late by 5 d: penalty 20% of the points"),
    ("zero", HOUR, 12, 0, "late by 1 h: penalty 100% of the points"),
    ("none", HOUR, 12, 12, "late by 1 h: no penalty"),
])
def test_the_penalty_of_a_known_lateness(spec, after, raw, score, reason):
    out = late.apply(policy(spec), raw, 12, submitted=DEADLINE + after)
    assert out.score == pytest.approx(score) and out.reason == reason
    assert out.penalty == pytest.approx(raw - score) and out.late == bool(reason)


def test_grace_and_extensions_move_the_deadline():
    p = policy("10%/day", grace=timedelta(minutes=15),
               extensions={"23456": DEADLINE + 2 * DAY})
    assert not late.apply(p, 10, 12, submitted=DEADLINE + timedelta(minutes=14)).late
    assert late.apply(p, 10, 12, submitted=DEADLINE + timedelta(minutes=16)).late
    assert not late.apply(p, 10, 12, submitted=DEADLINE + DAY, who=("key", "23456")).late
    assert late.apply(p, 10, 12, submitted=DEADLINE + DAY, who=("key", "99999")).late


def test_the_lms_flag_counts_as_one_unit_when_the_time_is_unknown():
    out = late.apply(policy("10%/day"), 12, 12, flagged=True)
    assert (out.score, out.late, out.lateness) == (pytest.approx(10.8), True, None)
    assert out.reason == ("late by the LMS's flag (time unknown, counted as one day): "
                          "penalty 10% of the points")
    flat = late.apply(policy("20%"), 12, 12, flagged=True)
    assert flat.score == pytest.approx(9.6) and "time unknown)" in flat.reason
    assert not late.apply(policy("10%/day"), 12, 12, flagged=False).late
    assert not late.apply(policy("10%/day"), 12, 12).late      # no time, no flag: on time


def test_without_a_policy_the_score_is_raw_and_the_flag_still_shows():
    assert late.apply(None, 7, 12, flagged=True) == late.Outcome(7, 0.0, True, None,
                                                                  "late (LMS flag)")
    assert late.apply(None, 7, 12, submitted=DEADLINE) == late.Outcome(7, 0.0, False, None, "")


WORKSHEET = ("Identifier,\"Full name\",\"Email address\",Status,Grade,\"Maximum grade\","
             "\"Grade can be changed\",\"Last modified (submission)\",\"Last modified (grade)\","
             "\"Feedback comments\"\n"
             "\"Participant 123456\",\"José Ñúñez\",jose@example.org,\"Submitted for grading - "
             "1 hour 10 mins late\",,100.00,Yes,\"Monday, 7 December 2026, 6:10 PM\",-,\n"
             "\"Participant 123457\",\"王小明\",wang@example.org,\"No submission\",,100.00,Yes,"
             "-,-,\n")


def test_submission_times_from_moodles_grading_worksheet_or_a_plain_csv(tmp_path):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("\ufeff" + WORKSHEET, encoding="utf-8")
    assert late.read_times(str(sheet)) == {"123456": datetime(2026, 12, 7, 18, 10)}
    plain = tmp_path / "times.csv"
    plain.write_text("lms_id,submitted\nghopper,2026-12-07 16:00\nwxm,\n")
    assert late.read_times(str(plain)) == {"ghopper": datetime(2026, 12, 7, 16)}
    plain.write_text("lms_id,submitted\nghopper,yesterday\n")
    with pytest.raises(ValueError, match="line 2: could not read the time 'yesterday'"):
        late.read_times(str(plain))
    plain.write_text("who,when\nx,y\n")
    with pytest.raises(ValueError, match="argument 'times'.*neither"):
        late.read_times(str(plain))
