"""Pure risk rules: scores, colour bands, residual risk and scale checks. No ORM, plain data.

Positions are 1-based indices into a scale (likelihood class 1 = A … 5 = E; consequence level 1 = lowest).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SCALE_SIZE = 5
COLOURS = ("green", "yellow", "red")


class ScaleError(ValueError):
    """A score outside the scale, or a set of bands that does not cover the matrix exactly once."""


def check_position(position: int | None, size: int = SCALE_SIZE) -> int:
    if position is None or isinstance(position, bool) or not isinstance(position, int):
        raise ScaleError(f"not a scale position: {position!r}")
    if not 1 <= position <= size:
        raise ScaleError(f"position {position} is outside the scale 1–{size}")
    return position


def risk_score(likelihood: int, consequence: int, size: int = SCALE_SIZE) -> int:
    """The 5×5 convention: likelihood index × consequence index, 1–25."""
    return check_position(likelihood, size) * check_position(consequence, size)


def combined_consequence(levels: Iterable[int | None]) -> int | None:
    """The combined matrix uses the worst consequence over all types (max); None if nothing is assessed."""
    assessed = [level for level in levels if level is not None]
    return max(assessed) if assessed else None


def cells_by_score(thresholds: Mapping[str, tuple[int, int]], size: int = SCALE_SIZE) -> dict[str, list]:
    """Cells per colour from inclusive score ranges, e.g. {"green": (1, 4), "yellow": (5, 12), ...}."""
    result: dict[str, list] = {colour: [] for colour in thresholds}
    for likelihood in range(1, size + 1):
        for consequence in range(1, size + 1):
            score = likelihood * consequence
            for colour, (low, high) in thresholds.items():
                if low <= score <= high:
                    result[colour].append([likelihood, consequence])
    return result


def band_map(
    bands: Mapping[str, Iterable[Iterable[int]]], size: int = SCALE_SIZE
) -> dict[tuple[int, int], str]:
    """{(likelihood, consequence): colour}; every cell must be in exactly one band."""
    cells: dict[tuple[int, int], str] = {}
    for colour, members in bands.items():
        for likelihood, consequence in members:
            key = (check_position(likelihood, size), check_position(consequence, size))
            if key in cells:
                raise ScaleError(f"cell {key} is in two bands ({cells[key]}, {colour})")
            cells[key] = colour
    if len(cells) != size * size:
        missing = sorted({(x, y) for x in range(1, size + 1) for y in range(1, size + 1)} - set(cells))
        raise ScaleError(f"cells without a band: {missing}")
    return cells


def colour_for(cells: Mapping[tuple[int, int], str], likelihood: int, consequence: int) -> str:
    return cells[(check_position(likelihood), check_position(consequence))]


def milder_cells(cells: Mapping[tuple[int, int], str], size: int = SCALE_SIZE) -> list[tuple[int, int]]:
    """Cells whose colour is milder than a cell with lower likelihood or lower consequence, e.g. a green
    cell above a yellow one: more risk must never look more acceptable. Empty for a sound matrix."""
    rank = {colour: n for n, colour in enumerate(COLOURS)}
    wrong = []
    for likelihood in range(1, size + 1):
        for consequence in range(1, size + 1):
            here = rank[cells[(likelihood, consequence)]]
            below = [(likelihood - 1, consequence), (likelihood, consequence - 1)]
            if any(key in cells and rank[cells[key]] > here for key in below):
                wrong.append((likelihood, consequence))
    return wrong


def reduce(position: int, steps: int) -> int:
    """A measure moves a position down by `steps`, never below the lowest class."""
    if steps < 0:
        raise ScaleError("a measure cannot increase risk")
    return max(1, check_position(position) - steps)


@dataclass(frozen=True)
class Position:
    likelihood: int
    consequence: int

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.consequence)


def residual(before: Position, *, likelihood_steps: int = 0, consequence_steps: int = 0) -> Position:
    """Residual risk after measures: each effect counts in whole scale steps."""
    return Position(
        reduce(before.likelihood, likelihood_steps), reduce(before.consequence, consequence_steps)
    )


def matrix_grid(positions: Iterable[tuple[int, int, object]], size: int = SCALE_SIZE) -> dict:
    """{(likelihood, consequence): [items]} for every cell, from (likelihood, consequence, item) triples."""
    grid: dict[tuple[int, int], list] = {(x, y): [] for x in range(1, size + 1) for y in range(1, size + 1)}
    for likelihood, consequence, item in positions:
        grid[(check_position(likelihood, size), check_position(consequence, size))].append(item)
    return grid


# --- comparing the same event type across municipalities -------------------------------------------------

#: An assessment this many scale steps or more from the median of the municipalities' assessments is marked
#: as an outlier. Outliers are only marked among three or more assessments: with two there is no majority.
OUTLIER_DISTANCE = 2
OUTLIER_MINIMUM = 3


def median(values: Iterable[int | None]) -> float | None:
    """The median of the assessed (not None) positions; None if nothing is assessed."""
    assessed = sorted(v for v in values if v is not None)
    if not assessed:
        return None
    middle = len(assessed) // 2
    if len(assessed) % 2:
        return float(assessed[middle])
    return (assessed[middle - 1] + assessed[middle]) / 2


def spread(values: Iterable[int | None]) -> int | None:
    """How far the assessments disagree: max − min of the assessed positions; None below two assessments."""
    assessed = [v for v in values if v is not None]
    if len(assessed) < 2:
        return None
    return max(assessed) - min(assessed)


def outliers(values: Iterable[int | None], distance: int = OUTLIER_DISTANCE) -> list[bool]:
    """Per value: is it at least `distance` steps from the median (among three or more assessments)?"""
    values = list(values)
    centre = median(values)
    if centre is None or sum(v is not None for v in values) < OUTLIER_MINIMUM:
        return [False] * len(values)
    return [v is not None and abs(v - centre) >= distance for v in values]
