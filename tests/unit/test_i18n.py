"""The catalog: every key the code asks for exists in both languages; locale formats."""

import re
import string

import pytest

from dashboard import i18n
from tests.support.paths import ROOT

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


MESSAGE_MODULES = ["ingest/validation.py", "ingest/readers.py", "reports/gap_export.py", "cli.py"]
MESSAGE_KEY = re.compile(r"\"((?:val|file|cli)\.[a-z0-9_.]+)\"")


def test_message_keys_of_checks_files_and_cli_are_in_both_languages():
    """Keys written out in those modules and the ones they build (layer, severity, …) exist in de and en alike."""
    from dashboard.ingest import validation
    from dashboard.model import schema

    texts = [(ROOT / "dashboard" / name).read_text(encoding="utf-8") for name in MESSAGE_MODULES]
    literal = {key for text in texts for key in MESSAGE_KEY.findall(text)}
    built = {
        *(f"val.layer.{name}" for name in schema.LAYERS),
        *(f"val.severity.{severity}" for severity in (validation.ERROR, validation.WARNING)),
        *(f"val.target.{target}" for target in validation.REF_TARGETS.values()),
        *(f"val.dwellings.{column}" for column in ("subsidised", "barrier_free")),
        *validation.GEOS_REASONS.values(),
    }
    assert "val.unknown_code" in literal and "cli.gaps.summary" in literal
    for lang in i18n.LANGUAGES:
        assert sorted((literal | built) - set(i18n.CATALOG[lang])) == []


def test_both_languages_fill_the_same_placeholders():
    """An English text needs the values its German text gets, no more and no fewer."""

    def placeholders(text):
        return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})

    prefixes = ("val.", "file.", "cli.")
    for key, german in i18n.CATALOG["de"].items():
        if key.startswith(prefixes):
            assert placeholders(i18n.CATALOG["en"][key]) == placeholders(german), key


def test_short_counts_for_narrow_tiles():
    from dashboard.i18n import fmt_short

    assert fmt_short(3_897_145, "de").replace("\xa0", " ") == "3,9 Mio." and fmt_short(3_897_145, "en") == "3.9M"
    assert fmt_short(245_123, "de") == "245.123" and fmt_short(None, "de") == "–"
