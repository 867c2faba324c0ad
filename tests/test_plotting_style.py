"""The book's line colours: the first curves of a figure stay apart for colour-blind readers."""
from __future__ import annotations

import itertools

import matplotlib as mpl
import numpy as np
import pytest

from rnnlib.plotting import style

# Colour-vision deficiencies simulated at full severity (Machado, Oliveira & Fernandes 2009),
# as 3x3 matrices on linear RGB.
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
# Hue families of the Okabe-Ito colours: two of a family look alike on a thin line.
FAMILY = {"blue": "blue", "sky": "blue", "orange": "orange", "vermillion": "orange",
          "yellow": "orange", "green": "green", "purple": "purple", "black": "black"}


def _lab(hex_colour: str, matrix) -> np.ndarray:
    srgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(matrix @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_eight_distinct_colours_then_wrap():
    colours = [style.colour(i) for i in range(9)]
    assert len(set(colours[:8])) == 8 and colours[8] == colours[0]
    assert set(colours[:8]) == set(style.PALETTE.values())


def test_first_five_colours_come_from_five_hue_families():
    # chapter 5 draws rho = 0.5, 0.9, 1.0, 1.1, 1.5: the first and the fifth were blue and sky
    assert len({FAMILY[name] for name in style.ORDER[:5]}) == 5
    assert style.ORDER[-1] == "yellow"          # faint on white: only for an eighth curve


@pytest.mark.parametrize("vision", list(CVD))
def test_first_five_colours_stay_apart_under_colour_blindness(vision):
    names = style.ORDER[:5]
    worst = min(np.linalg.norm(_lab(style.PALETTE[a], CVD[vision]) - _lab(style.PALETTE[b], CVD[vision]))
                for a, b in itertools.combinations(names, 2))
    assert worst > 15, f"two of the first five colours differ by only ΔE {worst:.1f} under {vision}"


def test_book_style_cycles_in_the_same_order():
    with mpl.rc_context():
        style.use_book_style()
        cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle == [style.colour(i) for i in range(8)]


@pytest.mark.parametrize("bad, error", [("a", TypeError), (-1, ValueError)])
def test_colour_names_a_bad_index(bad, error):
    with pytest.raises(error, match="argument 'i'"):
        style.colour(bad)
