"""Command line for data teams: one sub-command per task, each a thin call into the core.

Later commands (import, report, export, migrate) register here the same way.
Help and messages come from the i18n catalog: German, or English with ``--lang en``.
"""

from __future__ import annotations

import argparse
import getpass
import math
import shutil
import sys
from pathlib import Path

from dashboard import i18n
from dashboard.i18n import t, tn
from dashboard.model import schema, viewspec
from dashboard.model.targets import DEFAULT_THRESHOLD_M
from dashboard.model.view import CLASSIFICATIONS

#: Problems printed before the rest is only counted, so a broken file does not flood the terminal.
MAX_PROBLEMS_SHOWN = 50


def _cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import musterstadt
    from dashboard.store import gpkgfile
    from dashboard.store.postgis import is_database_url

    if is_database_url(args.out):
        return _fail(t("cli.demo.url", args.lang), args.lang)
    workspace = musterstadt.generate(seed=args.seed)
    gpkgfile.write_geopackage(workspace, args.out)
    sizes = ", ".join(f"{name}: {len(frame)}" for name, frame in workspace.layers.items())
    print(t("cli.demo.written", args.lang, out=args.out, sizes=sizes))
    return 0


def _cmd_assets(args: argparse.Namespace) -> int:
    from dashboard.maps import assets

    assets.install(Path(args.dest), assets.TESTS if args.test else assets.APP)
    print(t("cli.assets.installed", args.lang, dest=args.dest))
    return 0


def cli_user():
    """Whoever runs the command line works on files they can write anyway: an editor, named after the login."""
    from dashboard.model.roles import Role, User

    return User(f"cli:{getpass.getuser()}", Role.EDITOR, "cli")


def _cmd_paths(args: argparse.Namespace) -> int:
    from dashboard.analysis.walknet import from_lines, paths_from_file
    from dashboard.model.workspace import LayerMeta
    from dashboard.store.base import open_store
    from dashboard.store.postgis import redact

    location = store_location(args.workspace)
    shown = redact(str(location))
    if not Path(args.file).exists():
        print(t("cli.paths.missing", args.lang, path=args.file), file=sys.stderr)
        return 2
    if args.out and not (isinstance(location, Path) and location.is_file()):
        print(t("cli.paths.out_needs_file", args.lang, workspace=shown), file=sys.stderr)
        return 2
    paths = paths_from_file(args.file)
    if len(paths) == 0:
        print(t("cli.paths.none", args.lang, path=args.file), file=sys.stderr)
        return 2
    meta = LayerMeta(args.source, args.licence, args.attribution, args.stand)
    target = Path(args.out) if args.out else location
    if args.out:
        shutil.copyfile(location, target)
    counts = {"read": len(paths), "imported": len(paths), "rejected": 0}
    open_store(target).import_layer(
        cli_user(), "paths", paths, meta, source=Path(args.file).name, mode="replace", counts=counts
    )
    network = from_lines(paths.to_crs(schema.ANALYSIS_CRS).geometry)
    print(
        tn(
            "cli.paths.written",
            len(paths),
            args.lang,
            ways=len(paths),
            nodes=network.node_count,
            out=args.out or shown,
        )
    )
    return 0


def store_location(workspace: str | None) -> Path | str:
    """``--workspace``: a data directory, a GeoPackage file or a postgresql:// URL; default the configured store."""
    from dashboard.store.postgis import is_database_url
    from dashboard.store.settings import STORE_FILE, load_settings

    if not workspace:
        settings = load_settings()
        return str(settings.store_location) if settings.is_database else settings.store_path
    if is_database_url(workspace):
        return workspace
    path = Path(workspace)
    return path / STORE_FILE if path.is_dir() or not path.suffix else path


