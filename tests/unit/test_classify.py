"""Map classes: quantiles on skewed figures, as a city's Quartiere often have them."""

import warnings

import pytest

from dashboard.analysis.classify import classify


def test_skewed_figures_get_fewer_quantile_classes_without_a_warning_in_the_log():
    values = [0.0] * 8 + [1.0, 2.0, 3.0, 4.0]  # two thirds of the Quartiere at 0
    with warnings.catch_warnings(record=True) as caught:
        classes = classify(values, k=5)
    assert not caught, [str(w.message) for w in caught]
    # Quintiles, interpolated between the 12 sorted values: 20 %, 40 %, 60 % fall among the zeros (positions 2.2,
    # 4.4, 6.6), 80 % at position 8.8 between 1 and 2, 100 % is the maximum: three distinct bounds, three classes.
    assert classes.bounds == pytest.approx((0.0, 1.8, 4.0))
    assert list(classes.index) == [0] * 8 + [1, 2, 2, 2]
