"""rnnlib.report: what the chapters print and glue is the same on every CPU."""
import re

import numpy as np
import pytest

from rnnlib.report import (below, fmt, glue, glue_range, glued, power_of_ten, round_bound,
                           rounded, value_range)


def test_rounded_hides_the_last_bits_another_cpu_would_change():
    assert rounded(0.9988228508888337) == rounded(0.9988228508888338) == 0.9988
    assert rounded(123456.7, 3) == 123000.0


def test_no_signed_zero_survives():
    assert str(rounded(-1e-20 * 0.0)) == "0.0"
    assert str(rounded(-0.0)) == "0.0"
    assert fmt(-1e-9 * 0.0) == "0"
    arr = rounded(np.array([-0.0, -1e-30, 2.5]), 2)
    assert [str(v) for v in arr] == ["0.0", "-1e-30", "2.5"]


def test_fmt_plain_and_scientific():
    assert fmt(0.659001) == "0.6590"
    assert fmt(2.0, 3) == "2.00"
    assert fmt(1.23456e-7, 3) == "1.23e-07"
    assert fmt(-1234.5, 4) == "-1234" or fmt(-1234.5, 4) == "-1235"


def test_below_states_a_bound_and_refuses_a_false_one():
    assert below(3.1e-16, 1e-12) == "< 1e-12"
    with pytest.raises(AssertionError, match="not below"):
        below(2e-12, 1e-12)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (16, ValueError), (2.5, TypeError),
                                        (True, TypeError), ("3", TypeError)])
def test_digits_must_be_a_small_whole_number(bad, error):
    with pytest.raises(error, match="argument 'digits': expected an int >= 1 and <= 15"):
        rounded(1.0, bad)


def test_rounded_rejects_non_numbers_by_name():
    with pytest.raises(TypeError, match="argument 'x': expected a real number"):
        rounded(np.array(["a"]))
    with pytest.raises(TypeError, match=r"argument 'x': expected a single real number, got an "
                                        r"ndarray of shape \(2,\)"):
        fmt([1.0, 2.0])


@pytest.mark.parametrize("call, error, words", [
    (lambda: below(1e-16, 0), ValueError, "argument 'bound': expected a finite number > 0"),
    (lambda: glue(3, 1.0), TypeError, "argument 'name': expected a str"),
    (lambda: glue("a:b", 1.0), ValueError, "argument 'name': expected a non-empty name"),
    (lambda: glued[3], TypeError, "argument 'key': expected a str"),
])
def test_bad_arguments_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_source_can_leave_out_the_docstring():
    from rnnlib.report import source

    def f(x):
        """Doubles.

        Over two lines."""
        return 2 * x      # the body stays

    assert '"""' in source(f)
    assert source(f, docstring=False) == "def f(x):\n    return 2 * x      # the body stays\n"
    with pytest.raises(TypeError, match="argument 'func': expected a function"):
        source(3)


def test_glue_range_glues_both_ends_as_glue_would():
    ends = glue_range("t_acc", [0.8512, 0.8933, 0.8701], 2)
    assert (glued["t_acc_lo"], glued["t_acc_hi"]) == ("0.85", "0.89")
    assert ends == (0.85, 0.89) and f"{ends:.2f}" == "0.85..0.89"
    glue_range("t_count", np.array([[17, 25], [20, 19]]))       # whole numbers stay whole
    assert (glued["t_count_lo"], glued["t_count_hi"]) == ("17", "25")


@pytest.mark.parametrize("values, error, words", [
    ([], ValueError, "at least one number"), ([1.0, np.nan], ValueError, "nan at index (1,)"),
    (["a", "b"], TypeError, "real numbers"), ([True, False], TypeError, "real numbers")])
def test_glue_range_rejects_what_has_no_range(values, error, words):
    with pytest.raises(error, match=r"argument 'values'.*" + re.escape(words)):
        glue_range("t_bad", values)
    with pytest.raises(error, match=r"argument 'values'.*" + re.escape(words)):
        value_range(values)
    with pytest.raises(TypeError, match="argument 'name'"):
        glue_range(3, [1.0])


