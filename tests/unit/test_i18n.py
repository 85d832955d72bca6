"""The catalog: well-formed .po files, both languages alike, every used key there and every key used; locale formats."""

import ast
import re
import string
from io import BytesIO

import numpy as np
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dashboard import i18n
from tests.support.paths import ROOT

SOURCES = [
    path
    for path in [*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    if "i18n" not in path.relative_to(ROOT).parts
]
LITERAL_KEY = re.compile(r"\bt\(\s*\"([a-z_]+\.[a-z0-9_.]+)\"")
# Keys the code builds from a prefix and a value (f"code.{code}", f"val.layer.{name}", …): all count as used.
DYNAMIC_PREFIXES = (
    *("actors.entry.", "actors.facet.", "actors.view.", "band.", "classify.", "code.", "edit.action.", "edit.field."),
    *("gap.click.", "gap.component.", "gap.distance.", "gap.layer.", "gap.offer.", "gap.view.", "layer."),
    "gap.place.kind.",
    *("load.coordinates.", "load.count.", "load.export.", "load.mode.", "load.target.", "map.layer.", "map.measure."),
    *(
        "need.",
        "net.layout.",
        "opp.place.",
        "pf.section.",
        "sites.candidates.",
        "sites.solver.",
        "val.dwellings.",
        "val.layer.",
        "val.severity.",
        "val.target.",
    ),
)
TRANSLATORS = {"t": False, "tn": True, "phrase": False, "nphrase": True, "Phrase": None}


def _catalog(lang):
    with i18n.po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def _trees():
    return [ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES]


def _strings():
    """Every string constant in the code, and the literal heads of keys built at run time."""
    literals, prefixes = set(), set()
    for tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(node.values[0].value)
    return literals, {p for p in prefixes if re.fullmatch(r"[a-z_]+\.(?:[a-z0-9_]+\.)*", p)}


def placeholders(text):
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})


def forms(text):
    return (text,) if isinstance(text, str) else tuple(text)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_po_files_parse_check_and_compile(lang):
    catalog = _catalog(lang)
    assert catalog.locale.language == lang and catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    assert [(m.context, errors) for m, errors in catalog.check()] == []
    contexts = [m.context for m in catalog if m.id]
    assert None not in contexts and len(contexts) == len(set(contexts))
    write_mo(BytesIO(), catalog)


def test_every_message_is_in_both_languages_german_as_source():
    german, english = (_catalog(lang) for lang in ("de", "en"))
    by_key = {lang: {m.context: m for m in cat if m.id} for lang, cat in (("de", german), ("en", english))}
    assert set(by_key["de"]) == set(by_key["en"]) and len(by_key["de"]) > 500
    for key, message in by_key["de"].items():
        assert message.string == message.id, key  # msgstr repeats the German msgid
        other = by_key["en"][key]
        assert other.id == message.id and all(forms(other.string)), key
        assert len(forms(other.string)) == len(forms(other.id)), key
    assert i18n.messages("de").keys() == i18n.messages("en").keys()


def test_the_template_holds_every_message_untranslated_and_no_file_has_a_damaged_entry():
    """Branches append to the catalogs and git merges them by union; a merge that drops or doubles a line
    would leave an entry without msgstr or with two msgids, which babel otherwise only warns about."""
    for path in [i18n.po_path(lang) for lang in i18n.LANGUAGES]:
        with path.open("rb") as f:
            read_po(f, abort_invalid=True)
    with (ROOT / "dashboard" / "i18n" / "locale" / "messages.pot").open("rb") as f:
        template = read_po(f, abort_invalid=True)
    german = {m.context: m.id for m in _catalog("de") if m.id}
    assert {m.context: m.id for m in template if m.id} == german
    assert all(not any(forms(m.string)) for m in template if m.id)


def test_both_languages_fill_the_same_placeholders_in_every_form():
    """An English text needs the values its German text gets, no more and no fewer; each plural form alike."""
    flags = {m.context: m.flags for m in _catalog("de") if m.id}
    for key, german in i18n.messages("de").items():
        expected = placeholders(forms(german)[0])
        for lang in i18n.LANGUAGES:
            for form in forms(i18n.messages(lang)[key]):
                assert placeholders(form) == expected, (key, lang, form)
        if expected:
            assert "python-brace-format" in flags[key], key


def test_plural_forms_follow_the_count():
    assert i18n.tn("load.import", 1, "de", rows=1) == "1 gültige Zeile laden"
    assert i18n.tn("load.import", 2, "de", rows=2) == "2 gültige Zeilen laden"
    assert i18n.tn("load.import", 0, "de", rows=0) == "0 gültige Zeilen laden"
    assert i18n.tn("load.import", 1, "en", rows=1) == "Load 1 valid row"
    assert i18n.tn("load.import", 1, "fr", rows=1) == "1 gültige Zeile laden"  # unknown language → German
    assert i18n.tn("edit.map.caption", 1, "en").startswith("1 entry on the map.")  # {n} is the count unless given
    assert i18n.nphrase("read.formula_cells", 1, count=1).text("en").startswith("1 cell starts")
    with pytest.raises(TypeError, match="tn"):
        i18n.t("load.import", "de", rows=3)
    with pytest.raises(TypeError, match="t\\(\\)"):
        i18n.tn("map.heading", 3, "de", city="X")


