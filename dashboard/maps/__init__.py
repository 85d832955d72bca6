"""The maps: folium maps built from analysed data (no streamlit here).

Importing the package makes branca keep already rendered text as text (``rendered_text``): every map
builder lives here, so every map the app renders has it.
"""

from dashboard.maps import rendered_text

rendered_text.install()
