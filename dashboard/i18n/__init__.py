"""Every text a person reads, German first, English second – as gettext catalogs.

The texts live in ``locale/<lang>/LC_MESSAGES/messages.po``, so translators can use the
usual tools: German is the source language, ``msgctxt`` is the key the code asks for,
``msgid`` the German text, ``msgstr`` the translation. Babel reads the files once per
process and compiles them in memory: there are no ``.mo`` files to build or forget.

``t(key, lang, **values)`` looks a text up and fills ``{placeholders}`` (``str.format``);
an unknown key raises ``KeyError``, an unknown language falls back to German.
``tn(key, n, lang, **values)`` is for a text shown with a count: ``n`` picks the plural
form ("1 gültige Zeile laden", "2 gültige Zeilen laden") and fills ``{n}`` unless given;
``t`` refuses a message with plural forms and ``tn`` one without (TypeError). A message as
a value is a ``Phrase``: ``phrase(key, **values)``, or ``nphrase(key, n, **values)`` with a count.
``has(key)`` and ``messages(lang)`` are for code that needs to know what is there.
Codes of the data model are looked up as ``code.<code>``. Numbers, shares and dates are
formatted with babel in the reader's locale (1.234,5 vs 1,234.5).
"""

from __future__ import annotations

import functools
import gettext
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from io import BytesIO
from pathlib import Path
from types import MappingProxyType

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, parse_pattern

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
_LOCALES = {"de": "de_DE", "en": "en_GB"}
LOCALE_DIR = Path(__file__).with_name("locale")


def po_path(lang: str) -> Path:
    """The catalog file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@functools.cache
def _load() -> tuple[dict[str, str | tuple[str, str]], dict[str, dict[str, str | tuple[str, ...]]], dict]:
    """German msgids by key, texts by language and key, and the compiled translations – read once."""
    ids: dict[str, str | tuple[str, str]] = {}
    texts: dict[str, dict[str, str | tuple[str, ...]]] = {}
    translations: dict[str, gettext.GNUTranslations] = {}
    for lang in LANGUAGES:
        with po_path(lang).open("rb") as f:
            catalog = read_po(f, locale=lang)
        texts[lang] = {}
        for message in catalog:
            if not message.id:
                continue
            key, msgid = str(message.context), message.id
            german = msgid if isinstance(msgid, str) else (msgid[0], msgid[1])
            if lang == DEFAULT_LANGUAGE:
                ids[key] = german
            # An empty translation means "as in German", as gettext has it.
            string = message.string if isinstance(message.string, str) else tuple(message.string or ())
            texts[lang][key] = string if any(string) else german
        mo = BytesIO()
        write_mo(mo, catalog)
        mo.seek(0)
        translations[lang] = gettext.GNUTranslations(mo)
    return ids, texts, translations


def _lookup(key: str, lang: str, plural: bool) -> tuple[gettext.GNUTranslations, str | tuple[str, str]]:
    ids, _, translations = _load()
    msgid = ids[key]  # an unknown key is a bug in the code: KeyError, as ever
    if isinstance(msgid, tuple) != plural:
        raise TypeError(f"{key} is shown with a count: use tn()" if not plural else f"{key} has no count: use t()")
    return translations.get(lang) or translations[DEFAULT_LANGUAGE], msgid


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to German), placeholders filled."""
    translation, msgid = _lookup(key, lang, plural=False)
    assert isinstance(msgid, str)  # _lookup refused a message with a count
    text = translation.pgettext(key, msgid)
    return text.format(**values) if values else text