def _cmd_import(args: argparse.Namespace) -> int:
    """Read → map → validate → (unless --dry-run) store; exit 2 for an unreadable or rejected file."""
    from dashboard.ingest import importflow, readers
    from dashboard.ingest.readers import LayerFileError
    from dashboard.model.workspace import LayerMeta
    from dashboard.store.base import StoreError, open_store
    from dashboard.store.postgis import redact
    from dashboard.store.settings import load_settings

    lang = args.lang
    location = store_location(args.workspace)
    data_store = open_store(location)
    try:
        raw = importflow.read(
            args.file,
            upload_limit_mb=load_settings().upload_limit_mb,
            layer=args.file_layer,
            encoding=args.encoding,
            separator=args.separator,
            header_row=args.header_row,
        )
        if guess := importflow.coordinates_to_confirm(raw):
            crs = args.crs or guess.crs_candidates[0]
            print(t("cli.import.coordinates", lang, columns=", ".join(guess.columns), crs=crs))
            raw, problems = readers.with_geometry(raw, guess, crs)
        else:
            problems = []
    except LayerFileError as err:
        return _fail(err.text(lang), lang)
    for note in raw.notes:
        print(note.text(lang) if hasattr(note, "text") else str(note))
    layer = "areas" if args.layer in ("bezirke", "quartiere") else args.layer
    target = args.layer if args.layer in importflow.TARGETS else layer
    if args.totals_by:
        bands = dict(item.split("=", 1) for item in args.band or [])
        plan = importflow.plan_totals(data_store, raw, args.totals_by, args.residents, bands)
        mapping = importflow.totals_mapping(args.residents)
    else:
        if args.mapping:
            mapping = importflow.saved_mapping(Path(args.mapping).read_text(encoding="utf-8"), target)
        else:
            mapping, remembered = importflow.first_mapping(data_store, raw, target)
            print(t("cli.import.mapping_remembered" if remembered else "cli.import.mapping_suggested", lang))
        if args.parent_prefix:
            mapping = importflow.with_parent_prefix(mapping, args.parent_prefix)
        print(mapping.to_json())
        plan = importflow.plan(data_store, raw, mapping)
    if args.save_mapping:
        Path(args.save_mapping).write_text(mapping.to_json(), encoding="utf-8")
    counts = plan.counts
    _print_problems([*problems, *plan.problems], lang)
    for line in plan.notes:
        print(line)
    print(
        tn(
            "cli.import.counts",
            counts.read,
            lang,
            read=counts.read,
            valid=counts.valid,
            rejected=counts.rejected,
            warnings=counts.warnings,
        )
    )
    if not importflow.importable(plan):
        return _fail(t("cli.import.rejected", lang, file=args.file), lang)
    if args.dry_run:
        print(t("cli.import.dry_run", lang))
        return 0
    if counts.rejected and not args.valid_rows:
        return _fail(
            tn("cli.import.has_errors", counts.rejected, lang, rejected=counts.rejected, valid=counts.valid),
            lang,
            code=1,
        )
    meta = LayerMeta(args.source or Path(args.file).name, args.licence, args.attribution, args.stand)
    try:
        importflow.store_plan(
            data_store, cli_user(), raw, mapping, plan, meta=meta, mode=args.mode, city=args.city or ""
        )
    except StoreError as err:
        return _fail(err.text(lang), lang)
    print(tn("cli.import.stored", counts.valid, lang, rows=counts.valid, layer=layer, path=redact(str(location))))
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    """Copy a whole store into an empty one (GeoPackage ⇄ PostGIS): ids, history, log and metadata kept."""
    from dashboard.store.base import StoreError, open_store
    from dashboard.store.migrate import migrate
    from dashboard.store.postgis import redact

    source, target = open_store(store_location(args.source)), open_store(store_location(args.target))
    shown = {"source": redact(str(args.source)), "target": redact(str(args.target))}
    try:
        if source.is_empty():
            return _fail(t("cli.migrate.empty_source", args.lang, path=shown["source"]), args.lang)
        migrate(source, target)
    except StoreError as err:  # its text already ends in a full stop
        return _fail(t("cli.migrate.failed", args.lang, reason=err.text(args.lang).rstrip("."), **shown), args.lang)
    except (ValueError, TypeError) as err:
        return _fail(t("cli.migrate.failed", args.lang, reason=err, **shown), args.lang)
    changes = len(target.history(limit=10**9))
    print(tn("cli.migrate.done", changes, args.lang, changes=changes, **shown))
    return 0


def _cmd_db_setup(args: argparse.Namespace) -> int:
    """Print (or, with --apply, run) the schema steps the database still lacks and the two roles' grants."""
    from dashboard.store.base import StoreError
    from dashboard.store.pg_migrations import STEPS
    from dashboard.store.postgis import PostGISStore, is_database_url, setup_sql

    if not is_database_url(args.url):
        return _fail(t("cli.db.not_url", args.lang), args.lang)
    database = PostGISStore(args.url)
    if not args.apply:
        try:  # a DBA may print the script where the database cannot be reached: then with every step
            steps, note = database.pending_steps(), ""
        except StoreError as err:
            steps, note = list(STEPS), t("cli.db.all_steps", args.lang, reason=err.text(args.lang))
        print(setup_sql(database.schema, args.viewer_role, args.editor_role, steps))
        print(note or _steps_note("cli.db.pending", steps, args.lang), file=sys.stderr)
        return 0
    try:
        applied = database.create(args.viewer_role, args.editor_role)
    except StoreError as err:
        return _fail(err.text(args.lang), args.lang)
    print(_steps_note("cli.db.steps_applied", applied, args.lang))
    print(t("cli.db.applied", args.lang))
    return 0


def _steps_note(key: str, steps, lang: str) -> str:
    """Which schema steps (number and name) are pending or were applied; none: the schema is up to date."""
    from dashboard.store.pg_migrations import STEPS

    if not steps:
        return t("cli.db.up_to_date", lang, newest=STEPS[-1].number)
    listed = ", ".join(f"{step.number} ({step.name})" for step in steps)
    return tn(key, len(steps), lang, count=len(steps), steps=listed)


