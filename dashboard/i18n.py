"""The one catalog of every text a person reads, German first, English second.

``t(key, lang, **values)`` looks a text up and fills ``{placeholders}``;
codes of the data model are looked up as ``code.<code>``. Numbers, shares and
dates are formatted with babel in the reader's locale (1.234,5 vs 1,234.5).
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
_LOCALES = {"de": "de_DE", "en": "en_GB"}

CATALOG: dict[str, dict[str, str]] = {
    "de": {
        "app.title": "Quartiersatlas",
        "app.tagline": "Akteure, Wohnungsbestand und Angebote im Quartier – und wo Mitwirkungsangebote fehlen",
        "app.language": "Sprache",
        "app.demo_banner": "Demodaten – fiktive Stadt „{city}“. Alle Namen, Zahlen und Orte sind erfunden.",
        "app.demo_short": "Demodaten – fiktive Stadt",
        "app.data_date": "Datenstand: {date}",
        "distance.straight_line": "Luftlinie × Umwegfaktor {detour}",
        "nav.map": "Karte",
        "nav.sources": "Daten & Quellen",
        # Karte page
        "map.heading": "Karte: {city}",
        "map.layers": "Ebenen",
        "map.layer.bezirke": "Stadtbezirke (Grenzen)",
        "map.layer.choropleth": "Mitwirkungslücke je Quartier",
        "map.layer.actors": "Akteure",
        "map.layer.housing": "Wohnungsbestand (je Quartier)",
        "map.layer.offers": "Angebote",
        "map.filters": "Filter",
        "map.filter.bezirk": "Stadtbezirk",
        "map.filter.all_bezirke": "Ganze Stadt",
        "map.filter.sectors": "Sektoren der Akteure",
        "map.filter.categories": "Kategorien der Angebote",
        "map.filter.target_groups": "Zielgruppen der Angebote",
        "map.filter.min_level": "Mindeststufe der Beteiligung (zählt als Mitwirkungsangebot)",
        "map.filter.threshold": "Entfernungsschwelle (m)",
        "map.filter.classification": "Klasseneinteilung",
        "map.measure": "Messgröße der Karte",
        "map.measure.uncovered_share": "Anteil Einwohner weiter als {threshold} m vom nächsten Mitwirkungsangebot",
        "map.measure.offers_per_1000": "Mitwirkungsangebote je 1.000 Einwohner",
        "map.measure.short.uncovered_share": "Anteil ohne Angebot in {threshold} m",
        "map.measure.short.offers_per_1000": "Angebote je 1.000 EW",
        "map.legend": "Legende",
        "map.legend.no_data": "keine Einwohner / unterdrückt",
        "map.legend.classes": "Klassen: {method}, {k} Stufen",
        "map.legend.sectors": "Akteure nach Sektor",
        "map.legend.housing": "Wohnungsbestand: Kreisgröße = Wohnungen im Quartier, Farbe = Anteil geförderter Wohnungen",
        "map.legend.offers": "Angebote: Rand dick = Mitwirkungsangebot",
        "map.click_hint": "Klicken Sie ein Quartier in der Karte an, um seine Kennzahlen zu sehen.",
        "map.ranking": "Quartiere mit der größten Lücke",
        "map.ranking.caption": "Sortiert nach: {measure}. Quartiere unter {min_residents} Einwohnern sind nicht bewertet.",
        "map.method": "Methode",
        "map.method.text": (
            "Luftlinie vom Mittelpunkt jeder bewohnten 100-m-Gitterzelle zum nächsten Mitwirkungsangebot "
            "(Stufe „{level}“ oder höher), multipliziert mit dem Umwegfaktor {detour}. "
            "Eine Zelle gilt als versorgt, wenn dieser Weg höchstens {threshold} m lang ist. "
            "Luftlinie überschätzt die Erreichbarkeit: echte Fußwege sind oft deutlich länger. "
            "Klassen: {method}. Quartiere unter {min_residents} Einwohnern werden nicht bewertet. "
            "Ob Handlungsbedarf besteht, müssen Fachleute vor Ort bestätigen."
        ),
        "map.selected": "Quartier {name}",
        "map.no_selection": "Kein Quartier ausgewählt.",
        "map.clear_selection": "Auswahl aufheben",
        "map.tooltip.actor": "Akteur",
        "map.tooltip.offer": "Angebot",
        "map.tooltip.quartier": "Quartier",
        "map.tooltip.bezirk": "Stadtbezirk",
        "map.no_areas": "Für diese Stadt sind keine Gebiete geladen.",
        # key figures
        "fig.residents": "Einwohner",
        "fig.uncovered_residents": "ohne Angebot in {threshold} m (Personen)",
        "fig.uncovered_share": "ohne Angebot in {threshold} m (Anteil)",
        "fig.participation_offers": "Mitwirkungsangebote",
        "fig.offers_per_1000": "Mitwirkungsangebote je 1.000 EW",
        "fig.offers": "Angebote insgesamt",
        "fig.actors": "Akteure",
        "fig.dwellings": "Wohnungen",
        "fig.subsidised": "davon gefördert",
        "fig.sozialmanagement": "mit Sozialmanagement",
        "fig.age_65_plus": "Anteil ab 65 Jahren",
        "fig.sectors_present": "Vertretene Sektoren",
        "fig.sectors_missing": "Fehlende Sektoren",
        "fig.sector": "Sektor",
        "fig.kind": "Art",
        "fig.category": "Kategorie",
        "fig.target_groups": "Zielgruppen",
        "fig.level": "Beteiligungsstufe",
        "fig.status": "Status",
        "fig.none": "keine",
        "fig.suppressed": "unter {min_residents} Einwohnern – nicht bewertet",
        "fig.rank": "Rang",
        "fig.area": "Quartier",
        "fig.bezirk": "Stadtbezirk",
        "fig.city_value": "Stadt",
        # sources page
        "nav.gaps": "Lückenanalyse",
        "gap.heading": "Lückenanalyse: {city}",
        "gap.intro": "Wo wohnen Menschen einer Zielgruppe ohne Mitwirkungsangebot in erreichbarer Nähe – und wie viele?",
        "gap.target_group": "Zielgruppe",
        "gap.detour": "Umwegfaktor (Luftlinie × Faktor)",
        "gap.min_residents": "Quartiere unter so vielen Einwohnern nicht bewerten",
        "gap.weights": "Gewichte des Lückenindex",
        "gap.component.uncovered_share": "Anteil der Zielgruppe ohne Angebot in Reichweite",
        "gap.component.supply_deficit": "Plätze in Reichweite unter dem Stadtwert (2SFCA)",
        "gap.component.sector_gap": "fehlende Sektoren im Quartier",
        "gap.breaks": "Eigene Klassengrenzen des Index (z. B. 20, 40, 60, 80)",
        "gap.breaks_invalid": "Die Klassengrenzen „{text}“ sind nicht lesbar – es werden Quantile verwendet.",
        "gap.view": "Ansicht",
        "gap.view.map": "Lückenkarte",
        "gap.view.need": "Bedarf × Lücke",
        "gap.layers": "Kartenebenen",
        "gap.layer.grid": "Entfernung im 100-m-Raster",
        "gap.layer.index": "Lückenindex je Quartier",
        "gap.layer.offers": "Mitwirkungsangebote",
        "gap.metric.target": "Zielgruppe „{group}“",
        "gap.metric.uncovered": "ohne Angebot in {threshold} m",
        "gap.metric.covered_share": "versorgt",
        "gap.ranking": "Rangliste: größte Lücke zuerst",
        "gap.col.target_residents": "Zielgruppe (Personen)",
        "gap.col.uncovered": "ohne Angebot (Personen)",
        "gap.col.uncovered_share": "ohne Angebot (Anteil)",
        "gap.col.fca": "Plätze je 1.000 (2SFCA)",
        "gap.col.offers": "Mitwirkungsangebote",
        "gap.col.index": "Lückenindex",
        "gap.col.class": "Klasse",
        "gap.col.components": "Anteile am Index: Entfernung / Versorgung / Sektoren",
        "gap.legend.grid": "Entfernung zum nächsten Mitwirkungsangebot ({method})",
        "gap.legend.grid.up_to": "bis {m} m",
        "gap.legend.grid.beyond": "über {m} m",
        "gap.legend.index": "Lückenindex 0–100 ({method})",
        "gap.legend.offers": "Mitwirkungsangebot – grün: geplant (Szenario), grau: abgeschaltet",
        "gap.offer.on": "zählt als Mitwirkungsangebot",
        "gap.offer.off": "im Szenario abgeschaltet",
        "gap.offer.new": "geplant (Szenario)",
        "gap.click_mode": "Ein Klick in die Karte …",
        "gap.click.select": "wählt ein Quartier",
        "gap.click.place": "setzt ein geplantes Angebot",
        "gap.scenario": "Was wäre, wenn …? Szenario",
        "gap.scenario.new": "Eigenschaften des nächsten geplanten Angebots",
        "gap.scenario.name": "Name",
        "gap.scenario.default_name": "Geplanter Nachbarschaftstreff",
        "gap.scenario.capacity": "Kapazität (Plätze)",
        "gap.scenario.disable": "Bestehendes Angebot ab- oder wieder einschalten",
        "gap.scenario.toggle": "Umschalten",
        "gap.scenario.reset": "Szenario zurücksetzen",
        "gap.scenario.empty": "Noch keine Änderung: Wählen Sie oben „setzt ein geplantes Angebot“ und klicken Sie in die Karte, oder schalten Sie ein Angebot ab.",
        "gap.scenario.changes": "Szenario: {added} geplante Angebote, {disabled} abgeschaltet.",
        "gap.scenario.effect": "Mit dem Szenario sind {after} statt {before} Personen der Zielgruppe versorgt ({delta}).",
        "gap.scenario.col.before": "versorgt vorher",
        "gap.scenario.col.after": "versorgt nachher",
        "gap.scenario.col.change": "Veränderung",
        "gap.scenario.col.index_before": "Index vorher",
        "gap.scenario.col.index_after": "Index nachher",
        "gap.need": "Bedarf",
        "gap.need.indicator": "Bedarfsindikator",
        "need.share_65_plus": "Anteil ab 65 Jahren",
        "need.share_80_plus": "Anteil ab 80 Jahren",
        "need.share_subsidised": "Anteil geförderter Wohnungen",
        "gap.double_need": "doppelter Handlungsbedarf",
        "gap.double_list": "Doppelter Handlungsbedarf: hoher Bedarf und große Lücke (jeweils oberes Drittel der bewerteten Quartiere)",
        "gap.double_none": "Kein Quartier liegt in beiden oberen Dritteln.",
        "gap.bivariate.legend": "Zeilen: Bedarf (unten niedrig, oben hoch) · Spalten: Lücke (links klein, rechts groß)",
        "gap.method": "Methode, Schwellen und Datenstand",
        "gap.method.text": (
            "**Zielgruppe:** {group} ({bands}). **Entfernung:** {method} vom Mittelpunkt jeder bewohnten "
            "100-m-Gitterzelle zum nächsten Mitwirkungsangebot (Stufe „{level}“ oder höher, offen für die "
            "Zielgruppe oder für alle). Versorgt ist, wer höchstens {threshold} m entfernt wohnt. Luftlinie "
            "überschätzt die Erreichbarkeit; echte Fußwege sind oft deutlich länger.\n\n"
            "**Plätze je 1.000 (2SFCA):** Jedes Angebot teilt seine Kapazität auf alle Personen der Zielgruppe "
            "in {threshold} m auf; für jede Zelle werden die Anteile aller erreichbaren Angebote addiert "
            "(fehlende Kapazität = Median der bekannten).\n\n"
            "**Lückenindex 0–100** = 100 × ({w1} × Anteil ohne Angebot + {w2} × Versorgung unter dem Stadtwert "
            "+ {w3} × Anteil fehlender Sektoren) / ({wsum}). **Klassen:** {classes}. Quartiere unter "
            "{min_residents} Einwohnern werden nicht bewertet.\n\n"
            "**Daten:** Stand {date}. Die Rechnung zeigt, wo genauer hinzusehen ist – ob Handlungsbedarf "
            "besteht, müssen Fachleute vor Ort bestätigen."
        ),
        "gap.bands.all": "alle Einwohner",
        "gap.no_age_bands": "Die Bevölkerungsdaten unterscheiden keine Altersgruppen – für „{group}“ kann nicht gerechnet werden.",
        "classify.user": "eigene Grenzen",
        "band.age_0_5": "0–5 Jahre",
        "band.age_6_17": "6–17 Jahre",
        "band.age_18_64": "18–64 Jahre",
        "band.age_65_79": "65–79 Jahre",
        "band.age_80_plus": "80 Jahre und älter",
        "sources.heading": "Daten & Quellen",
        "sources.intro": "Woher die Daten stammen, unter welcher Lizenz sie stehen und wie sie zu nennen sind.",
        "sources.layer": "Ebene",
        "sources.rows": "Einträge",
        "sources.source": "Quelle",
        "sources.licence": "Lizenz",
        "sources.attribution": "Namensnennung",
        "sources.stand": "Stand",
        "sources.basemap": "Hintergrundkarte",
        "sources.basemap.none": "Keine Hintergrundkarte (neutraler Hintergrund, keine Anfrage an fremde Server).",
        "sources.basemap.configured": "Kacheln von {url} – {attribution}",
        "sources.quality": "Datenqualität",
        "sources.quality.summary": "Prüfung gegen das Datenschema: {errors} Fehler, {warnings} Hinweise.",
        "sources.quality.details": "Alle Befunde anzeigen",
        "sources.software": "Software",
        "sources.software.text": "Kartenbibliothek Leaflet (BSD-2-Clause), vom Quartiersatlas selbst ausgeliefert.",
        "layer.areas": "Gebiete",
        "layer.population": "Bevölkerung (100-m-Gitter)",
        "layer.actors": "Akteure",
        "layer.housing": "Wohnungsbestand",
        "layer.offers": "Angebote",
        "layer.cooperations": "Kooperationen",
        "classify.quantiles": "Quantile",
        "classify.natural_breaks": "natürliche Brüche (Fisher-Jenks)",
        # codes of the data model
        "code.wohnungswirtschaft": "Wohnungswirtschaft",
        "code.wohlfahrtspflege": "Freie Wohlfahrtspflege",
        "code.kommune": "Stadt/Kommune",
        "code.zivilgesellschaft": "Zivilgesellschaft",
        "code.begegnung": "Begegnung/Nachbarschaftstreff",
        "code.beratung": "Beratung",
        "code.bildung": "Bildung",
        "code.kinder": "Kinder",
        "code.jugend": "Jugend",
        "code.senioren": "Senioren",
        "code.pflege": "Pflege",
        "code.kultur": "Kultur",
        "code.sport": "Sport",
        "code.gesundheit": "Gesundheit",
        "code.verwaltung": "Verwaltung",
        "code.jugendliche": "Jugendliche",
        "code.familien": "Familien",
        "code.erwachsene": "Erwachsene",
        "code.alle": "alle",
        "code.versorgung": "Versorgung",
        "code.information": "Information",
        "code.konsultation": "Konsultation",
        "code.mitwirkung": "Mitwirkung",
        "code.mitentscheidung": "Mitentscheidung",
        "code.selbstorganisation": "Selbstorganisation",
        "code.genossenschaftlich": "genossenschaftlich",
        "code.kommunal": "kommunal",
        "code.privat": "privat",
        "code.stadtbezirk": "Stadtbezirk",
        "code.quartier": "Quartier",
        "code.netzwerk": "Netzwerk",
        "code.projekt": "Projekt",
        "code.vertrag": "Vertrag",
    },
    "en": {
        "app.title": "Quartiersatlas",
        "app.tagline": "Actors, housing stock and offers in the neighbourhood – and where participation offers are missing",
        "app.language": "Language",
        "app.demo_banner": "Demo data – fictional city “{city}”. All names, figures and places are invented.",
        "app.demo_short": "Demo data – fictional city",
        "app.data_date": "Data as of: {date}",
        "distance.straight_line": "Straight line × detour factor {detour}",
        "nav.map": "Map",
        "nav.sources": "Data & sources",
        "map.heading": "Map: {city}",
        "map.layers": "Layers",
        "map.layer.bezirke": "Districts (boundaries)",
        "map.layer.choropleth": "Participation gap per neighbourhood",
        "map.layer.actors": "Actors",
        "map.layer.housing": "Housing stock (per neighbourhood)",
        "map.layer.offers": "Offers",
        "map.filters": "Filters",
        "map.filter.bezirk": "District",
        "map.filter.all_bezirke": "Whole city",
        "map.filter.sectors": "Sectors of actors",
        "map.filter.categories": "Categories of offers",
        "map.filter.target_groups": "Target groups of offers",
        "map.filter.min_level": "Minimum participation level (counts as participation offer)",
        "map.filter.threshold": "Distance threshold (m)",
        "map.filter.classification": "Classification",
        "map.measure": "Map measure",
        "map.measure.uncovered_share": "Share of residents farther than {threshold} m from the nearest participation offer",
        "map.measure.offers_per_1000": "Participation offers per 1,000 residents",
        "map.measure.short.uncovered_share": "Share without offer within {threshold} m",
        "map.measure.short.offers_per_1000": "Offers per 1,000 residents",
        "map.legend": "Legend",
        "map.legend.no_data": "no residents / suppressed",
        "map.legend.classes": "Classes: {method}, {k} steps",
        "map.legend.sectors": "Actors by sector",
        "map.legend.housing": "Housing stock: circle size = dwellings in the neighbourhood, colour = share of subsidised dwellings",
        "map.legend.offers": "Offers: thick outline = participation offer",
        "map.click_hint": "Click a neighbourhood on the map to see its key figures.",
        "map.ranking": "Neighbourhoods with the largest gap",
        "map.ranking.caption": "Sorted by: {measure}. Neighbourhoods below {min_residents} residents are not rated.",
        "map.method": "Method",
        "map.method.text": (
            "Straight-line distance from the centre of each populated 100 m grid cell to the nearest participation "
            "offer (level “{level}” or higher), multiplied by the detour factor {detour}. A cell counts as covered "
            "when this distance is at most {threshold} m. Straight lines overstate accessibility: real walking "
            "routes are often much longer. Classes: {method}. Neighbourhoods below {min_residents} residents are "
            "not rated. Local experts must confirm any need for action."
        ),
        "map.selected": "Neighbourhood {name}",
        "map.no_selection": "No neighbourhood selected.",
        "map.clear_selection": "Clear selection",
        "map.tooltip.actor": "Actor",
        "map.tooltip.offer": "Offer",
        "map.tooltip.quartier": "Neighbourhood",
        "map.tooltip.bezirk": "District",
        "map.no_areas": "No areas are loaded for this city.",
        "fig.residents": "Residents",
        "fig.uncovered_residents": "without offer within {threshold} m (people)",
        "fig.uncovered_share": "without offer within {threshold} m (share)",
        "fig.participation_offers": "Participation offers",
        "fig.offers_per_1000": "Participation offers per 1,000",
        "fig.offers": "All offers",
        "fig.actors": "Actors",
        "fig.dwellings": "Dwellings",
        "fig.subsidised": "of which subsidised",
        "fig.sozialmanagement": "with social management",
        "fig.age_65_plus": "Share aged 65 and over",
        "fig.sectors_present": "Sectors present",
        "fig.sectors_missing": "Sectors missing",
        "fig.sector": "Sector",
        "fig.kind": "Kind",
        "fig.category": "Category",
        "fig.target_groups": "Target groups",
        "fig.level": "Participation level",
        "fig.status": "Status",
        "fig.none": "none",
        "fig.suppressed": "below {min_residents} residents – not rated",
        "fig.rank": "Rank",
        "fig.area": "Neighbourhood",
        "fig.bezirk": "District",
        "fig.city_value": "City",
        "nav.gaps": "Gap analysis",
        "gap.heading": "Gap analysis: {city}",
        "gap.intro": "Where do people of a target group live without a participation offer within reach – and how many?",
        "gap.target_group": "Target group",
        "gap.detour": "Detour factor (straight line × factor)",
        "gap.min_residents": "Do not rate neighbourhoods below this many residents",
        "gap.weights": "Weights of the gap index",
        "gap.component.uncovered_share": "Share of the target group without an offer within reach",
        "gap.component.supply_deficit": "Places within reach below the city value (2SFCA)",
        "gap.component.sector_gap": "Sectors missing in the neighbourhood",
        "gap.breaks": "Own class breaks of the index (e.g. 20, 40, 60, 80)",
        "gap.breaks_invalid": "The class breaks “{text}” cannot be read – quantiles are used.",
        "gap.view": "View",
        "gap.view.map": "Gap map",
        "gap.view.need": "Need × gap",
        "gap.layers": "Map layers",
        "gap.layer.grid": "Distance on the 100 m grid",
        "gap.layer.index": "Gap index per neighbourhood",
        "gap.layer.offers": "Participation offers",
        "gap.metric.target": "Target group “{group}”",
        "gap.metric.uncovered": "without offer within {threshold} m",
        "gap.metric.covered_share": "covered",
        "gap.ranking": "Ranking: largest gap first",
        "gap.col.target_residents": "Target group (people)",
        "gap.col.uncovered": "without offer (people)",
        "gap.col.uncovered_share": "without offer (share)",
        "gap.col.fca": "Places per 1,000 (2SFCA)",
        "gap.col.offers": "Participation offers",
        "gap.col.index": "Gap index",
        "gap.col.class": "Class",
        "gap.col.components": "Parts of the index: distance / supply / sectors",
        "gap.legend.grid": "Distance to the nearest participation offer ({method})",
        "gap.legend.grid.up_to": "up to {m} m",
        "gap.legend.grid.beyond": "over {m} m",
        "gap.legend.index": "Gap index 0–100 ({method})",
        "gap.legend.offers": "Participation offer – green: planned (scenario), grey: switched off",
        "gap.offer.on": "counts as participation offer",
        "gap.offer.off": "switched off in the scenario",
        "gap.offer.new": "planned (scenario)",
        "gap.click_mode": "A click on the map …",
        "gap.click.select": "selects a neighbourhood",
        "gap.click.place": "places a planned offer",
        "gap.scenario": "What if …? Scenario",
        "gap.scenario.new": "Properties of the next planned offer",
        "gap.scenario.name": "Name",
        "gap.scenario.default_name": "Planned neighbourhood centre",
        "gap.scenario.capacity": "Capacity (places)",
        "gap.scenario.disable": "Switch an existing offer off or on again",
        "gap.scenario.toggle": "Switch",
        "gap.scenario.reset": "Reset scenario",
        "gap.scenario.empty": "No change yet: choose “places a planned offer” above and click on the map, or switch an offer off.",
        "gap.scenario.changes": "Scenario: {added} planned offers, {disabled} switched off.",
        "gap.scenario.effect": "With the scenario {after} instead of {before} people of the target group are covered ({delta}).",
        "gap.scenario.col.before": "covered before",
        "gap.scenario.col.after": "covered after",
        "gap.scenario.col.change": "Change",
        "gap.scenario.col.index_before": "Index before",
        "gap.scenario.col.index_after": "Index after",
        "gap.need": "Need",
        "gap.need.indicator": "Need indicator",
        "need.share_65_plus": "Share aged 65 and over",
        "need.share_80_plus": "Share aged 80 and over",
        "need.share_subsidised": "Share of subsidised dwellings",
        "gap.double_need": "double need for action",
        "gap.double_list": "Double need for action: high need and large gap (top third of rated neighbourhoods in both)",
        "gap.double_none": "No neighbourhood is in both top thirds.",
        "gap.bivariate.legend": "Rows: need (bottom low, top high) · columns: gap (left small, right large)",
        "gap.method": "Method, thresholds and data date",
        "gap.method.text": (
            "**Target group:** {group} ({bands}). **Distance:** {method} from the centre of each populated "
            "100 m grid cell to the nearest participation offer (level “{level}” or higher, open to the target "
            "group or to everyone). Covered means living at most {threshold} m away. Straight lines overstate "
            "accessibility; real walking routes are often much longer.\n\n"
            "**Places per 1,000 (2SFCA):** each offer shares its capacity among all people of the target group "
            "within {threshold} m; each cell adds up its shares of all offers in reach (missing capacity = "
            "median of the known ones).\n\n"
            "**Gap index 0–100** = 100 × ({w1} × share without offer + {w2} × supply below the city value + "
            "{w3} × share of missing sectors) / ({wsum}). **Classes:** {classes}. Neighbourhoods below "
            "{min_residents} residents are not rated.\n\n"
            "**Data:** as of {date}. The result shows where to look closer – local experts must confirm any "
            "need for action."
        ),
        "gap.bands.all": "all residents",
        "gap.no_age_bands": "The population data has no age groups – “{group}” cannot be computed.",
        "classify.user": "own breaks",
        "band.age_0_5": "aged 0–5",
        "band.age_6_17": "aged 6–17",
        "band.age_18_64": "aged 18–64",
        "band.age_65_79": "aged 65–79",
        "band.age_80_plus": "aged 80 and over",
        "sources.heading": "Data & sources",
        "sources.intro": "Where the data come from, their licence and how to credit them.",
        "sources.layer": "Layer",
        "sources.rows": "Entries",
        "sources.source": "Source",
        "sources.licence": "Licence",
        "sources.attribution": "Attribution",
        "sources.stand": "As of",
        "sources.basemap": "Basemap",
        "sources.basemap.none": "No basemap (neutral background, no request to third-party servers).",
        "sources.basemap.configured": "Tiles from {url} – {attribution}",
        "sources.quality": "Data quality",
        "sources.quality.summary": "Checked against the data schema: {errors} errors, {warnings} notes.",
        "sources.quality.details": "Show all findings",
        "sources.software": "Software",
        "sources.software.text": "Map library Leaflet (BSD-2-Clause), served by Quartiersatlas itself.",
        "layer.areas": "Areas",
        "layer.population": "Population (100 m grid)",
        "layer.actors": "Actors",
        "layer.housing": "Housing stock",
        "layer.offers": "Offers",
        "layer.cooperations": "Cooperations",
        "classify.quantiles": "quantiles",
        "classify.natural_breaks": "natural breaks (Fisher-Jenks)",
        "code.wohnungswirtschaft": "Housing industry",
        "code.wohlfahrtspflege": "Welfare associations",
        "code.kommune": "City/municipality",
        "code.zivilgesellschaft": "Civil society",
        "code.begegnung": "Meeting place/neighbourhood centre",
        "code.beratung": "Counselling",
        "code.bildung": "Education",
        "code.kinder": "Children",
        "code.jugend": "Youth",
        "code.senioren": "Seniors",
        "code.pflege": "Care",
        "code.kultur": "Culture",
        "code.sport": "Sport",
        "code.gesundheit": "Health",
        "code.verwaltung": "Administration",
        "code.jugendliche": "Young people",
        "code.familien": "Families",
        "code.erwachsene": "Adults",
        "code.alle": "everyone",
        "code.versorgung": "Provision",
        "code.information": "Information",
        "code.konsultation": "Consultation",
        "code.mitwirkung": "Participation",
        "code.mitentscheidung": "Co-decision",
        "code.selbstorganisation": "Self-organisation",
        "code.genossenschaftlich": "cooperative",
        "code.kommunal": "municipal",
        "code.privat": "private",
        "code.stadtbezirk": "District",
        "code.quartier": "Neighbourhood",
        "code.netzwerk": "Network",
        "code.projekt": "Project",
        "code.vertrag": "Contract",
    },
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to German), placeholders filled."""
    text = CATALOG.get(lang, {}).get(key) or CATALOG[DEFAULT_LANGUAGE][key]
    return text.format(**values) if values else text


def code_label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Readable label of a data-model code; an unknown code is shown as it is."""
    key = f"code.{code}"
    return t(key, lang) if key in CATALOG[DEFAULT_LANGUAGE] else code


def fmt_int(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Whole number with the locale's thousands separator; missing → '–'."""
    if value is None or value != value:
        return "–"
    return format_decimal(round(value), format="#,##0", locale=_LOCALES[lang])


def fmt_num(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int = 1) -> str:
    """Decimal number with ``digits`` decimals; missing → '–'."""
    if value is None or value != value:
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits, locale=_LOCALES[lang])


def fmt_share(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Share 0..1 as a whole percentage ('37 %'); missing → '–'."""
    if value is None or value != value:
        return "–"
    return format_percent(value, locale=_LOCALES[lang])


def fmt_date(iso: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """ISO date as the reader writes it (25.11.2026); unparseable dates stay as they are."""
    try:
        return format_date(date.fromisoformat(iso), format="medium", locale=_LOCALES[lang])
    except (TypeError, ValueError):
        return iso or "–"
