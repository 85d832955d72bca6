"""Widgets built from the view spec (``dashboard.model.viewspec``): label, range, options and default
come from the one spec, so a widget cannot disagree with the share link or the engine."""

from __future__ import annotations

from typing import Any

from dashboard.i18n import code_label, t
from dashboard.model.viewspec import Setting
from dashboard.web.session import lang


def number_input(where: Any, setting: Setting, key: str, default: float | None = None) -> float:
    """A number within the setting's range (``default`` overrides the spec's, e.g. a target group's threshold)."""
    value = setting.default if default is None else default
    assert setting.low is not None and setting.high is not None and setting.step is not None  # a number's range
    cast = int if isinstance(setting.default, int) else float
    return where.number_input(
        t(setting.label_key, lang()),
        cast(setting.low),
        cast(setting.high),
        cast(value),
        cast(setting.step),
        key=key,
    )


def slider(where: Any, setting: Setting, key: str, **options: Any) -> float:
    return where.slider(
        t(setting.label_key, lang()), setting.low, setting.high, setting.default, setting.step, key=key, **options
    )


def codes_picker(where: Any, setting: Setting, key: str) -> list[str]:
    """Several codes of the data model, all chosen by default."""
    lg = lang()
    return where.multiselect(
        t(setting.label_key, lg),
        setting.options,
        default=list(setting.default),
        format_func=lambda c: code_label(c, lg),
        key=key,
    )


def code_choice(where: Any, setting: Setting, key: str) -> str:
    """One code of the data model."""
    lg = lang()
    return where.selectbox(
        t(setting.label_key, lg),
        setting.options,
        index=setting.options.index(setting.default),
        format_func=lambda c: code_label(c, lg),
        key=key,
    )


def level_slider(where: Any, setting: Setting, key: str) -> str:
    """The minimum participation level, on the ordered scale of levels."""
    lg = lang()
    return where.select_slider(
        t(setting.label_key, lg),
        setting.options,
        value=setting.default,
        format_func=lambda c: code_label(c, lg),
        key=key,
    )