def _cmd_export(args: argparse.Namespace) -> int:
    from dashboard.ingest.validation import layer_label
    from dashboard.reports.gap_export import write_atomic
    from dashboard.reports.gis_export import write_store
    from dashboard.reports.layer_export import layer_bytes
    from dashboard.store.base import open_store
    from dashboard.store.postgis import redact

    if args.crs is not None and args.layer is not None:
        print(t("cli.export.crs_layer", args.lang), file=sys.stderr)
        return 2
    location = store_location(args.workspace)
    data_store = open_store(location)
    if data_store.is_empty():
        print(t("cli.export.empty", args.lang, path=redact(str(location))), file=sys.stderr)
        return 2
    out = Path(args.out)
    if args.layer is None:
        if out.suffix.lower() != ".gpkg":
            print(t("cli.export.gpkg_only", args.lang, out=out), file=sys.stderr)
            return 2
        try:
            write_store(data_store, out, args.lang, args.crs)
        except ValueError as err:  # a CRS made for another part of the world
            crs = f"EPSG:{args.crs.to_epsg()}"
            print(t("cli.export.crs_area", args.lang, layer=layer_label(str(err), args.lang), crs=crs), file=sys.stderr)
            return 2
        print(t("cli.export.written", args.lang, out=out))
        return 0
    fmt = out.suffix.lower().lstrip(".")
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in ("geojson", "csv") or (fmt == "geojson" and not schema.LAYERS[args.layer].geometry_types):
        print(t("cli.export.format", args.lang, out=out), file=sys.stderr)
        return 2
    write_atomic(out, layer_bytes(data_store.read().layer(args.layer), args.layer, fmt))
    print(t("cli.export.written", args.lang, out=out))
    return 0


def _whole_number(minimum: int, lang: str):
    """argparse type: a whole number ≥ ``minimum``, refused with a message in ``lang``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(t("cli.arg.not_whole_number", lang, text=text, minimum=minimum))
        return value

    return parse


def _crs(lang: str):
    """argparse type: a coordinate reference system a GeoPackage can name (``EPSG:25832``), checked with pyproj."""

    def parse(text: str):
        from dashboard.reports.gis_export import parse_crs

        try:
            return parse_crs(text)
        except ValueError:
            raise argparse.ArgumentTypeError(t("cli.arg.crs", lang, text=text)) from None

    return parse


def _in_range(setting: viewspec.Setting, lang: str):
    """argparse type: a number in the range of ``setting``'s spec, as the widgets and links allow it.

    A whole number where the default is one; a decimal comma is read like a point.
    """
    assert setting.low is not None and setting.high is not None  # numbers have a range
    low, high, whole = setting.low, setting.high, isinstance(setting.default, int)

    def parse(text: str) -> float:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        if not (low <= value <= high) or (whole and not value.is_integer()):
            key = "cli.arg.not_whole_in_range" if whole else "cli.arg.not_number_in_range"
            shown = {
                name: i18n.fmt_int(v, lang) if whole else i18n.fmt_num(v, lang)
                for name, v in (("low", low), ("high", high))
            }
            raise argparse.ArgumentTypeError(t(key, lang, text=text, **shown))
        return int(value) if whole else value

    return parse


def _print_problems(problems: list, lang: str) -> None:
    """One line per problem to stderr, errors first, at most MAX_PROBLEMS_SHOWN."""
    from dashboard.ingest import validation

    ordered = sorted(problems, key=lambda p: p.severity != validation.ERROR)
    for problem in ordered[:MAX_PROBLEMS_SHOWN]:
        where = [validation.layer_label(problem.layer, lang)]
        if problem.row is not None:
            where.append(t("cli.problem.row", lang, row=problem.row))
        if problem.field:
            where.append(problem.field)
        severity = validation.severity_label(problem.severity, lang)
        print(f"{severity}: {', '.join(where)}: {problem.text(lang)}", file=sys.stderr)
    if len(ordered) > MAX_PROBLEMS_SHOWN:
        print(t("cli.problems.more", lang, count=len(ordered) - MAX_PROBLEMS_SHOWN), file=sys.stderr)


def _fail(message: str, lang: str, code: int = 2) -> int:
    print(t("cli.error", lang, message=message), file=sys.stderr)
    return code


class _Given(argparse.Action):
    """Stores an option's value and notes that it was given, so that it overrides the value of a ``--view`` link."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.given = {*getattr(namespace, "given", ()), self.dest}


def _files_city(args: argparse.Namespace, lang: str):
    """``gaps``' input files read, checked and prepared; an exit code when they cannot be used."""
    from dashboard.analysis.city import prepare
    from dashboard.ingest import validation
    from dashboard.ingest.readers import LayerFileError, read_layers, split_source
    from dashboard.model.workspace import Workspace
    from dashboard.store.postgis import is_database_url, redact

    sources = {"areas": args.areas, "population": args.population, "offers": args.offers, "actors": args.actors}
    for name, source in sources.items():
        if source and is_database_url(source):
            layer = validation.layer_label(name, lang)
            return _fail(t("cli.gaps.url_not_file", lang, layer=layer, url=redact(source)), lang)
    try:
        layers, problems = read_layers({name: source for name, source in sources.items() if source})
    except LayerFileError as err:
        return _fail(err.text(lang), lang)
    _print_problems(problems, lang)
    if any(p.severity == validation.ERROR for p in problems):
        return _fail(t("cli.gaps.invalid_input", lang), lang)
    for name in ("areas", "population"):
        if len(layers[name]) == 0:
            layer = validation.layer_label(name, lang)
            return _fail(t("cli.gaps.empty_layer", lang, layer=layer, path=sources[name]), lang)
    return prepare(Workspace(city=split_source(args.areas)[0].stem, layers=layers))