def test_value_range_is_what_glue_range_glues_and_prints_as_the_prose_quotes_it():
    values = np.array([[0.61333, 0.7817], [0.6449, 0.70004]])     # (seeds, bins), any shape
    shown = value_range(values)
    assert shown == (0.6133, 0.7817) and f"{shown:.2f}" == "0.61..0.78"
    assert glue_range("t_spread", values) == shown
    assert f"{glued['t_spread_lo:.2f']}..{glued['t_spread_hi:.2f']}" == f"{shown:.2f}"
    assert value_range([3, 11, 2]) == (2, 11) and isinstance(value_range([3, 11]).lo, int)
    with pytest.raises(ValueError, match="argument 'digits'"):
        value_range([1.0], 0)


@pytest.mark.parametrize("x, digits, text", [
    (8.4e-8, 1, "8 × 10⁻⁸"), (3.2e-7, 1, "3 × 10⁻⁷"), (-2.46e3, 2, "-2.5 × 10³"),
    (0.00049, 1, "5 × 10⁻⁴"), (7.0, 1, "7 × 10⁰"), (-0.0, 1, "0"), (0, 2, "0"),
    (1.7e308, 1, "2 × 10³⁰⁸"), (np.array(3e-8), 1, "3 × 10⁻⁸")])
def test_power_of_ten(x, digits, text):
    assert power_of_ten(x, digits) == text


@pytest.mark.parametrize("x, error", [
    (np.array([1.0, 2.0]), TypeError), ("1e-3", TypeError), (float("inf"), ValueError)])
def test_power_of_ten_rejects_what_is_not_one_finite_number(x, error):
    with pytest.raises(error, match="argument 'x'"):
        power_of_ten(x)


@pytest.mark.parametrize("x, digits, side, bound", [
    (0.8467, 2, "down", 0.84), (0.8467, 2, "up", 0.85), (0.84, 2, "down", 0.84),
    (0.84, 2, "up", 0.84), (4.6e-4, 1, "up", 5e-4), (5.3e-4, 1, "up", 6e-4),
    (0.0095, 1, "down", 0.009), (0.0105, 1, "up", 0.02), (-0.8467, 2, "down", -0.85),
    (0.996, 2, "up", 1.0), (0.0, 1, "up", 0.0), (-0.0, 1, "down", 0.0)])
def test_round_bound_rounds_to_the_side_a_bound_needs(x, digits, side, bound):
    got = round_bound(x, digits, side=side)
    assert got == bound and str(got) == str(bound)            # no signed zero either
    assert (got >= x) if side == "up" else (got <= x)


def test_round_bound_is_the_nearest_such_number():
    rng = np.random.default_rng(0)
    for x, digits in zip(rng.uniform(-1, 1, 500) * 10.0 ** rng.integers(-9, 5, 500),
                         rng.integers(1, 4, 500)):
        up, down = round_bound(x, int(digits)), round_bound(x, int(digits), side="down")
        assert down <= x <= up and rounded(up, int(digits)) == up and rounded(down, int(digits)) == down
        assert up - down <= 1.000001 * 10.0 ** (np.floor(np.log10(abs(x))) - digits + 1)


@pytest.mark.parametrize("call, error, name", [
    (lambda: round_bound(0.5, side="above"), ValueError, "side"),
    (lambda: round_bound(float("nan")), ValueError, "x"),
    (lambda: round_bound([0.5, 0.6]), TypeError, "x"),
    (lambda: round_bound(0.5, 0), ValueError, "digits")])
def test_round_bound_names_a_bad_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()


@pytest.mark.parametrize("name, error", [("", ValueError), ("a:b", ValueError), ("a`b", ValueError),
                                         (None, TypeError)])
def test_glue_range_checks_the_name_it_was_given(name, error):
    """The name is checked as given: "" must not pass as "_lo", and a bad one is quoted as the
    caller wrote it, not as "a:b_lo"."""
    with pytest.raises(error, match="argument 'name'") as info:
        glue_range(name, [1.0, 2.0])
    assert "_lo" not in str(info.value)


def test_power_of_ten_checks_digits_and_bools():
    with pytest.raises(ValueError, match="argument 'digits'"):
        power_of_ten(3e-8, 0)
    with pytest.raises(TypeError, match="argument 'x'"):
        power_of_ten(True)
