"""axe-core in a Playwright page and in every frame inside it: the WCAG 2.1 A/AA violations, named.

axe is injected from the local copy (``make setup``; the browser tests allow no request to another
host) into each frame, runs there on its part of the page (``runPartial``), and the top frame joins
the parts (``finishRun``), so rules about frames themselves (a frame's title) and the page as a whole
(its language) are judged as axe means them. Usage::

    wait_idle(page)
    assert_no_violations(page)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from dashboard.maps import assets
from tests.support.paths import ROOT

VENDOR = ROOT / "static" / "vendor"
AXE_JS = VENDOR / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}}
#: The whole page: nothing of Streamlit's own had to be left out.
WHOLE_PAGE = {"exclude": []}


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help}\n    " + "\n    ".join(self.targets)


#: Streamlit fades the elements of a run still going (``data-stale``) and fades them back in: contrast measured
#: meanwhile is not the page's. The app's caption style (``entry.readable_captions``) arrives with the run's
#: other elements, possibly after the captions themselves: measured before, a caption is still Streamlit's faint one.
STILL = """() => !document.querySelector('[data-stale="true"]')
    && !document.getAnimations().some(a => a instanceof CSSTransition && a.playState === 'running')
    && [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .every(e => getComputedStyle(e).opacity === '1')"""


def _ensure_axe(frame) -> None:
    if not frame.evaluate("() => typeof window.axe === 'object'"):
        frame.add_script_tag(path=str(AXE_JS))


def _partials(frame, context: dict) -> list:
    """axe's partial results of ``frame`` and, depth first, of the frames inside it (axe's own order)."""
    _ensure_axe(frame)
    frame_contexts = frame.evaluate("context => axe.utils.getFrameContexts(context)", context)
    partials = [frame.evaluate("([context, options]) => axe.runPartial(context, options)", [context, OPTIONS])]
    for child in frame_contexts:
        handle = frame.locator(_selector(child["frameSelector"])).element_handle()
        child_frame = handle.content_frame() if handle else None
        if child_frame is None:  # a frame removed meanwhile: axe counts it as not tested
            partials.append(None)
            continue
        partials.extend(_partials(child_frame, child["frameContext"]))
    return partials


def _selector(frame_selector) -> str:
    """axe names a frame by a CSS selector, or a list of them when it lies in shadow DOM."""
    return " >> ".join(frame_selector) if isinstance(frame_selector, list) else frame_selector


def violations(page) -> list[Violation]:
    """The WCAG 2.1 A/AA violations of the page and all its frames."""
    if not assets.installed(VENDOR, assets.TESTS):
        message = f"axe-core fehlt in {VENDOR}: `make setup` holt es (python -m dashboard assets --test)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page.wait_for_function(STILL)
    partials = _partials(page.main_frame, WHOLE_PAGE)
    results = page.main_frame.evaluate("([partials, options]) => axe.finishRun(partials, options)", [partials, OPTIONS])
    return [
        Violation(
            rule["id"],
            rule["impact"],
            rule["help"],
            tuple(_described(node) for node in rule["nodes"]),
        )
        for rule in results["violations"]
    ]


def _described(node: dict) -> str:
    """Where (frame >> element) and axe's own finding, e.g. the contrast measured and the colours."""
    findings = [check["message"] for check in node["any"] + node["all"] + node["none"]]
    return " >> ".join(map(str, node["target"])) + "".join(f"\n      {finding}" for finding in findings[:1])


def assert_no_violations(page) -> None:
    found = violations(page)
    assert not found, f"axe: {len(found)} Regelverstöße auf {page.url}\n" + "\n".join(map(str, found))