def _store_city(workspace: str | None, lang: str):
    """The store a command names (default: the server's, the demo city while it is empty), read and prepared.

    Returns its location, workspace and city, or an exit code with a German message that shows no password.
    """
    from pyogrio.errors import DataSourceError

    from dashboard.analysis.city import prepare
    from dashboard.store import gpkgfile
    from dashboard.store.base import StoreError, open_store
    from dashboard.store.postgis import redact
    from dashboard.store.settings import load_settings

    location: Path | str = workspace or "?"
    try:
        location = gpkgfile.DEMO_PATH if not workspace and load_settings().uses_demo else store_location(workspace)
        if isinstance(location, Path) and not location.is_file():
            return _fail(t("cli.report.no_workspace", lang, path=location), lang)
        data = open_store(location).read()
        return location, data, prepare(data)
    except (DataSourceError, StoreError, OSError) as err:
        return _fail(t("cli.sites.unreadable", lang, path=redact(str(location)), reason=redact(str(err))), lang)


def _cmd_gaps(args: argparse.Namespace) -> int:
    """Files or a store, and a link's view (flags given beside it win) → one row per Quartier shown (CSV, XLSX)
    or the cells (GeoPackage)."""
    from datetime import date

    from dashboard.analysis.filters import in_bezirk
    from dashboard.analysis.gaps import view_results
    from dashboard.reports import analysis_export, gap_export
    from dashboard.reports.gap_figures import scenario_effect, settings_text

    lang, out = args.lang, Path(args.out)
    if out.is_dir():
        return _fail(t("cli.gaps.out_is_dir", lang, out=out), lang)
    if not out.parent.is_dir():
        return _fail(t("cli.gaps.no_out_dir", lang, folder=out.parent), lang)
    files = [args.areas, args.population, args.offers]
    if any(files) or args.actors:
        if args.workspace or not all(files):
            return _fail(t("cli.gaps.files_or_store", lang), lang)
        city = _files_city(args, lang)
    else:
        read = _store_city(args.workspace, lang)
        city = read if isinstance(read, int) else read[2]
    if isinstance(city, int):
        return city
    overrides = {viewspec.GAP_PREFIX + name: getattr(args, name) for name in getattr(args, "given", ())}
    view = _gap_view(args.view, city, lang, overrides)
    if isinstance(view, int):
        return view
    state, params = view
    before, result = view_results(city, params, state.get("scenario"))
    bezirk = state.get("gap_bezirk")
    shown = set(result.units.index[in_bezirk(result.units.reset_index(), city.units, bezirk)])
    try:
        rows = analysis_export.write(result, city, out, lang, date.today(), shown)  # .xlsx, .gpkg or CSV
    except OSError as err:
        return _fail(t("cli.gaps.write_failed", lang, out=out, reason=err.strerror or err), lang, code=1)
    print(gap_export.summary(result, out, rows, lang))
    print(t("rep.settings", lang, settings=settings_text(result, lang)))
    if result is not before:
        print(scenario_effect(before, result, lang))
    if bezirk is not None:
        name = city.bezirke.set_index("area_id")["name"].get(bezirk, bezirk)
        print(tn("cli.gaps.bezirk", rows, lang, bezirk=name, rows=rows))
    if args.areas and not args.actors:
        print(t("cli.gaps.no_actors", lang))
    return 0


def _gap_view(link: str | None, city, lang: str, overrides: dict | None = None):
    """A Lückenanalyse link (None: the page's defaults) with ``overrides`` → its view and gap parameters.

    What cannot be used is named on stderr and dropped, as the browser does. Returns the exit code
    instead when the link shows another page, walking is asked for without a path network, or the
    data lack the group's age bands.
    """
    from dataclasses import replace

    from dashboard.analysis.gaps import decode_link, params_from_view
    from dashboard.model import share_state
    from dashboard.model.targets import TARGET_BANDS, has_age_bands

    state, dropped = share_state.ViewState("luecken", lang), list[str]()
    if link is not None:
        state, dropped = decode_link(link, city)
    if state.page != "luecken":
        return _fail(t("cli.view.not_gap_link", lang, page=state.page), lang)
    if dropped:
        print(t("cli.view.dropped", lang, names=", ".join(dropped)), file=sys.stderr)
    state = replace(state, fields={**state.fields, **(overrides or {})})
    if state.get("gap_distance") == "fussweg" and city.paths is None:
        if "gap_distance" in (overrides or {}):
            return _fail(t("cli.gaps.no_network", lang), lang)
        print(t("gap.distance.no_network", lang), file=sys.stderr)
    params = params_from_view(state, has_network=city.paths is not None)
    if not has_age_bands(city.cells, params.target_group):
        bands = ", ".join(TARGET_BANDS[params.target_group])
        return _fail(t("cli.gaps.needs_age_bands", lang, group=params.target_group, bands=bands), lang)
    return state, params


