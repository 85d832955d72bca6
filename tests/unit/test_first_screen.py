"""The phone summary of a shared link: its text is escaped, its figures and settings line are kept in order."""

from dashboard.web.first_screen import CLASS, summary_html


def test_summary_escapes_data_text_and_keeps_the_figures_in_order():
    figures = (("Zielgruppe „<b>Senioren</b>“", "1,2 Tsd.", "1.234"), ("versorgt", "47 %", None))
    html = summary_html(figures, 'Quartier "A&B" · 400 m', "de")
    assert "<b>Senioren</b>" not in html and "&lt;b&gt;Senioren&lt;/b&gt;" in html
    assert '<dd title="1.234">1,2 Tsd.</dd>' in html and '<dd title="47 %">47 %</dd>' in html
    assert html.index("Zielgruppe") < html.index("versorgt")
    assert "<p>Einstellungen der Ansicht: Quartier &quot;A&amp;B&quot; · 400 m</p>" in html
    assert f'class="{CLASS}"' in html and "@media (min-width: 900px)" in html
