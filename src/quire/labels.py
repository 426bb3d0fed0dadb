"""Words quire itself puts on the page, in the document's language."""

from __future__ import annotations

LABELS = {
    "en": {"contents": "Contents", "notes": "Notes", "figure": "Figure", "table": "Table",
           "page": "page", "landmarks": "Landmarks", "start": "Start of content",
           "pages": "Pages",
           "editors": "Editors", "cover": "Cover", "title_page": "Title page"},
    "nb": {"contents": "Innhold", "notes": "Noter", "figure": "Figur", "table": "Tabell",
           "page": "side", "landmarks": "Orienteringspunkter", "start": "Start på innholdet",
           "pages": "Sider",
           "editors": "Redaktører", "cover": "Omslag", "title_page": "Tittelside"},
    "nn": {"contents": "Innhald", "notes": "Notar", "figure": "Figur", "table": "Tabell",
           "page": "side", "landmarks": "Orienteringspunkt", "start": "Start på innhaldet",
           "pages": "Sider",
           "editors": "Redaktørar", "cover": "Omslag", "title_page": "Tittelside"},
    "da": {"contents": "Indhold", "notes": "Noter", "figure": "Figur", "table": "Tabel",
           "page": "side", "landmarks": "Orienteringspunkter", "start": "Start på indholdet",
           "pages": "Sider",
           "editors": "Redaktører", "cover": "Omslag", "title_page": "Titelblad"},
    "sv": {"contents": "Innehåll", "notes": "Noter", "figure": "Figur", "table": "Tabell",
           "page": "sida", "landmarks": "Orienteringspunkter", "start": "Början av innehållet",
           "pages": "Sidor",
           "editors": "Redaktörer", "cover": "Omslag", "title_page": "Titelsida"},
    "de": {"contents": "Inhalt", "notes": "Anmerkungen", "figure": "Abbildung",
           "table": "Tabelle", "page": "S.", "landmarks": "Orientierungspunkte",
           "start": "Beginn des Inhalts", "pages": "Seiten",
           "editors": "Herausgeber", "cover": "Umschlag", "title_page": "Titelseite"},
    "fr": {"contents": "Table des matières", "notes": "Notes", "figure": "Figure",
           "table": "Tableau", "page": "p.", "landmarks": "Repères",
           "start": "Début du contenu", "pages": "Pages",
           "editors": "Sous la direction de", "cover": "Couverture", "title_page": "Page de titre"},
}
LABELS["no"] = LABELS["nb"]

# The EPUB's accessibility summary, composed from these parts.
SUMMARY = {
    "en": ("Structured text with headings and a table of contents",
           ", text alternatives for every image", ", and the page numbers of the print edition",
           ". No known hazards."),
    "nb": ("Strukturert tekst med overskrifter og innholdsfortegnelse",
           ", tekstalternativ til alle bilder", " og sidetallene fra den trykte utgaven",
           ". Ingen kjente risikoer."),
    "nn": ("Strukturert tekst med overskrifter og innhaldsliste",
           ", tekstalternativ til alle bilete", " og sidetala frå den trykte utgåva",
           ". Ingen kjende risikoar."),
}
SUMMARY["no"] = SUMMARY["nb"]


def summary(lang: str, alt_text: bool, page_numbers: bool) -> tuple[str, str]:
    """(the accessibility summary, its language)."""
    key = lang.split("-")[0].lower()
    key = key if key in SUMMARY else "en"
    base, alt, pages, end = SUMMARY[key]
    return base + (alt if alt_text else "") + (pages if page_numbers else "") + end, key


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang.split("-")[0].lower(), LABELS["en"])