def _cmd_sites(args: argparse.Namespace) -> int:
    """A link's view → the best new sites (and closable offers) → .csv or .gpkg; bad input: exit 2, nothing written."""
    from pyogrio.errors import DataSourceError

    from dashboard.analysis import siting
    from dashboard.analysis.gaps import view_results
    from dashboard.ingest.candidates import read_candidates
    from dashboard.ingest.readers import LayerFileError
    from dashboard.ingest.validation import ERROR
    from dashboard.reports import site_export
    from dashboard.store.settings import load_settings

    lang, out = args.lang, Path(args.out)
    if out.suffix.lower() not in (".csv", ".gpkg") or out.is_dir():
        return _fail(t("cli.sites.out_format", lang, out=out), lang)
    if not out.parent.is_dir():
        return _fail(t("cli.gaps.no_out_dir", lang, folder=out.parent), lang)
    read = _store_city(args.workspace, lang)
    if isinstance(read, int):
        return read
    location, _, city = read
    if isinstance(location, Path) and out.resolve() == location.resolve():
        return _fail(t("cli.sites.out_is_store", lang, out=out), lang)
    view = _gap_view(args.view, city, lang)
    if isinstance(view, int):
        return view
    state, params = view
    if args.candidates:
        try:
            limit = load_settings().upload_limit_mb
            points, problems = read_candidates(args.candidates, upload_limit_mb=limit, crs=args.crs)
            _print_problems(problems, lang)
            if any(p.severity == ERROR for p in problems):
                return _fail(t("cli.sites.bad_candidates", lang, path=args.candidates), lang)
            candidates = siting.candidate_table(points, city.units)
        except LayerFileError as err:
            return _fail(err.text(lang), lang)
        except ValueError:
            return _fail(t("sites.candidates.bad_positions", lang, name=args.candidates), lang)
    else:
        candidates = siting.candidate_cells(city, state.get("gap_bezirk"))
    if args.capacity:
        if args.greedy:
            return _fail(t("cli.sites.greedy_capacity", lang), lang)
        candidates = siting.with_places(candidates, args.capacity)
    if args.new > len(candidates):
        return _fail(tn("cli.sites.too_many", len(candidates), lang, count=len(candidates), new=args.new), lang)
    result = view_results(city, params, state.get("scenario"))[1]
    offers = siting.offer_coverage(result) if args.close else None
    if offers is not None and args.close > offers.matrix.shape[1]:
        count = offers.matrix.shape[1]
        return _fail(tn("cli.sites.too_many_closures", count, lang, count=count, close=args.close), lang)
    chosen = siting.SitingParams(sites=args.new)
    coverage = siting.coverage(result, candidates)
    if args.capacity:
        sites = siting.capacitated(coverage, chosen)
    else:
        sites = siting.greedy(coverage, chosen) if args.greedy else siting.exact(coverage, chosen)
    closures = siting.closures_exact(offers, args.close, chosen) if offers is not None else None
    rows = site_export.site_rows(sites, city, closures)
    try:
        site_export.write(rows, out)
    except (OSError, DataSourceError) as err:
        return _fail(t("cli.gaps.write_failed", lang, out=out, reason=getattr(err, "strerror", None) or err), lang, 1)
    method = t(
        {"greedy": "sites.method.greedy", "exact": "sites.method.exact", "capacitated": "sites.method.capacitated"}[
            sites.method
        ],
        lang,
    )
    if sites.proven_optimal is False:
        method = t("sites.method.not_proven", lang, method=method)
    print(
        tn(
            "cli.sites.written",
            len(sites.sites),
            lang,
            count=len(sites.sites),
            out=out,
            residents=i18n.fmt_int(sites.objective, lang),
            group=i18n.code_label(params.target_group, lang),
            threshold=params.threshold,
            method=method,
        )
    )
    if len(sites.sites) < args.new:
        print(t("sites.nobody_reachable", lang) if sites.reachable == 0 else t("cli.sites.fewer", lang, asked=args.new))
    if closures is not None:
        print(
            tn(
                "cli.sites.closures",
                len(closures.offers),
                lang,
                count=len(closures.offers),
                residents=i18n.fmt_int(closures.lost, lang),
            )
        )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from dashboard.analysis.gaps import GapParams
    from dashboard.analysis.profile import UnknownArea
    from dashboard.model.scenario import Scenario
    from dashboard.reports import council

    lang = args.lang
    if args.all != (args.out_dir is not None) or (args.area is not None) != (args.out is not None):
        return _fail(t("cli.report.arguments", lang), lang)
    folder = Path(args.out_dir) if args.all else Path(args.out).parent
    if not args.all and not folder.is_dir():
        return _fail(t("cli.report.no_out_dir", lang, folder=folder), lang)
    read = _store_city(args.workspace, lang)
    if isinstance(read, int):
        return read
    _, workspace, city = read
    params, scenario = GapParams(), Scenario()
    if args.view:
        view = _gap_view(args.view, city, lang)
        if isinstance(view, int):
            return view
        state, params = view
        scenario = state.get("scenario")
    ctx = council.context(workspace, lang=lang, city=city, params=params, scenario=scenario)
    try:
        if args.all:
            folder.mkdir(parents=True, exist_ok=True)
            written = council.write_all(ctx, folder, args.html, jobs=args.jobs)
        else:
            written = council.write(ctx, args.area, Path(args.out), args.html)
    except UnknownArea as err:
        examples = ", ".join(ctx.city.units["area_id"].head(5))
        return _fail(t("cli.report.unknown_area", lang, area=err.area_id, city=ctx.city.name, examples=examples), lang)
    except OSError as err:
        return _fail(t("cli.report.write_failed", lang, out=folder, reason=err.strerror or err), lang, code=1)
    print(tn("cli.report.written", len(written), lang, count=len(written), out=folder if args.all else written[0]))
    return 0


