"""Standortplanung: the page's choices, the cached solvers and the panels that explain the answer.

The analysis settings are the Lückenanalyse's own (same widgets, same keys), so the sites answer
exactly the gap the planner was looking at, and "ins Szenario übernehmen" carries them back there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.analysis import gaps, siting
from dashboard.analysis.city import City
from dashboard.i18n import code_label, fmt_int, fmt_share, t, tn
from dashboard.ingest.candidates import read_candidates
from dashboard.ingest.readers import LayerFileError
from dashboard.ingest.validation import ERROR, Problem
from dashboard.model import viewspec
from dashboard.model.scenario import Scenario
from dashboard.web import jobs, luecken_widgets
from dashboard.web.cache_keys import HASH_FUNCS
from dashboard.web.controls import number_input
from dashboard.web.session import Loaded, lang, settings
from dashboard.web.signin import current_user
from dashboard.web.uploads import saved_upload

#: The exact solver's time limit on the page: long enough for a city, short enough to wait for.
PAGE_TIME_LIMIT_S = 30.0
#: How long the page waits for the exact answer before it shows greedy's, with the progress and "Abbrechen".
INLINE_WAIT_S = 2.0
#: How often the progress is redrawn while the exact answer is computed.
POLL_S = 0.5
#: Session key: the exact computation the planner abandoned (greedy's answer stands until they ask again).
ABANDONED = "sites_abandoned"


@dataclass(frozen=True)
class SiteChoice:
    """What the planner asked: how many sites, from which candidates, by which solver, with how many places."""

    sites: int
    candidates: str
    solver: str
    places: int = 0  # per new site; 0: no limit


def site_controls() -> SiteChoice:
    """N, places, candidates and solver, in one row above the results."""
    lg = lang()
    spec = viewspec
    number, places, source, solver = st.columns(4)
    n = int(number_input(number, spec.NEW_SITES, "sites_" + spec.NEW_SITES.name))
    capacity = int(number_input(places, spec.SITE_CAPACITY, "sites_" + spec.SITE_CAPACITY.name))
    places.caption(t("sites.capacity.help", lg))
    # an own list is an upload to the server: for signed-in editors only
    sources = spec.CANDIDATES.options if current_user().is_editor else (spec.CANDIDATES.default,)
    candidates = source.radio(
        t(spec.CANDIDATES.label_key, lg),
        sources,
        format_func=lambda c: t(f"sites.candidates.{c}", lg),
        key="sites_" + spec.CANDIDATES.name,
    )
    method = solver.radio(
        t(spec.SOLVER.label_key, lg),
        spec.SOLVER.options,
        format_func=lambda m: t(f"sites.solver.{m}", lg),
        key="sites_" + spec.SOLVER.name,
        disabled=capacity > 0,  # places are assigned by the exact model only
    )
    return SiteChoice(n, candidates, method, capacity)


def _problem_lines(problems: list[Problem], lg: str) -> str:
    return "\n".join(
        f"- {t('cli.problem.row', lg, row=p.row) + ': ' if p.row else ''}{p.text(lg)}" for p in problems[:20]
    )


def candidate_list(city: City, bezirk: str | None, choice: SiteChoice) -> pd.DataFrame | None:
    """The candidates: populated cells, or the points of an uploaded list (None while there is none or it is bad);
    with places per site, every candidate without its own capacity has that many."""
    found = _candidates(city, bezirk, choice)
    return siting.with_places(found, choice.places) if found is not None and choice.places else found


def _candidates(city: City, bezirk: str | None, choice: SiteChoice) -> pd.DataFrame | None:
    if choice.candidates == "cells":
        return siting.candidate_cells(city, bezirk)
    lg = lang()
    uploads = st.file_uploader(t("sites.upload", lg), key="sites_upload", accept_multiple_files=True)
    if not uploads:
        st.info(t("sites.upload_hint", lg))
        return None
    path, name = saved_upload(uploads)
    try:
        points, problems = read_candidates(path, upload_limit_mb=settings().upload_limit_mb, name=name)
    except LayerFileError as err:
        st.error(err.text(lg))
        return None
    if errors := [p for p in problems if p.severity == ERROR]:
        st.error(t("sites.upload_errors", lg, name=name) + "\n" + _problem_lines(errors, lg))
        return None
    st.caption(tn("sites.upload.read", len(points), lg, count=fmt_int(len(points), lg), crs=points.crs.to_string()))
    try:
        return siting.candidate_table(points, city.units)
    except ValueError:
        st.error(t("sites.candidates.bad_positions", lg, name=name))
        return None


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH_FUNCS)
def _quick(
    version: str, params: gaps.GapParams, scenario: Scenario, key: str, sites: int, _result, _candidates
) -> tuple[siting.Coverage, siting.SitingResult, pd.DataFrame]:
    """Whom each candidate reaches, greedy's answer (instant) and the marginal curve (coverage without limits)."""
    coverage = siting.coverage(_result, _candidates)
    quick = siting.greedy(coverage, siting.SitingParams(sites=sites))
    curve = siting.marginal_curve(coverage, siting.SitingParams(sites=int(viewspec.NEW_SITES.high or sites)))
    return coverage, quick, curve


