"""Pure risk rules, table-driven and property-based. No database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samvirke.risk import domain

BANDS = domain.cells_by_score({"green": (1, 4), "yellow": (5, 12), "red": (15, 25)})
CELLS = domain.band_map(BANDS)
positions = st.integers(min_value=1, max_value=5)


@pytest.mark.parametrize(
    ("likelihood", "consequence", "score", "colour"),
    [(1, 1, 1, "green"), (2, 2, 4, "green"), (1, 5, 5, "yellow"), (3, 4, 12, "yellow"),
     (3, 5, 15, "red"), (5, 5, 25, "red"), (4, 1, 4, "green")],
)  # fmt: skip
def test_score_and_colour(likelihood, consequence, score, colour):
    assert domain.risk_score(likelihood, consequence) == score
    assert domain.colour_for(CELLS, likelihood, consequence) == colour


@pytest.mark.parametrize("bad", [0, 6, -1, None, "3", 2.0, True])
def test_out_of_scale_positions_are_refused(bad):
    with pytest.raises(domain.ScaleError):
        domain.risk_score(bad, 3)
    with pytest.raises(domain.ScaleError):
        domain.risk_score(3, bad)


@pytest.mark.parametrize(
    ("before", "dl", "dc", "after"),
    [((5, 5), 0, 0, (5, 5)), ((5, 5), 1, 0, (4, 5)), ((4, 3), 2, 1, (2, 2)), ((2, 2), 4, 4, (1, 1))],
)
def test_residual_risk(before, dl, dc, after):
    result = domain.residual(domain.Position(*before), likelihood_steps=dl, consequence_steps=dc)
    assert (result.likelihood, result.consequence) == after


def test_a_measure_cannot_raise_risk():
    with pytest.raises(domain.ScaleError):
        domain.reduce(3, -1)


def test_bands_must_cover_every_cell_once():
    with pytest.raises(domain.ScaleError, match="without a band"):
        domain.band_map({"green": [[1, 1]]})
    with pytest.raises(domain.ScaleError, match="two bands"):
        domain.band_map({**BANDS, "extra": [[1, 1]]})


def test_combined_consequence_is_the_worst():
    assert domain.combined_consequence([2, None, 4, 1]) == 4
    assert domain.combined_consequence([None]) is None


@given(positions, positions, st.integers(0, 6), st.integers(0, 6))
def test_residual_never_leaves_the_scale_or_raises_the_score(likelihood, consequence, dl, dc):
    before = domain.Position(likelihood, consequence)
    after = domain.residual(before, likelihood_steps=dl, consequence_steps=dc)
    assert 1 <= after.likelihood <= likelihood and 1 <= after.consequence <= consequence
    assert after.score <= before.score


@given(positions, positions)
def test_colour_is_monotonic(likelihood, consequence):
    order = {"green": 0, "yellow": 1, "red": 2}
    here = order[domain.colour_for(CELLS, likelihood, consequence)]
    if likelihood < 5:
        assert order[domain.colour_for(CELLS, likelihood + 1, consequence)] >= here
    if consequence < 5:
        assert order[domain.colour_for(CELLS, likelihood, consequence + 1)] >= here


def test_matrix_grid_places_items():
    grid = domain.matrix_grid([(5, 1, "a"), (5, 1, "b"), (1, 5, "c")])
    assert len(grid) == 25 and grid[(5, 1)] == ["a", "b"] and grid[(1, 5)] == ["c"]
