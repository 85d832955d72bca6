import numpy as np
import pytest

from dashboard.model import grid


def test_cell_id_names_the_south_west_corner():
    assert grid.cell_id(2691700, 4341100) == "CRS3035RES100mN2691700E4341100"
    assert grid.cell_id(np.int64(2691700), 4341100.0) == "CRS3035RES100mN2691700E4341100"


@pytest.mark.parametrize("north, east", [(2691750, 4341100), (2691700, 4341100.5), (-100, 4341100)])
def test_cell_id_rejects_points_off_the_grid(north, east):
    with pytest.raises(ValueError):
        grid.cell_id(north, east)


def test_parse_cell_id_round_trips():
    assert grid.parse_cell_id("CRS3035RES100mN2691700E4341100") == (2691700, 4341100)
    assert grid.parse_cell_id(grid.cell_id(100, 0)) == (100, 0)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "CRS3035RES1000mN2691000E4341000",  # 1 km grid
        "CRS3035RES100mN2691750E4341100",  # corner not on the grid
        "CRS3035RES100mE4341100N2691700",  # order swapped
        "crs3035res100mN2691700E4341100",
        " CRS3035RES100mN2691700E4341100",
        None,
    ],
)
def test_parse_cell_id_rejects_bad_ids(bad):
    with pytest.raises(ValueError):
        grid.parse_cell_id(bad)


def test_cell_centres_are_50_m_north_east_of_the_corner():
    centres = grid.cell_centres(["CRS3035RES100mN2691700E4341100", "CRS3035RES100mN2691800E4341000"])
    np.testing.assert_array_equal(centres, [[4341150.0, 2691750.0], [4341050.0, 2691850.0]])


def test_cell_centres_of_nothing_is_an_empty_n_by_2_array():
    assert grid.cell_centres([]).shape == (0, 2)


def test_cell_centres_rejects_a_bad_id():
    with pytest.raises(ValueError):
        grid.cell_centres(["CRS3035RES100mN2691700E4341100", "nonsense"])