@dataclass(frozen=True)
class Answer:
    """The sites shown, greedy's (with its ratio to the optimum once known), the curve, and the exact job's state."""

    found: siting.SitingResult
    quick: siting.SitingResult
    curve: pd.DataFrame
    job: str | None = None  # key of the exact computation, while it runs or after it stopped without an answer
    state: str = jobs.DONE


def solve(loaded: Loaded, result: gaps.GapResult, candidates: pd.DataFrame, choice: SiteChoice) -> Answer:
    """Greedy's answer at once; the exact one (or with places per site the capacity-aware one) from a child
    process, waited for briefly here and otherwise by :func:`waiting`, which can abandon it."""
    key = str(pd.util.hash_pandas_object(candidates[siting.CANDIDATE_COLUMNS], index=False).sum())
    scenario = luecken_widgets.scenario()
    coverage, quick, curve = _quick(loaded.version, result.params, scenario, key, choice.sites, result, candidates)
    if not choice.places and choice.solver == "greedy":
        return Answer(quick, quick, curve)
    job_key = repr((loaded.version, result.params, scenario, key, choice))
    if st.session_state.get(ABANDONED) == job_key:
        return Answer(quick, quick, curve, job_key, jobs.CANCELLED)
    model = siting.capacitated if choice.places else siting.exact
    chosen = siting.SitingParams(sites=choice.sites, time_limit_s=PAGE_TIME_LIMIT_S)
    job = jobs.start(job_key, model, coverage, chosen, limit_s=PAGE_TIME_LIMIT_S)
    with st.spinner(t("sites.computing", lang()), show_time=True):
        state = job.collect(INLINE_WAIT_S)
    if state != jobs.DONE:
        return Answer(quick, quick, curve, job_key, state)
    best = job.result
    return Answer(best, best if choice.places else siting.with_optimum(quick, best), curve)


@st.fragment(run_every=POLL_S)
def waiting(job_key: str) -> None:
    """The exact computation's progress with a way to abandon it; the whole page shows its answer when it comes."""
    job = jobs.find(job_key)
    if job is None or job.collect() != jobs.RUNNING or st.session_state.get(ABANDONED) == job_key:
        st.rerun()
    lg = lang()
    st.progress(
        min(job.elapsed / job.limit_s, 1.0),
        text=t("sites.exact.running", lg, seconds=f"{job.elapsed:.0f}", limit=f"{job.limit_s:.0f}"),
    )
    st.button(t("sites.exact.cancel", lg), key="sites_cancel", on_click=_abandon, args=(job_key,))


def _abandon(job_key: str) -> None:
    if job := jobs.find(job_key):
        job.cancel()
    st.session_state[ABANDONED] = job_key


