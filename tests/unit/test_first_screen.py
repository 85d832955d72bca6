"""The phone summary of a shared link: its text is escaped, its figures and settings line are kept in order."""

from dashboard.analysis.city import prepare
from dashboard.analysis.indicators import unit_table
from dashboard.model.view import MapView
from dashboard.reports.figures import headline_key_figures, key_figures
from dashboard.web.first_screen import CLASS, summary_html
from tests.support.factories import tiny_workspace


def test_summary_escapes_data_text_and_keeps_the_figures_in_order():
    figures = (("Zielgruppe „<b>Senioren</b>“", "1,2 Tsd.", "1.234"), ("versorgt", "47 %", None))
    html = summary_html(figures, 'Quartier "A&B" · 400 m', "de", title="Quartier <i>A&B</i>")
    assert "<b>Senioren</b>" not in html and "&lt;b&gt;Senioren&lt;/b&gt;" in html
    assert "<p><strong>Quartier &lt;i&gt;A&amp;B&lt;/i&gt;</strong></p>" in html
    assert '<dd title="1.234">1,2 Tsd.</dd>' in html and '<dd title="47 %">47 %</dd>' in html
    assert html.index("Quartier &lt;i&gt;") < html.index("Zielgruppe") < html.index("versorgt")
    assert "<p>Einstellungen der Ansicht: Quartier &quot;A&amp;B&quot; · 400 m</p>" in html
    assert f'class="{CLASS}"' in html and "@media (min-width: 900px)" in html


def test_without_figures_the_summary_is_the_settings_line_alone():
    html = summary_html((), "500 m", "de")
    assert "<dl>" not in html and "<strong>" not in html
    assert html.endswith("<p>Einstellungen der Ansicht: 500 m</p></section>")


def test_a_quartiers_headline_figures_are_its_residents_and_the_map_measures():
    """Am Bach: 300 residents, 200 without an offer in 500 m (200/300 = 67 %), one participation offer (3,3 per
    1,000)."""
    table = unit_table(prepare(tiny_workspace()), MapView())
    rows = key_figures(table, "0101", MapView(), "de")
    assert headline_key_figures(rows, MapView(), "de") == (
        ("Einwohner", "300", None),
        ("ohne Angebot in 500 m (Anteil)", "67\xa0%", None),
        ("Mitwirkungsangebote je 1.000 EW", "3,3", None),
    )