def test_unknown_key_raises():
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    assert not i18n.has("no.such.key") and i18n.has("map.heading")


def test_every_literal_key_in_the_code_is_in_the_catalog():
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 300, "the scan found too few keys – the pattern is broken"
    assert sorted(key for key in used if not i18n.has(key)) == []


def test_keys_given_to_t_tn_and_phrases_exist_with_or_without_a_count():
    """t/phrase take a message without a count, tn/nphrase one with plural forms."""
    wrong, seen = [], 0
    for tree in _trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            key = node.args[0].value
            if name not in TRANSLATORS or not isinstance(key, str):
                continue
            seen += 1
            if not i18n.has(key):
                wrong.append((key, "missing"))
            elif TRANSLATORS[name] is not None and isinstance(i18n.messages("de")[key], tuple) != TRANSLATORS[name]:
                wrong.append((key, name))
    assert seen > 500 and wrong == []


def test_every_message_is_used_by_some_code():
    """Unused messages are deleted: each key is written out in the code or built from an allowed prefix."""
    literals, built = _strings()
    assert set(DYNAMIC_PREFIXES) <= built, "a prefix of the allow-list is no longer built by any code"
    unused = [key for key in i18n.messages("de") if key not in literals and not key.startswith(DYNAMIC_PREFIXES)]
    assert unused == []


@pytest.mark.parametrize(
    ("lang", "number", "share", "decimal"),
    [("de", "12.345", "37 %", "3,5"), ("en", "12,345", "37%", "3.5")],
)
def test_numbers_follow_the_locale(lang, number, share, decimal):
    assert i18n.fmt_int(12345.4, lang) == number
    assert i18n.fmt_share(0.37, lang).replace("\xa0", " ") == share
    assert i18n.fmt_num(3.46, lang, digits=1) == decimal


#: Figures where writing them goes wrong first: halves (Babel rounds the decimal of ``str(value)`` half to even,
#: where ``format`` would round the binary float), negative zero, groups, infinity.
EDGE_FIGURES = [0, 0.5, 1.5, 2.5, -0.5, -2.5, -0.04, -0.0, 0.125, 2.675, 0.005, 0.015, 0.995, 1 / 3, 7, 999.5]
EDGE_FIGURES += [1234.5, -1234.5, 999999.95, 123456789.123, 1e9, 1e-7, float("inf"), -float("inf")]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_figures_are_written_as_babel_writes_them(lang):
    """The fast number formats give Babel's text, rounding included."""
    from babel import Locale
    from babel.numbers import parse_pattern

    locale = Locale.parse({"de": "de_DE", "en": "en_GB"}[lang])
    spread = [x * 10.0**e for e in range(-3, 8) for x in (1.005, 2.345, 6.785, 9.995, -3.125, -0.45)]
    rng = np.random.default_rng(7)  # figures as the analysis makes them: numpy floats, halves among them
    spread += list(rng.uniform(-2e6, 2e6, 300)) + list(rng.integers(-3000, 3000, 100) / 2) + [np.float64(-0.0)]
    shares = list(rng.uniform(0, 1, 300)) + [k / 2000 for k in range(-40, 2001, 7)]  # ties of per cent among them
    spread += shares + [float(np.nextafter(v, side)) for v in shares[-40:] for side in (-1.0, 2.0)]  # beside ties
    for value in EDGE_FIGURES + spread:
        for digits in (0, 1, 2):
            want = parse_pattern("#,##0." + "0" * digits).apply(value, locale)
            assert i18n.fmt_num(value, lang, digits) == want, (value, digits)
        assert i18n.fmt_share(value, lang) == locale.percent_formats[None].apply(value, locale), value
        if value not in (float("inf"), -float("inf")):
            assert i18n.fmt_int(value, lang) == parse_pattern("#,##0").apply(round(value), locale), value


def test_a_figure_rounded_for_the_browser_is_the_figure_of_our_text():
    """A table whose browser writes its figures gets them rounded as we round them: the same digits as our text."""
    rng = np.random.default_rng(11)
    values = EDGE_FIGURES[:-2] + list(rng.uniform(-2e4, 2e4, 200)) + [k / 2000 for k in range(0, 2001, 3)]
    for value in values:
        for digits in (0, 1):
            text = i18n.fmt_num(value, "en", digits).replace(",", "")
            assert i18n.rounded(value, digits) == float(text), (value, digits)
        assert i18n.rounded(value, 2) * 100 == pytest.approx(
            float(i18n.fmt_share(value, "en").rstrip("%").replace(",", ""))
        )
    assert np.isnan(i18n.rounded(float("nan"), 1)) and i18n.rounded(float("inf")) == float("inf")
    assert i18n.locale_tag("de") == "de-DE" and i18n.locale_tag("en") == "en-GB"


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
        assert sorted((literal | built) - set(i18n.messages(lang))) == []


def test_short_counts_for_narrow_tiles():
    from dashboard.i18n import fmt_short

    assert fmt_short(3_897_145, "de").replace("\xa0", " ") == "3,9 Mio." and fmt_short(3_897_145, "en") == "3.9M"
    assert fmt_short(245_123, "de") == "245.123" and fmt_short(None, "de") == "–"
