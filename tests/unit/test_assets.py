"""The map must load nothing from the internet, and setup must fetch its libraries safely."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sys
import tarfile
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import branca.colormap
import folium
import pytest
import streamlit_folium
from folium.plugins import FastMarkerCluster, MarkerCluster

from dashboard.maps import assets

BASE = "/app/static/vendor"

POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Altstadt"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[9.17, 48.77], [9.18, 48.77], [9.18, 48.78], [9.17, 48.77]]],
            },
        }
    ],
}


def _map() -> folium.Map:
    fmap = folium.Map(location=[48.775, 9.175], zoom_start=14, tiles=None, max_zoom=18)
    folium.GeoJson(POLYGON, tooltip=folium.GeoJsonTooltip(["name"])).add_to(fmap)
    cluster = MarkerCluster().add_to(fmap)
    folium.CircleMarker([48.775, 9.175], radius=4).add_to(cluster)
    FastMarkerCluster([[48.776, 9.176], [48.777, 9.177]]).add_to(fmap)
    return fmap


def _st_folium_sends(fmap: folium.Map, monkeypatch) -> dict:
    """What streamlit-folium would send to the browser (links, header, script)."""
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    streamlit_folium.st_folium(fmap, returned_objects=[])
    return sent


def test_localized_map_sends_only_local_links(monkeypatch):
    sent = _st_folium_sends(assets.localize(_map()), monkeypatch)
    links = sent["js_links"] + sent["css_links"]
    assert links and all(link.startswith(BASE + "/") for link in links), links
    assert f"{BASE}/leaflet/dist/leaflet.js" in links
    assert f"{BASE}/leaflet.markercluster/dist/leaflet.markercluster.js" in links


def test_rendered_html_has_no_remote_script_or_stylesheet():
    html = assets.localize(_map()).get_root().render()
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=\"(https?:)?//", html), html[:2000]


def test_localize_cleans_a_map_rendered_before():
    """A cached map may have been rendered with folium's CDN links in its header already."""
    fmap = _map()
    fmap.get_root().render()
    html = assets.localize(fmap).get_root().render()
    assert "cdn" not in html and "jquery" not in html


def test_localized_map_may_be_zoomed_and_keeps_its_header(monkeypatch):
    fmap = assets.localize(_map())
    header = _st_folium_sends(fmap, monkeypatch)["header"]
    html = assets.localize(fmap).get_root().render()  # a cached map, rendered again
    for text in (header, html):
        assert "user-scalable" not in text and "maximum-scale" not in text
        assert ".leaflet-container { font-size: 1rem; }" in text


def test_localize_leaves_folium_class_defaults_alone():
    assets.localize(_map())
    assert folium.Map.default_js[0][1].startswith("https://")


def test_every_local_url_is_a_vendored_file():
    for package, path in assets._SERVED.values():
        (vendored,) = [p for p in assets.VENDOR if p.name == package]
        assert path in vendored.files


class _CdnPlugin(folium.elements.JSCSSMixin):
    default_js = [("mystery", "https://cdn.example.org/mystery.js")]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (_CdnPlugin, "cdn.example.org"),
        (lambda: folium.Marker([48.77, 9.17], popup="braucht jQuery"), "jQuery"),
        (lambda: branca.colormap.LinearColormap(["white", "blue"], vmin=0, vmax=1), "d3"),
    ],
    ids=["unknown-cdn", "jquery-popup", "d3-colormap"],
)
def test_localize_refuses_what_would_load_from_the_internet(extra, reason):
    fmap = _map()
    fmap.add_child(extra())
    with pytest.raises(ValueError, match=reason):
        assets.localize(fmap)


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_extraction_refuses_a_member_outside_the_target(tmp_path):
    tarball = _tarball(tmp_path / "evil.tgz", {"package/dist/leaflet.js": b"ok", "../evil": b"x"})
    with pytest.raises(assets.AssetError, match="Unsicherer Pfad"):
        assets._extract(tarball, ("dist/leaflet.js",), tmp_path / "out")
    assert not (tmp_path / "evil").exists()
    assert not (tmp_path / "out").exists()


def test_extraction_reports_missing_files(tmp_path):
    tarball = _tarball(tmp_path / "thin.tgz", {"package/dist/leaflet.js": b"ok"})
    with pytest.raises(assets.AssetError, match="dist/leaflet.css"):
        assets._extract(tarball, ("dist/leaflet.js", "dist/leaflet.css"), tmp_path / "out")


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


