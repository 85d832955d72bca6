"""The app's web server: Streamlit's, with the unchanging browser files answered from memory.

Started as ``python -m streamlit run dashboard/web/server.py`` from the project folder (Makefile,
deploy/, the tests); Streamlit finds ``app`` and runs it on uvicorn. The pages are ``app.py`` as
before, and AppTest still runs ``app.py`` directly. See ``frontend_files`` for why.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.web.frontend_files import FrontendFiles

ROOT = Path(__file__).resolve().parents[2]

app = st.App(ROOT / "app.py", middleware=[Middleware(FrontendFiles, app_static=ROOT / "static")])
