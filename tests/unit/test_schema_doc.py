"""geodata/SCHEMA.md documents every layer, field and code of dashboard/model/schema.py."""

import pytest

from dashboard import i18n
from dashboard.model import schema
from tests.support.paths import ROOT

DOC = (ROOT / "geodata" / "SCHEMA.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("layer", schema.LAYERS.values(), ids=lambda layer: layer.name)
def test_every_field_is_documented(layer):
    assert f"`{layer.name}`" in DOC
    missing = [f.name for f in layer.fields if f"| `{f.name}` |" not in DOC]
    assert missing == []


@pytest.mark.parametrize(
    "codes",
    [
        schema.SECTORS,
        schema.CATEGORIES,
        schema.TARGET_GROUPS,
        schema.LEVELS,
        schema.OWNER_TYPES,
        schema.COOPERATION_KINDS,
        schema.AREA_LEVELS,
    ],
)
def test_every_code_is_documented_and_translated(codes):
    assert [c for c in codes if f"`{c}`" not in DOC] == []
    for lang in i18n.LANGUAGES:
        assert [c for c in codes if f"code.{c}" not in i18n.messages(lang)] == []


def test_catalog_languages_have_the_same_keys():
    assert set(i18n.messages("de")) == set(i18n.messages("en"))


def test_private_fields_are_the_contact_fields():
    private = {(layer.name, f.name) for layer in schema.LAYERS.values() for f in layer.fields if f.private}
    assert private == {("actors", "contact"), ("offers", "contact")}
