"""The catalog: every key the code asks for exists in both languages; locale formats."""

import re
from pathlib import Path

import pytest

from dashboard import i18n

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("dashboard/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
LITERAL_KEY = re.compile(r"\bt\(\s*\"([a-z_]+\.[a-z0-9_.]+)\"")


def test_every_literal_key_in_the_code_is_in_the_catalog():
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys – the pattern is broken"
    for lang in i18n.LANGUAGES:
        assert sorted(used - set(i18n.CATALOG[lang])) == []


@pytest.mark.parametrize(
    ("lang", "number", "share", "decimal"),
    [("de", "12.345", "37 %", "3,5"), ("en", "12,345", "37%", "3.5")],
)
def test_numbers_follow_the_locale(lang, number, share, decimal):
    assert i18n.fmt_int(12345.4, lang) == number
    assert i18n.fmt_share(0.37, lang).replace("\xa0", " ") == share
    assert i18n.fmt_num(3.46, lang, digits=1) == decimal


def test_missing_values_show_a_dash():
    assert i18n.fmt_int(None) == i18n.fmt_share(float("nan")) == i18n.fmt_num(None) == "–"


def test_placeholders_and_fallback():
    assert i18n.t("map.heading", "en", city="Musterstadt") == "Map: Musterstadt"
    assert i18n.t("map.heading", "fr", city="X") == "Karte: X"  # unknown language → German
    assert i18n.code_label("senioren", "en") == "Seniors"
    assert i18n.code_label("unbekannt") == "unbekannt"
    assert i18n.fmt_date("2026-06-30", "de") == "30.06.2026"