def _cmd_features(args: argparse.Namespace) -> int:
    """Serve the public layers as OGC API – Features until Ctrl+C, read from the store as a viewer."""
    import socket

    from dashboard.model.roles import Role
    from dashboard.service import features
    from dashboard.store import gpkgfile
    from dashboard.store.base import open_store
    from dashboard.store.postgis import redact
    from dashboard.store.settings import load_settings

    lang = args.lang
    if args.workspace:
        location = store_location(args.workspace)
        data_store = open_store(location)
    else:  # the server's store through its viewers' database role, or the demo city while it is empty
        settings = load_settings()
        location = gpkgfile.DEMO_PATH if settings.uses_demo else store_location(None)
        data_store = open_store(location) if settings.uses_demo else settings.store(Role.VIEWER)
    shown = redact(str(location))
    if isinstance(location, Path) and not location.is_file():
        return _fail(t("cli.report.no_workspace", lang, path=shown), lang)
    if data_store.is_empty():
        return _fail(t("cli.features.empty", lang, path=shown), lang)
    with socket.socket() as probe:  # a port taken is said before the city is read
        try:
            probe.bind((args.host, args.port))
        except OSError as err:
            return _fail(t("cli.features.port", lang, host=args.host, port=args.port, reason=err.strerror), lang)

    def announce(url: str, names: list[str]) -> None:
        print(t("cli.features.serving", lang, url=url, path=shown, collections=", ".join(names)), flush=True)

    features.serve(data_store, args.host, args.port, args.url, announce)
    return 0


def _cmd_hash_password(args: argparse.Namespace) -> int:
    """Ask for the password without echo (or read one line from a pipe) and print only the hash."""
    import getpass

    from dashboard.model import auth

    lang = args.lang
    if sys.stdin.isatty():
        password = getpass.getpass(t("cli.hash.prompt", lang))
        if getpass.getpass(t("cli.hash.repeat", lang)) != password:
            return _fail(t("cli.hash.mismatch", lang), lang)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        print(auth.hash_password(password))
    except ValueError:
        return _fail(t("cli.hash.invalid", lang, max=auth.MAX_PASSWORD_BYTES), lang)
    print(t("cli.hash.hint", lang), file=sys.stderr)
    return 0


