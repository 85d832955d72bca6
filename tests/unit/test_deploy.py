"""The reference setup in deploy/: the systemd unit passes systemd's own check, and the upload limit is the
same everywhere a city's IT sets it (nginx, Streamlit, the app)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest

from dashboard.store.settings import load_settings
from tests.support.paths import ROOT

DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/quartiersatlas"


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze fehlt (Debian: Paket systemd)")
    unit = (DEPLOY / "systemd" / "quartiersatlas@.service").read_text(encoding="utf-8")
    assert unit.count(INSTALL_DIR) >= 2
    # here the app lives in the checkout, not in /opt: verify checks that ExecStart's program exists
    (tmp_path / "quartiersatlas@.service").write_text(unit.replace(INSTALL_DIR, str(ROOT)), encoding="utf-8")
    checked = subprocess.run(
        [verify, "verify", str(tmp_path / "quartiersatlas@8501.service")], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert "quartiersatlas@8501.service" not in checked.stderr, checked.stderr


def test_the_upload_limit_is_the_same_in_nginx_streamlit_and_the_app():
    nginx = (DEPLOY / "nginx" / "quartiersatlas.conf").read_text(encoding="utf-8")
    [proxy_mb] = re.findall(r"client_max_body_size (\d+)m;", nginx)
    streamlit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"][
        "maxUploadSize"
    ]
    example = (DEPLOY / "quartiersatlas.env.example").read_text(encoding="utf-8")
    [env_mb] = re.findall(r"^QUARTIERSATLAS_UPLOAD_LIMIT_MB=(\d+)$", example, re.MULTILINE)
    assert int(proxy_mb) == streamlit_mb == int(env_mb) == load_settings({}).upload_limit_mb


def test_the_example_settings_carry_no_usable_password():
    example = (DEPLOY / "quartiersatlas.env.example").read_text(encoding="utf-8")
    passwords = re.findall(r"postgresql://[^:/]+:([^@]+)@", example)
    assert passwords and set(passwords) == {"BITTE-SETZEN"}