def stopped(answer: Answer) -> None:
    """Why greedy's answer stands where an exact one was asked for, and a way to ask again."""
    lg = lang()
    st.warning(t("sites.exact.cancelled" if answer.state == jobs.CANCELLED else "sites.exact.failed", lg))
    if st.button(t("sites.exact.again", lg), key="sites_again"):
        st.session_state.pop(ABANDONED, None)
        st.rerun()


def method_line(found: siting.SitingResult, quick: siting.SitingResult, lg: str) -> str:
    """How the answer was found: exact or approximate, how close the approximation is, and fewer sites than asked."""
    if found.method == "greedy":
        parts = [t("sites.method.greedy_line", lg)]
    elif found.method == "capacitated" and found.model is None:  # the greedy assignment filled every place
        parts = [t("sites.method.capacitated_full", lg)]
    elif found.method == "capacitated":
        parts = [t("sites.method.capacitated_line", lg, seconds=f"{found.seconds:.1f}")]
        if found.proven_optimal is False:
            parts.append(t("sites.method.exact_not_proven", lg))
    else:
        parts = [t("sites.method.exact_line", lg, seconds=f"{found.seconds:.1f}")]
        if found.proven_optimal is False:
            parts.append(t("sites.method.exact_not_proven", lg))
        if quick.ratio_to_optimum is not None:
            parts.append(t("sites.method.ratio", lg, share=fmt_share(min(quick.ratio_to_optimum, 1.0), lg)))
    return " ".join(parts)


def fewer_sites_note(found: siting.SitingResult, asked: int, lg: str) -> str | None:
    """Why the answer has fewer sites than asked: nobody is left whom another site would reach."""
    if len(found.sites) >= asked:
        return None
    if found.reachable == 0:
        return t("sites.nobody_reachable", lg)
    return tn("sites.fewer", len(found.sites), lg, count=len(found.sites), asked=asked)


def site_map_key(loaded: Loaded, result: gaps.GapResult, found: siting.SitingResult, *view) -> tuple:
    """Everything the sites map shows (``map_payload.show_map``): the data version, the analysis and its scenario,
    the sites found – where, in which order, whom each reaches –, the residents each cell newly has covered (a quick
    and an exact answer may differ there alone), and ``view`` (language, …)."""
    sites = tuple(map(tuple, found.sites[["x", "y", "rank", "gain"]].to_numpy().tolist()))
    served = int(pd.util.hash_pandas_object(found.served).sum())
    return (loaded.version, result.params, result.scenario, found.method, sites, served, *view)


def sites_frame(found: siting.SitingResult, city: City, lg: str) -> pd.DataFrame:
    """One row per site for the table: rank, Quartier, newly reached, cumulative, candidate and reason."""
    names = city.units.set_index("area_id")["name"]
    sites = found.sites
    return pd.DataFrame(
        {
            t("sites.col.rank", lg): sites["rank"].astype(int),
            t("sites.col.area", lg): sites["area_id"].map(names).fillna("–"),
            t("sites.col.new", lg): [fmt_int(v, lg) for v in sites["gain"]],
            t("sites.col.cumulative", lg): [fmt_int(v, lg) for v in sites["cumulative"]],
            t("sites.col.name", lg): sites["name"].fillna(""),
            t("sites.col.reason", lg): [code_label(r, lg) for r in sites["reason"]],
        }
    )


def into_scenario(found: siting.SitingResult, params: gaps.GapParams, candidates: pd.DataFrame) -> None:
    """Add the sites to the scenario as planned offers and open the Lückenanalyse, where the link carries them."""
    current = luecken_widgets.scenario()
    planned = siting.planned_offers(found, params, candidates)
    luecken_widgets.set_scenario(Scenario((*current.added, *planned), current.disabled))
    st.switch_page("pages/luecken.py")


def keep_gap_view() -> None:
    """Button callback before a switch to the Lückenanalyse: its settings go along.

    Streamlit drops a page's widget values on the next page unless they were set as state, which
    only a callback may do (it runs before any widget of the run exists).
    """
    state = st.session_state
    for key in [k for k in state if str(k).startswith(viewspec.GAP_PREFIX)]:
        state[key] = state[key]
