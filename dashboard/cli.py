"""Command line for data teams: one sub-command per task, each a thin call into the core.

Later commands (import, gaps, report, export, migrate) register here the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
