"""Lückenanalyse: Luftlinie against Fußweg is a second walking analysis, computed only when someone opens it."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString
from streamlit.testing.v1 import AppTest

from dashboard.store.gpkgfile import write_geopackage
from tests.support.factories import CRS, X0, Y0, tiny_workspace
from tests.support.paths import APP

LABEL = "Luftlinie und Fußweg im Vergleich"


def _grid_paths() -> gpd.GeoDataFrame:
    """Streets every 200 m across the tiny city, joined at shared vertices."""
    lines = []
    for i in range(11):
        lines.append(LineString([(X0 + i * 200, Y0 + j * 200) for j in range(11)]))
        lines.append(LineString([(X0 + j * 200, Y0 + i * 200) for j in range(11)]))
    return gpd.GeoDataFrame(
        {"path_id": [f"w{i}" for i in range(len(lines))], "highway": ["residential"] * len(lines)},
        geometry=lines,
        crs=CRS,
    )


@pytest.fixture
def gaps_page(tmp_path, monkeypatch):
    def open_(paths: bool) -> AppTest:
        path = tmp_path / f"kleinstadt-{paths}.gpkg"
        write_geopackage(tiny_workspace(**({"paths": _grid_paths()} if paths else {})), path)
        monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["p"] = "luecken"
        at.run()
        assert not at.exception
        return at

    return open_


def _comparison(at: AppTest):
    return next(e for e in at.expander if e.label == LABEL)


def test_the_comparison_waits_until_it_is_opened(gaps_page):
    at = gaps_page(paths=True)
    assert not _comparison(at).dataframe  # closed: nothing computed, nothing sent
    at.session_state["gap_methods_open"] = True  # what opening the expander does
    at.run()
    assert not at.exception
    opened = _comparison(at)
    frame = opened.dataframe[0].value
    assert len(frame) == 4 and any("Fußweg" in column for column in frame.columns)
    assert all(str(frame[column].dtype) == "Int64" for column in frame.columns[1:])  # sorted as numbers
    assert "Luftlinie:" in opened.markdown[0].value


def test_without_paths_there_is_no_comparison(gaps_page):
    at = gaps_page(paths=False)
    assert LABEL not in [e.label for e in at.expander]
