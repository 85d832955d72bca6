"""Command line for data teams: one sub-command per task, each a thin call into the core.

Later commands (import, report, export, migrate) register here the same way.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

from dashboard import schema
from dashboard.targets import DEFAULT_THRESHOLD_M

#: Problems printed before the rest is only counted, so a broken file does not flood the terminal.
MAX_PROBLEMS_SHOWN = 50


def _cmd_demo(args: argparse.Namespace) -> int:
    from dashboard import demo, store

    workspace = demo.generate(seed=args.seed)
    store.write_geopackage(workspace, args.out)
    sizes = ", ".join(f"{name}: {len(frame)}" for name, frame in workspace.layers.items())
    print(f"Demodaten geschrieben nach {args.out} ({sizes})")
    return 0


def _cmd_assets(args: argparse.Namespace) -> int:
    from dashboard import assets

    assets.install(Path(args.dest))
    print(f"Karten-Bibliotheken installiert in {args.dest}")
    return 0


def _whole_number(minimum: int):
    """argparse type: a whole number ≥ ``minimum``, refused with a German message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl ab {minimum}")
        return value

    return parse


def _detour(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not (1 <= value < math.inf):
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Umwegfaktor – erlaubt: eine Zahl ab 1, z. B. 1.3")
    return value


def _print_problems(problems: list) -> None:
    """One line per problem to stderr, errors first, at most MAX_PROBLEMS_SHOWN."""
    from dashboard import validation

    ordered = sorted(problems, key=lambda p: p.severity != validation.ERROR)
    for problem in ordered[:MAX_PROBLEMS_SHOWN]:
        where = [validation.LAYER_LABELS.get(problem.layer, problem.layer)]
        if problem.row is not None:
            where.append(f"Zeile {problem.row}")
        if problem.field:
            where.append(problem.field)
        severity = validation.SEVERITY_LABELS[problem.severity]
        print(f"{severity}: {', '.join(where)}: {problem.message}", file=sys.stderr)
    if len(ordered) > MAX_PROBLEMS_SHOWN:
        print(f"… und {len(ordered) - MAX_PROBLEMS_SHOWN} weitere", file=sys.stderr)


def _fail(message: str, code: int = 2) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return code


def _cmd_gaps(args: argparse.Namespace) -> int:
    from dashboard import gapexport, validation
    from dashboard.city import prepare
    from dashboard.gaps import GapParams, analyse
    from dashboard.layerfile import LayerFileError, read_layers, split_source
    from dashboard.targets import TARGET_BANDS, has_age_bands
    from dashboard.workspace import Workspace

    out = Path(args.out)
    if out.is_dir():
        return _fail(f"Ausgabe {out} ist ein Ordner, keine Datei")
    if not out.parent.is_dir():
        return _fail(f"Ausgabeordner {out.parent} gibt es nicht")
    sources = {"areas": args.areas, "population": args.population, "offers": args.offers, "actors": args.actors}
    try:
        layers, problems = read_layers({name: source for name, source in sources.items() if source})
    except LayerFileError as err:
        return _fail(str(err))
    _print_problems(problems)
    if any(p.severity == validation.ERROR for p in problems):
        return _fail("Eingabedaten fehlerhaft (siehe oben) – nichts geschrieben")
    for name in ("areas", "population"):
        if len(layers[name]) == 0:
            return _fail(f"{validation.LAYER_LABELS[name]}: Datei {sources[name]} enthält keine Einträge")
    city = prepare(Workspace(city=split_source(args.areas)[0].stem, layers=layers))
    if not has_age_bands(city.cells, args.target_group):
        bands = ", ".join(TARGET_BANDS[args.target_group])
        return _fail(f"Zielgruppe „{args.target_group}“ braucht in der Bevölkerung die Altersgruppen {bands}")
    params = GapParams(
        target_group=args.target_group,
        threshold_m=args.threshold,
        detour=args.detour,
        min_level=args.min_level,
        min_residents=args.min_residents,
        classification=args.classification,
    )
    with warnings.catch_warnings():  # mapclassify's hint to install numba means nothing to a data team
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        result = analyse(city, params)
    try:
        rows = gapexport.write_csv(result, out)
    except OSError as err:
        return _fail(f"{out} ließ sich nicht schreiben: {err.strerror or err}", code=1)
    print(gapexport.summary(result, out, rows))
    if not args.actors:
        print("Hinweis: ohne --actors ist der Sektoren-Anteil unbekannt; der Lückenindex rechnet ohne ihn")
    return 0


GAPS_HELP = """Mitwirkungslücken je Quartier berechnen und als CSV-Tabelle schreiben.

Eingaben: je Ebene eine Datei im Format von geodata/SCHEMA.md – GeoJSON,
GeoPackage oder Shapefile (auch gezippt), beliebiges Koordinatensystem. Aus
einer Datei mit mehreren Ebenen wird die Ebene gleichen Namens (areas,
population, offers, actors) gelesen oder die mit DATEI:EBENE angegebene.
Alle Ebenen werden zuerst geprüft; bei Fehlern wird nichts geschrieben
(Exit-Code 2), Warnungen werden nur angezeigt.

Ausgabe: eine Zeile je Quartier, UTF-8 mit BOM, Trennzeichen „;“, Dezimalkomma,
ohne Tausendertrennzeichen – so öffnet deutsches Excel die Datei direkt.
Anteile als 0–1; sectors_missing mit „;“ verbunden (in Anführungszeichen);
class = Klasse des Lückenindex (1 = kleinste Lücke, leer wenn nicht
bewertet); suppressed = ja/nein (unter --min-residents Einwohnern bleiben
Anteile, Raten und Index leer). Textzellen, die mit = + - @ beginnen,
erhalten ein vorangestelltes ' (Schutz vor Formeln).

Exit-Codes: 0 geschrieben, 2 ungültige Daten oder Argumente, 1 Schreibfehler."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Quartiersatlas – Kommandozeile")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="Demostadt Musterstadt erzeugen (deterministisch)")
    demo.add_argument("--seed", type=int, default=2016)
    demo.add_argument("--out", default=str(Path("geodata") / "musterstadt.gpkg"))
    demo.set_defaults(func=_cmd_demo)

    assets = sub.add_parser("assets", help="Leaflet-Dateien aus der npm-Registry holen (einmalig beim Setup)")
    assets.add_argument("--dest", default=str(Path("static") / "vendor"))
    assets.set_defaults(func=_cmd_assets)

    gaps = sub.add_parser(
        "gaps",
        help="Mitwirkungslücken je Quartier als CSV (für Datenteams)",
        description=GAPS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gaps.add_argument("--areas", required=True, metavar="DATEI", help="Gebiete (Stadtbezirke und Quartiere)")
    gaps.add_argument("--population", required=True, metavar="DATEI", help="Bevölkerung (100-m-Gitterzellen)")
    gaps.add_argument("--offers", required=True, metavar="DATEI", help="Angebote")
    gaps.add_argument("--actors", metavar="DATEI", help="Akteure (ohne sie rechnet der Lückenindex ohne den Sektoren-Anteil)")
    gaps.add_argument(
        "--target-group", choices=schema.TARGET_GROUPS, default="alle", help="Zielgruppe (Standard: alle)"
    )
    gaps.add_argument(
        "--threshold",
        type=_whole_number(1),
        metavar="METER",
        help="Höchstentfernung in Metern (Standard je Zielgruppe: "
        + ", ".join(f"{group} {m}" for group, m in DEFAULT_THRESHOLD_M.items())
        + ")",
    )
    gaps.add_argument(
        "--detour", type=_detour, default=1.0, metavar="FAKTOR", help="Umwegfaktor auf die Luftlinie (Standard 1.0)"
    )
    gaps.add_argument(
        "--min-level",
        choices=schema.LEVELS,
        default=schema.DEFAULT_PARTICIPATION_LEVEL,
        help="niedrigste Beteiligungsstufe, die zählt (Standard: mitwirkung)",
    )
    gaps.add_argument(
        "--min-residents",
        type=_whole_number(0),
        default=300,
        metavar="N",
        help="Quartiere mit weniger Einwohnern werden nicht bewertet (Standard 300)",
    )
    gaps.add_argument(
        "--classification",
        choices=("quantiles", "natural_breaks"),
        default="quantiles",
        help="Klassen des Lückenindex: Quantile oder natürliche Brüche (Standard: quantiles)",
    )
    gaps.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei (wird ersetzt, falls vorhanden)")
    gaps.set_defaults(func=_cmd_gaps)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