def _lang_option(lang: str = i18n.DEFAULT_LANGUAGE) -> argparse.ArgumentParser:
    """Just ``--lang``: read first to build the parser in that language, then a parent of every command."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE, help=t("cli.help.lang", lang))
    return parser


def build_parser(lang: str = i18n.DEFAULT_LANGUAGE) -> argparse.ArgumentParser:
    """The command line with its help in ``lang``."""
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=t("cli.description", lang))
    sub = parser.add_subparsers(dest="command", required=True)
    common = [_lang_option(lang)]
    file, csv_file = t("cli.metavar.file", lang), t("cli.metavar.csv", lang)

    demo = sub.add_parser("demo", parents=common, help=t("cli.demo.help", lang))
    demo.add_argument("--seed", type=int, default=2016)
    demo.add_argument("--out", default=str(Path("geodata") / "musterstadt.gpkg"))
    demo.set_defaults(func=_cmd_demo)

    assets = sub.add_parser("assets", parents=common, help=t("cli.assets.help", lang))
    assets.add_argument("--dest", default=str(Path("static") / "vendor"))
    assets.add_argument("--test", action="store_true", help=t("cli.assets.arg.test", lang))
    assets.set_defaults(func=_cmd_assets)

    paths = sub.add_parser(
        "paths", parents=common, help=t("cli.paths.help", lang), description=t("cli.paths.help", lang)
    )
    paths.add_argument("file", metavar=file, help=t("cli.paths.arg.file", lang))
    paths.add_argument("--workspace", metavar=t("cli.metavar.folder", lang), help=t("cli.arg.workspace_dir", lang))
    paths.add_argument("--out", metavar=file, help=t("cli.paths.arg.out", lang))
    paths.add_argument("--source", default="OpenStreetMap")
    paths.add_argument("--licence", default="ODbL 1.0")
    paths.add_argument("--attribution", default="© OpenStreetMap-Mitwirkende")
    paths.add_argument("--stand", default="", help=t("cli.paths.arg.stand", lang))
    paths.set_defaults(func=_cmd_paths)

    gaps = sub.add_parser(
        "gaps",
        parents=common,
        help=t("cli.gaps.help", lang),
        description=t("cli.gaps.description", lang),
        epilog=t("cli.gaps.epilog", lang),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gaps.add_argument("--areas", metavar=file, help=t("cli.gaps.arg.areas", lang))
    gaps.add_argument("--population", metavar=file, help=t("cli.gaps.arg.population", lang))
    gaps.add_argument("--offers", metavar=file, help=t("cli.gaps.arg.offers", lang))
    gaps.add_argument("--actors", metavar=file, help=t("cli.gaps.arg.actors", lang))
    gaps.add_argument("--workspace", metavar=t("cli.metavar.gpkg", lang), help=t("cli.sites.arg.workspace", lang))
    gaps.add_argument("--view", metavar=t("cli.metavar.link", lang), help=t("cli.gaps.arg.view", lang))
    spec = viewspec
    metres, factor = t("cli.metavar.metres", lang), t("cli.metavar.factor", lang)
    thresholds = ", ".join(f"{group} {m}" for group, m in DEFAULT_THRESHOLD_M.items())
    for setting, help_text, extra in (
        (spec.TARGET_GROUP, t("cli.gaps.arg.target_group", lang), {"choices": spec.TARGET_GROUP.options}),
        (
            spec.THRESHOLD,
            t("cli.gaps.arg.threshold", lang, defaults=thresholds),
            {"type": _in_range(spec.THRESHOLD, lang), "metavar": metres, "default": None},
        ),
        (spec.DISTANCE, t("cli.gaps.arg.distance", lang), {"choices": spec.DISTANCE.options}),
        (spec.DETOUR, t("cli.gaps.arg.detour", lang), {"type": _in_range(spec.DETOUR, lang), "metavar": factor}),
        (spec.MIN_LEVEL, t("cli.gaps.arg.min_level", lang), {"choices": spec.MIN_LEVEL.options}),
        (
            spec.MIN_RESIDENTS,
            t("cli.gaps.arg.min_residents", lang),
            {"type": _in_range(spec.MIN_RESIDENTS, lang), "metavar": "N"},
        ),
        (spec.CLASSIFICATION, t("cli.gaps.arg.classification", lang), {"choices": CLASSIFICATIONS}),
    ):
        # _Given marks what was typed, so that it beats the --view link
        options = {"default": setting.default, **extra}
        gaps.add_argument(setting.option, dest=setting.name, action=_Given, help=help_text, **options)
    gaps.add_argument("--out", required=True, metavar=csv_file, help=t("cli.gaps.arg.out", lang))
    gaps.set_defaults(func=_cmd_gaps)

    sites = sub.add_parser(
        "sites",
        parents=common,
        help=t("cli.sites.help", lang),
        description=t("cli.sites.description", lang),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sites.add_argument("--view", required=True, metavar=t("cli.metavar.link", lang), help=t("cli.arg.view", lang))
    sites.add_argument(
        "--new", required=True, type=_whole_number(1, lang), metavar="N", help=t("cli.sites.arg.new", lang)
    )
    sites.add_argument("--workspace", metavar=t("cli.metavar.gpkg", lang), help=t("cli.sites.arg.workspace", lang))
    sites.add_argument("--candidates", metavar=file, help=t("cli.sites.arg.candidates", lang))
    sites.add_argument("--crs", metavar="EPSG:…", help=t("cli.sites.arg.crs", lang))
    solver = sites.add_mutually_exclusive_group()
    solver.add_argument("--exact", action="store_true", help=t("cli.sites.arg.exact", lang))
    solver.add_argument("--greedy", action="store_true", help=t("cli.sites.arg.greedy", lang))
    sites.add_argument(
        "--capacity", type=_whole_number(1, lang), metavar="PLÄTZE", help=t("cli.sites.arg.capacity", lang)
    )
    sites.add_argument("--close", type=_whole_number(1, lang), metavar="K", help=t("cli.sites.arg.close", lang))
    sites.add_argument(
        "--out", required=True, metavar=t("cli.metavar.sites_out", lang), help=t("cli.sites.arg.out", lang)
    )
    sites.set_defaults(func=_cmd_sites)

    rep = sub.add_parser(
        "report", parents=common, help=t("cli.report.help", lang), description=t("cli.report.description", lang)
    )
    which = rep.add_mutually_exclusive_group(required=True)
    which.add_argument("--area", metavar="ID", help=t("cli.report.arg.area", lang))
    which.add_argument("--all", action="store_true", help=t("cli.report.arg.all", lang))
    rep.add_argument("--out", metavar=t("cli.metavar.pdf", lang), help=t("cli.report.arg.out", lang))
    rep.add_argument("--out-dir", metavar=t("cli.metavar.folder", lang), help=t("cli.report.arg.out_dir", lang))
    rep.add_argument("--workspace", metavar=t("cli.metavar.gpkg", lang), help=t("cli.sites.arg.workspace", lang))
    rep.add_argument("--view", metavar=t("cli.metavar.link", lang), help=t("cli.report.arg.view", lang))
    rep.add_argument("--html", action="store_true", help=t("cli.report.arg.html", lang))
    rep.add_argument("--jobs", type=_whole_number(1, lang), default=2, metavar="N", help=t("cli.report.arg.jobs", lang))
    rep.set_defaults(func=_cmd_report)

    imp = sub.add_parser(
        "import", parents=common, help=t("cli.import.help", lang), description=t("cli.import.description", lang)
    )
    imp.add_argument("file", metavar=file, help=t("cli.import.arg.file", lang))
    imp.add_argument(
        "--layer",
        required=True,
        choices=("bezirke", "quartiere", *(n for n in schema.LAYERS if n not in ("areas", "paths"))),
        help=t("cli.import.arg.layer", lang),
    )
    imp.add_argument("--workspace", metavar=t("cli.metavar.folder", lang), help=t("cli.arg.workspace_dir", lang))
    imp.add_argument("--mapping", metavar=file, help=t("cli.import.arg.mapping", lang))
    imp.add_argument("--save-mapping", metavar=file, help=t("cli.import.arg.save_mapping", lang))
    imp.add_argument("--dry-run", action="store_true", help=t("cli.import.arg.dry_run", lang))
    imp.add_argument("--valid-rows", action="store_true", help=t("cli.import.arg.valid_rows", lang))
    imp.add_argument("--mode", choices=("replace", "update"), default="replace", help=t("cli.import.arg.mode", lang))
    imp.add_argument("--crs", help=t("cli.import.arg.crs", lang))
    imp.add_argument("--file-layer", metavar="NAME", help=t("cli.import.arg.file_layer", lang))
    imp.add_argument("--encoding", choices=("utf-8", "cp1252"), help=t("cli.import.arg.encoding", lang))
    imp.add_argument("--separator", choices=(";", ",", "\t"), help=t("cli.import.arg.separator", lang))
    imp.add_argument(
        "--header-row", type=_whole_number(1, lang), metavar="N", help=t("cli.import.arg.header_row", lang)
    )
    imp.add_argument(
        "--parent-prefix", type=_whole_number(1, lang), metavar="N", help=t("cli.import.arg.parent_prefix", lang)
    )
    imp.add_argument("--totals-by", metavar="SPALTE", help=t("cli.import.arg.totals_by", lang))
    imp.add_argument("--residents", default="Einwohner", metavar="SPALTE", help=t("cli.import.arg.residents", lang))
    imp.add_argument("--band", action="append", metavar="BAND=SPALTE", help=t("cli.import.arg.band", lang))
    imp.add_argument("--city", help=t("cli.import.arg.city", lang))
    imp.add_argument("--source", default="", help=t("cli.import.arg.source", lang))
    imp.add_argument("--licence", default="", help=t("cli.import.arg.licence", lang))
    imp.add_argument("--attribution", default="", help=t("cli.import.arg.attribution", lang))
    imp.add_argument("--stand", default="", help=t("cli.import.arg.stand", lang))
    imp.set_defaults(func=_cmd_import)

    export = sub.add_parser(
        "export", parents=common, help=t("cli.export.help", lang), description=t("cli.export.help", lang)
    )
    export.add_argument("--workspace", metavar=t("cli.metavar.folder", lang), help=t("cli.arg.workspace_dir", lang))
    export.add_argument("--out", required=True, metavar=file, help=t("cli.export.arg.out", lang))
    export.add_argument("--layer", choices=tuple(schema.LAYERS), help=t("cli.export.arg.layer", lang))
    export.add_argument("--crs", type=_crs(lang), metavar="EPSG:25832", help=t("cli.export.arg.crs", lang))
    export.set_defaults(func=_cmd_export)

    mig = sub.add_parser(
        "migrate", parents=common, help=t("cli.migrate.help", lang), description=t("cli.migrate.help", lang)
    )
    mig.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar=t("cli.metavar.store", lang),
        help=t("cli.migrate.arg.from", lang),
    )
    mig.add_argument(
        "--to", dest="target", required=True, metavar=t("cli.metavar.store", lang), help=t("cli.migrate.arg.to", lang)
    )
    mig.set_defaults(func=_cmd_migrate)

    dbs = sub.add_parser("db-setup", parents=common, help=t("cli.db.help", lang), description=t("cli.db.help", lang))
    dbs.add_argument("--url", required=True, metavar="postgresql://…", help=t("cli.db.arg.url", lang))
    dbs.add_argument("--viewer-role", metavar="ROLE", help=t("cli.db.arg.viewer", lang))
    dbs.add_argument("--editor-role", metavar="ROLE", help=t("cli.db.arg.editor", lang))
    dbs.add_argument("--apply", action="store_true", help=t("cli.db.arg.apply", lang))
    dbs.set_defaults(func=_cmd_db_setup)

    feat = sub.add_parser(
        "features", parents=common, help=t("cli.features.help", lang), description=t("cli.features.description", lang)
    )
    feat.add_argument("--workspace", metavar=t("cli.metavar.store", lang), help=t("cli.features.arg.workspace", lang))
    feat.add_argument(
        "--port", type=_whole_number(1, lang), default=5000, metavar="N", help=t("cli.features.arg.port", lang)
    )
    feat.add_argument("--host", default="127.0.0.1", help=t("cli.features.arg.host", lang))
    feat.add_argument("--url", metavar="https://…", help=t("cli.features.arg.url", lang))
    feat.set_defaults(func=_cmd_features)

    hashing = sub.add_parser(
        "hash-password", parents=common, help=t("cli.hash.help", lang), description=t("cli.hash.help", lang)
    )
    hashing.set_defaults(func=_cmd_hash_password)
    return parser


def main(argv: list[str] | None = None) -> int:
    lang = _lang_option().parse_known_args(argv)[0].lang
    args = build_parser(lang).parse_args(argv)
    from dashboard.store.base import StoreError

    try:
        return args.func(args)
    except StoreError as err:  # a database that refuses the login or cannot be reached: its text names no URL
        return _fail(err.text(lang), lang)
