"""The map's JavaScript and CSS, served by the app itself instead of public CDNs.

folium points every map at CDNs; where those are unreachable (municipal intranets, this
machine) nothing renders at all. So setup fetches pinned packages from the npm registry
(``install``), Streamlit serves them from ``static/`` (``enableStaticServing``), and every map
is rewritten to those local URLs before it is shown (``localize``). Each tarball is checked
against its pinned sha512, so a registry mirror cannot hand the browser other code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import branca.colormap
import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement


@dataclass(frozen=True)
class Package:
    """An npm package, its tarball's npm integrity (sha512) and the files we use from it (glob patterns,
    package-relative)."""

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


VENDOR = (
    Package(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        ("LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images/*.png"),
    ),
    Package(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        (
            "MIT-LICENCE.txt",
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ),
    ),
    Package(
        "leaflet-gesture-handling",
        "1.2.2",
        "sha512-Blf5V4PoNphWkzL7Y1qge+Spkd4OCQ2atjwUNhMhLIcjKzPcBH++x/lwOinaR9jSqLWqJ6oKYO8d0XdTffy4hQ==",
        ("LICENSE", "dist/leaflet-gesture-handling.min.js", "dist/leaflet-gesture-handling.min.css"),
    ),
)


@dataclass(frozen=True)
class Bundle:
    """Packages installed together, and the marker file in ``dest`` that ``install`` writes last:
    its content says which versions ``dest`` holds."""

    packages: tuple[Package, ...]
    marker: str


#: What every browser gets.
APP = Bundle(VENDOR, ".installed")
#: Only the browser tests use these: axe-core checks every page against WCAG 2.1 A/AA (``--test``).
TESTS = Bundle(
    (
        Package(
            "axe-core",
            "4.14.1",
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
            ("LICENSE", "axe.min.js"),
        ),
    ),
    ".installed-test",
)

#: folium's link names that we serve, mapped to (package, file).
_SERVED = {
    "leaflet": ("leaflet", "dist/leaflet.js"),
    "leaflet_css": ("leaflet", "dist/leaflet.css"),
    "markerclusterjs": ("leaflet.markercluster", "dist/leaflet.markercluster.js"),
    "markerclustercss": ("leaflet.markercluster", "dist/MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet.markercluster", "dist/MarkerCluster.Default.css"),
    "gesturehandlingjs": ("leaflet-gesture-handling", "dist/leaflet-gesture-handling.min.js"),
    "gesturehandlingcss": ("leaflet-gesture-handling", "dist/leaflet-gesture-handling.min.css"),
}
#: folium.Map's defaults for icons and Bootstrap popups; the app uses neither.
_DROPPED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class AssetError(RuntimeError):
    """Setup could not provide the map libraries; the message tells the user what to do."""


def _marker_text(bundle: Bundle) -> str:
    return "".join(f"{package.spec}\n" for package in bundle.packages)


def installed(dest: Path, bundle: Bundle = APP) -> bool:
    """True when ``dest`` holds exactly the pinned versions of ``bundle`` with all their files."""
    marker = dest / bundle.marker
    if not marker.is_file() or marker.read_text(encoding="utf-8") != _marker_text(bundle):
        return False
    return all(
        any(p.is_file() for p in (dest / package.name).glob(pattern))
        for package in bundle.packages
        for pattern in package.files
    )


def install(dest: Path, bundle: Bundle = APP) -> None:
    """Fetch the pinned packages with ``npm pack`` and put their needed files under dest/<name>/.

    npm uses whatever registry the machine is configured for, so no host is named here.
    A second call with the same versions does nothing.
    """
    dest = Path(dest)
    if installed(dest, bundle):
        return
    with tempfile.TemporaryDirectory(prefix="quartiersatlas-npm-") as tmp:
        tmp_dir = Path(tmp)
        tarballs = _npm_pack(tmp_dir, bundle.packages)
        staged = tmp_dir / "staged"
        for package in bundle.packages:
            tarball = tmp_dir / tarballs[package.spec]
            _check_integrity(tarball, package)
            _extract(tarball, package.files, staged / package.name)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / bundle.marker).unlink(missing_ok=True)
        for package in bundle.packages:
            shutil.rmtree(dest / package.name, ignore_errors=True)
            shutil.move(staged / package.name, dest / package.name)
    (dest / bundle.marker).write_text(_marker_text(bundle), encoding="utf-8")


def _check_integrity(tarball: Path, package: Package) -> None:
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode("ascii")
    if digest != package.integrity:
        raise AssetError(
            f"Das Archiv von {package.spec} hat nicht die festgelegte Prüfsumme "
            f"(erwartet {package.integrity}, erhalten {digest}). Bitte die npm-Registry prüfen."
        )


def _npm_pack(cwd: Path, packages: tuple[Package, ...]) -> dict[str, str]:
    """Run one ``npm pack`` for all packages; return spec → tarball file name in ``cwd``."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm wurde nicht gefunden. Die Karten-Bibliotheken (Leaflet) werden beim Setup aus "
            "der npm-Registry geholt: bitte Node.js mit npm installieren "
            "(Debian: apt-get install npm) und `make setup` erneut ausführen."
        )
    specs = [package.spec for package in packages]
    result = subprocess.run(
        [npm, "pack", "--json", "--ignore-scripts", *specs],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        raise AssetError(
            f"`npm pack {' '.join(specs)}` ist fehlgeschlagen (Exit-Code {result.returncode}). "
            f"Ist die npm-Registry erreichbar?\n{result.stderr.strip()}"
        )
    try:
        packed = {f"{entry['name']}@{entry['version']}": entry["filename"] for entry in json.loads(result.stdout)}
    except (ValueError, KeyError, TypeError) as exc:
        raise AssetError(f"Unerwartete Ausgabe von `npm pack --json`:\n{result.stdout[:500]}") from exc
    missing = [spec for spec in specs if spec not in packed]
    if missing:
        raise AssetError(f"npm hat diese Pakete nicht geliefert: {', '.join(missing)}")
    return packed


def _extract(tarball: Path, patterns: tuple[str, ...], target: Path) -> None:
    """Copy the regular files matching ``patterns`` out of an npm tarball into ``target``.

    Members are read, never extracted by tarfile, and the whole tarball is refused if any
    member name is absolute or climbs out with ``..`` (Python 3.11.2 on Debian 12 has no
    extraction filters).
    """
    with tarfile.open(tarball, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts:
                raise AssetError(f"Unsicherer Pfad im Archiv {tarball.name}: {member.name!r}")
        found = {pattern: 0 for pattern in patterns}
        for member in members:
            # npm tarballs have one top folder (usually "package/"); paths are relative to it.
            relative = PurePosixPath(*PurePosixPath(member.name).parts[1:])
            matching = [pattern for pattern in patterns if fnmatch(str(relative), pattern)]
            if not matching or not member.isfile():
                continue
            out = target / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            extracted = tar.extractfile(member)
            assert extracted is not None  # a regular file, see above
            with extracted as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            for pattern in matching:
                found[pattern] += 1
    missing = [pattern for pattern, count in found.items() if count == 0]
    if missing:
        raise AssetError(f"Im Archiv {tarball.name} fehlen: {', '.join(missing)}")


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _resolve(name: str, url: str, base_url: str) -> str | None:
    """The local URL for a folium resource, None to drop it; ValueError for an unknown CDN."""
    if name in _SERVED:
        package, path = _SERVED[name]
        return f"{base_url}/{package}/{path}"
    if name in _DROPPED:
        return None
    if _is_remote(url):
        raise ValueError(
            f"Die Karte lädt {name!r} von {url}, das die App nicht selbst ausliefert. "
            "Paket in dashboard/maps/assets.py (VENDOR und _SERVED) aufnehmen oder das Element weglassen."
        )
    return url


def _localize_links(links: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    resolved = [(name, _resolve(name, url, base_url)) for name, url in links]
    return [(name, url) for name, url in resolved if url is not None]


def _needs_jquery(element) -> bool:
    """folium elements whose JavaScript calls jQuery, which ``localize`` drops."""
    return (
        isinstance(element, folium.Popup)
        or (isinstance(element, folium.Map) and bool(element.objects_to_stay_in_front))
        or (isinstance(element, folium.GeoJson) and not element.embed)
    )


def walk(element):
    """``element`` and everything under it."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


#: folium's map header forbids zooming the map's page: ``maximum-scale=1.0, user-scalable=no``.
_NO_ZOOM = re.compile(r"<meta\s+name=\"viewport\"[^>]*user-scalable=no[^>]*>\s*", re.IGNORECASE)


class _AllowZoom(MacroElement):
    """Takes folium's viewport out of the map's header, so people can pinch-zoom it (WCAG 1.4.4, BITV).

    folium writes that header anew each time the map renders; as the map's child this runs right after.
    """

    def render(self, **kwargs):
        header = self.get_root().header
        name = self._parent.get_name()
        if name in header._children:
            allowed = Element("{{ this.text }}")
            allowed.text = _NO_ZOOM.sub("", header._children[name].render())
            header.add_child(allowed, name=name)
        super().render(**kwargs)


def localize(fmap: folium.Map, base_url: str = "/app/static/vendor") -> folium.Map:
    """Point every script and stylesheet of ``fmap`` at the app's own copies.

    The lists are replaced on each instance (folium's are class attributes shared by every map),
    and streamlit-folium reads exactly these lists. Anything we do not serve raises ValueError,
    so a new plugin cannot quietly bring back a CDN. Links an earlier render already put into the
    page header are rewritten too, so a cached map stays clean. Every map passes here, so this is
    also where the map's page is allowed to zoom.
    """
    base_url = base_url.rstrip("/")
    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError(
                "branca-Farbskalen laden d3 aus dem Internet (streamlit-folium fügt es hinzu); "
                "Legende stattdessen als Streamlit-Element zeigen."
            )
        if _needs_jquery(element):
            raise ValueError(
                f"{type(element).__name__} braucht jQuery, das die App nicht ausliefert; "
                "Tooltip oder GeoJsonPopup verwenden."
            )
        if isinstance(element, folium.elements.JSCSSMixin):
            element.default_js = _localize_links(element.default_js, base_url)
            element.default_css = _localize_links(element.default_css, base_url)
    root = fmap.get_root()
    if isinstance(root, Figure):
        header = root.header._children
        for name, child in list(header.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                url = _resolve(name, child.url, base_url)
                if url is None:
                    del header[name]
                else:
                    child.url = url
    fmap.add_child(_AllowZoom(), name="allow_zoom")
    return fmap