def tn(key: str, n: int, /, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in the plural form for the count ``n``, placeholders filled (``{n}`` defaults to n)."""
    translation, msgid = _lookup(key, lang, plural=True)
    assert isinstance(msgid, tuple)  # _lookup refused a message without a count
    singular, plural = msgid
    return translation.npgettext(key, singular, plural, int(n)).format(**{"n": n, **values})


def has(key: str) -> bool:
    """Whether the catalog has a message ``key``."""
    return key in _load()[0]


def messages(lang: str) -> Mapping[str, str | tuple[str, ...]]:
    """All texts of ``lang`` by key, read-only: a string, or the plural forms of a message with a count."""
    return MappingProxyType(_load()[1][lang])


@functools.lru_cache(maxsize=4096)
def code_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Readable label of a data-model code; an unknown code is shown as it is (kept: a map asks per offer)."""
    key = f"code.{code}"
    return t(key, lang) if has(key) else code


def number_symbols(lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The locale's decimal and thousands separators, for number formats outside Babel (charts drawn by Vega)."""
    symbols = _locale(lang).number_symbols["latn"]
    return symbols["decimal"], symbols["group"]


@functools.cache
def _locale(lang: str) -> Locale:
    """Parsed once: Babel's ``format_decimal`` parses the locale and the pattern on every call, which was most of
    the time of a ranking table's figures (4× the formatting itself)."""
    return Locale.parse(_LOCALES[lang])


@dataclass(frozen=True)
class _NumberFormat:
    """A Babel number pattern of a locale taken apart once, so a figure is written by ``format`` alone.

    Babel's ``NumberPattern.apply`` was a tenth of the server's time for a view nobody had opened (its tooltips
    and ranking table write a thousand figures). The rounding is Babel's (the decimal of ``str(value)``, half to
    even), so the text is the same (tested against Babel)."""

    prefixes: tuple[str, str]  # positive, negative
    suffixes: tuple[str, str]
    scale: int  # 2 for per cent
    digits: int
    separators: dict[int, str]  # str.translate table: "," → group, "." → decimal
    infinity: str

    @classmethod
    @functools.cache
    def of(cls, lang: str, pattern: str | None) -> _NumberFormat:
        """``pattern``, or the locale's percent pattern for None."""
        parsed = _locale(lang).percent_formats[None] if pattern is None else parse_pattern(pattern)
        decimal_sign, group = number_symbols(lang)
        if parsed.frac_prec[0] != parsed.frac_prec[1] or parsed.grouping != (3, 3):
            raise ValueError(f"not a fixed-point pattern with groups of three: {parsed.pattern}")
        return cls(
            prefixes=tuple(parsed.prefix),
            suffixes=tuple(parsed.suffix),
            scale=parsed.scale,
            digits=parsed.frac_prec[1],
            separators=str.maketrans({",": group, ".": decimal_sign}),
            infinity=_locale(lang).number_symbols["latn"]["infinity"],
        )

    def apply(self, value: float) -> str:
        if self.digits == 0 and self.scale == 0 and math.isfinite(value):
            # Whole numbers, most figures: rounding the float half to even is rounding its decimal so (a decimal
            # that ends in .5 is a float exactly; any other float lies on the same side of .5 as its decimal).
            text = f"{abs(round(value)):,}"
            negative = int(math.copysign(1.0, value) < 0)
            return self.prefixes[negative] + text.translate(self.separators) + self.suffixes[negative]
        decimal = str(value)
        if math.isfinite(value) and "e" not in decimal:
            return self._rounded(decimal)
        number = Decimal(decimal).scaleb(self.scale)
        negative = int(number.is_signed())
        if number.is_infinite():
            text = self.infinity
        else:
            text = f"{abs(number).quantize(Decimal(1).scaleb(-self.digits), rounding=ROUND_HALF_EVEN):,f}"
        return self.prefixes[negative] + text.translate(self.separators) + self.suffixes[negative]

    def _rounded(self, decimal: str) -> str:
        """``decimal`` (a float's text without exponent) scaled and rounded half to even in its digits, as
        ``Decimal`` would, in a third of the time: shares and rates with decimals are most of a ranking's figures."""
        negative = int(decimal.startswith("-"))
        whole, _, fraction = decimal.lstrip("-").partition(".")
        fraction = fraction.ljust(self.scale + self.digits, "0")
        kept, rest = int(whole + fraction[: self.scale + self.digits]), fraction[self.scale + self.digits :]
        if rest and (rest[0] > "5" or (rest[0] == "5" and (rest[1:].strip("0") or kept % 2))):
            kept += 1
        if self.digits:
            units, decimals = divmod(kept, 10**self.digits)
            text = f"{units:,}.{decimals:0{self.digits}d}"
        else:
            text = f"{kept:,}"
        return self.prefixes[negative] + text.translate(self.separators) + self.suffixes[negative]


def fmt_int(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Whole number with the locale's thousands separator; missing → '–'."""
    if value is None or value != value:
        return "–"
    return _NumberFormat.of(lang, "#,##0").apply(round(value))


def fmt_short(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A count for a narrow tile: whole below a million, else "3,9 Mio." (the exact figure goes beside it)."""
    if value is None or value != value or abs(value) < 1_000_000:
        return fmt_int(value, lang)
    return format_compact_decimal(value, format_type="short", fraction_digits=1, locale=_locale(lang))


def fmt_num(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int = 1) -> str:
    """Decimal number with ``digits`` decimals; missing → '–'."""
    if value is None or value != value:
        return "–"
    return _NumberFormat.of(lang, "#,##0." + "0" * digits if digits else "#,##0").apply(value)


def fmt_share(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Share 0..1 as a whole percentage ('37 %'); missing → '–'."""
    if value is None or value != value:
        return "–"
    return _NumberFormat.of(lang, None).apply(value)


def rounded(value: float, digits: int = 0) -> float:
    """``value`` rounded to ``digits`` decimals as ``fmt_int``, ``fmt_num`` and (with 2) ``fmt_share`` round it: for
    a table whose browser writes its figures, so that it sorts by them and writes the figures of our texts."""
    if not math.isfinite(value):
        return value
    if not digits:
        return float(round(value))
    return float(_NumberFormat.of("en", "#,##0." + "0" * digits).apply(value).replace(",", ""))


def locale_tag(lang: str = DEFAULT_LANGUAGE) -> str:
    """The locale of ``lang`` as a browser names it ("de-DE"), for figures that the browser writes."""
    return _LOCALES[lang].replace("_", "-")


def fmt_date(iso: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """ISO date as the reader writes it (25.11.2026); unparseable dates stay as they are."""
    try:
        return format_date(date.fromisoformat(iso), format="medium", locale=_locale(lang))
    except (TypeError, ValueError):
        return iso or "–"


# Messages as values: a key and its placeholders, rendered in the reader's language when shown.
Values = tuple[tuple[str, object], ...]


def render(key: str, values: Values, lang: str = DEFAULT_LANGUAGE, count: int | None = None) -> str:
    """Catalog text ``key`` in ``lang`` with ``values`` filled in, phrases among them in the same language.

    ``count`` picks the plural form of a message shown with a count (see ``tn``).
    """
    filled = {name: v.text(lang) if isinstance(v, Phrase) else v for name, v in values}
    return t(key, lang, **filled) if count is None else tn(key, count, lang, **filled)


@dataclass(frozen=True)
class Phrase:
    """A catalog text with its values: a message, or a part of one (a hint, a label); ``count`` as for ``tn``."""

    key: str
    values: Values = ()
    count: int | None = None

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return render(self.key, self.values, lang, self.count)


def phrase(key: str, **values: object) -> Phrase:
    """A ``Phrase`` from keyword values."""
    return Phrase(key, tuple(values.items()))


def nphrase(key: str, n: int, /, **values: object) -> Phrase:
    """A ``Phrase`` of a message shown with the count ``n`` (see ``tn``)."""
    return Phrase(key, tuple(values.items()), int(n))