@pytest.fixture
def fake_npm(tmp_path, monkeypatch) -> SimpleNamespace:
    """An ``npm`` on PATH that answers ``npm pack --json`` with prepared tarballs and logs its calls; with
    the app's and the tests' bundles pinned to those tarballs' checksums."""
    store = tmp_path / "tarballs"
    store.mkdir()
    pinned = {}
    for bundle in (assets.APP, assets.TESTS):
        packages = []
        for package in bundle.packages:
            files = {}
            for pattern in package.files:
                name = pattern.replace("*", "marker-icon")
                files[f"package/{name}"] = f"/* {package.spec} {name} */".encode()
            files["package/README.md"] = b"not needed"
            tarball = _tarball(store / f"{package.name}-{package.version}.tgz", files)
            packages.append(replace(package, integrity=_integrity(tarball)))
        pinned[bundle.marker] = replace(bundle, packages=tuple(packages))
    log = tmp_path / "npm-calls.log"
    script = tmp_path / "bin" / "npm"
    script.parent.mkdir()
    script.write_text(
        f"""#!{sys.executable}
import json, shutil, sys
from pathlib import Path
with open({str(log)!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
out = []
for spec in sys.argv[2:]:
    if spec.startswith("--"):
        continue
    name, version = spec.rsplit("@", 1)
    filename = f"{{name}}-{{version}}.tgz"
    shutil.copy(Path({str(store)!r}) / filename, filename)
    out.append({{"name": name, "version": version, "filename": filename}})
print(json.dumps(out))
"""
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    return SimpleNamespace(log=log, app=pinned[assets.APP.marker], tests=pinned[assets.TESTS.marker])


def test_install_places_files_and_second_call_does_nothing(tmp_path, fake_npm):
    dest = tmp_path / "static" / "vendor"
    assets.install(dest, fake_npm.app)
    assert (dest / "leaflet" / "dist" / "leaflet.js").read_bytes() == b"/* leaflet@1.9.4 dist/leaflet.js */"
    assert (dest / "leaflet" / "dist" / "images" / "marker-icon.png").is_file()
    assert (dest / "leaflet.markercluster" / "MIT-LICENCE.txt").is_file()
    assert not (dest / "leaflet" / "README.md").exists()
    assert assets.installed(dest, fake_npm.app)
    calls = fake_npm.log.read_text().splitlines()
    assert calls == [
        "pack --json --ignore-scripts leaflet@1.9.4 leaflet.markercluster@1.5.3 leaflet-gesture-handling@1.2.2"
    ]

    assets.install(dest, fake_npm.app)
    assert fake_npm.log.read_text().splitlines() == calls


def test_install_repairs_a_partial_copy(tmp_path, fake_npm):
    dest = tmp_path / "vendor"
    assets.install(dest, fake_npm.app)
    (dest / "leaflet" / "dist" / "leaflet.css").unlink()
    assets.install(dest, fake_npm.app)
    assert (dest / "leaflet" / "dist" / "leaflet.css").is_file()
    assert len(fake_npm.log.read_text().splitlines()) == 2


def test_install_refuses_a_tarball_with_another_checksum(tmp_path, fake_npm):
    """The fake tarballs are not the registry's: against the real pins nothing may be installed."""
    dest = tmp_path / "vendor"
    with pytest.raises(assets.AssetError, match="leaflet@1.9.4 hat nicht die festgelegte Prüfsumme"):
        assets.install(dest, assets.APP)
    assert not dest.exists()


def test_the_test_bundle_installs_beside_the_app_without_touching_it(tmp_path, fake_npm):
    dest = tmp_path / "vendor"
    assets.install(dest, fake_npm.app)
    assert not assets.installed(dest, fake_npm.tests)
    assets.install(dest, fake_npm.tests)
    assert (dest / "axe-core" / "axe.min.js").read_bytes() == b"/* axe-core@4.14.1 axe.min.js */"
    assert assets.installed(dest, fake_npm.app) and assets.installed(dest, fake_npm.tests)
    assert fake_npm.log.read_text().splitlines()[-1] == "pack --json --ignore-scripts axe-core@4.14.1"


def test_install_without_npm_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(assets.AssetError, match="npm wurde nicht gefunden"):
        assets.install(tmp_path / "vendor")


def test_install_reports_a_failing_npm(tmp_path, monkeypatch):
    script = tmp_path / "npm"
    script.write_text("#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(assets.AssetError, match="fehlgeschlagen.*\n.*404"):
        assets.install(tmp_path / "vendor")
