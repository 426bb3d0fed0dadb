"""Words quire itself puts on the page, in the document's language."""

from __future__ import annotations

LABELS = {
    "en": {"contents": "Contents", "notes": "Notes", "figure": "Figure", "table": "Table",
           "page": "page", "landmarks": "Landmarks", "start": "Start of content",
           "pages": "Pages"},
    "nb": {"contents": "Innhold", "notes": "Noter", "figure": "Figur", "table": "Tabell",
           "page": "side", "landmarks": "Orienteringspunkter", "start": "Start på innholdet",
           "pages": "Sider"},
    "nn": {"contents": "Innhald", "notes": "Notar", "figure": "Figur", "table": "Tabell",
           "page": "side", "landmarks": "Orienteringspunkt", "start": "Start på innhaldet",
           "pages": "Sider"},
    "da": {"contents": "Indhold", "notes": "Noter", "figure": "Figur", "table": "Tabel",
           "page": "side", "landmarks": "Orienteringspunkter", "start": "Start på indholdet",
           "pages": "Sider"},
    "sv": {"contents": "Innehåll", "notes": "Noter", "figure": "Figur", "table": "Tabell",
           "page": "sida", "landmarks": "Orienteringspunkter", "start": "Början av innehållet",
           "pages": "Sidor"},
    "de": {"contents": "Inhalt", "notes": "Anmerkungen", "figure": "Abbildung",
           "table": "Tabelle", "page": "S.", "landmarks": "Orientierungspunkte",
           "start": "Beginn des Inhalts", "pages": "Seiten"},
    "fr": {"contents": "Table des matières", "notes": "Notes", "figure": "Figure",
           "table": "Tableau", "page": "p.", "landmarks": "Repères",
           "start": "Début du contenu", "pages": "Pages"},
}
LABELS["no"] = LABELS["nb"]


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang.split("-")[0].lower(), LABELS["en"])
