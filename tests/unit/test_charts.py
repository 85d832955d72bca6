"""Charts carry the reader's number format to Vega-Lite."""

import pandas as pd

from dashboard.reports import charts


def test_the_marginal_curve_writes_numbers_the_readers_way():
    curve = pd.DataFrame({"sites": [1, 2, 3], "greedy": [50_000.0, 80_000.0, 95_000.0]})
    german = charts.marginal_curve(curve, "de").to_dict()
    assert german["usermeta"]["embedOptions"]["formatLocale"] == {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", " €"],
    }
    assert german["encoding"]["y"]["axis"]["format"] == ",d"  # grouped whole numbers: "50.000"
    assert german["encoding"]["x"]["title"] == "neue Standorte"
    assert german["datasets"][german["data"]["name"]][0] == {"sites": 1, "residents": 50_000.0}
    english = charts.marginal_curve(curve, "en").to_dict()["usermeta"]["embedOptions"]["formatLocale"]
    assert (english["decimal"], english["thousands"]) == (".", ",")


def test_the_curves_figures_stand_beside_it_as_a_table():
    curve = pd.DataFrame(
        {"sites": [1, 2, 3], "greedy": [50_000.0, 80_000.0, 95_000.0], "gain": [50_000, 30_000, 15_000]}
    )
    table = charts.marginal_table(curve, "de")
    assert list(table.columns) == ["neue Standorte", *table.columns[1:]]
    assert table.values.tolist() == [[1, "50.000", "50.000"], [2, "80.000", "30.000"], [3, "95.000", "15.000"]]
