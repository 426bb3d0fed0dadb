"""Fixture projects the tests build: a book, a journal issue, a folder with no config."""

from __future__ import annotations

import io

from PIL import Image

FILLER = ("Nukleærmedisinske undersøkelser gir bilder av funksjon, ikke bare av form, "
          "og krever samarbeid mellom leger, fysikere og radiokjemikere. ")


def image(fmt: str, size=(900, 600), colour=(30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, dpi=(300, 300))
    return out.getvalue()


def notes_chapter(prefix: str, count: int) -> tuple[str, str]:
    """Paragraphs of varying length, each with a marked footnote call; and the notes."""
    body, notes = [], []
    for n in range(1, count + 1):
        body.append(f"Merke {prefix}{n} står her.[^{prefix}{n}] " + FILLER * (1 + n % 4))
        notes.append(f"[^{prefix}{n}]: Notetekst {prefix}{n} forklarer kilden.")
    return "\n\n".join(body), "\n".join(notes)


def book() -> dict[str, str | bytes]:
    text1, notes1 = notes_chapter("A", 14)
    text2, notes2 = notes_chapter("B", 6)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">'
           '<rect width="300" height="120" fill="#ddd"/><circle cx="60" cy="60" r="40" fill="#a33"/></svg>')
    return {
        "quire.toml": """
title = "Håndbok i nukleærmedisin"
subtitle = "Fra sporstoff til behandling"
lang = "nb"
authors = ["Kari Nordmann", { name = "Ola Nordmann", affiliation = "Helse Stavanger" }]
publisher = "Quire Forlag"
rights = "© 2026 Kari Nordmann og Ola Nordmann"
isbn = "978-82-02-00000-2"
date = "2026-03-01"
cover = "content/bilder/omslag.jpg"
documents = ["01-innledning.md", "02-metoder.md", "03-resultater.md"]
""",
        "content/bilder/omslag.jpg": image("JPEG", (1240, 1754), (120, 20, 40)),
        "content/bilder/skanner.png": image("PNG"),
        "content/bilder/kurve.gif": image("GIF", (400, 200), (20, 120, 60)),
        "content/bilder/foto.jpg": image("JPEG", (800, 500)),
        "content/bilder/figur.svg": svg,
        "content/01-innledning.md": f"""# Innledning

Denne boken handler om «nukleærmedisin» og om hvordan faget brukes i klinikken.

![En PET-CT-skanner sett forfra](bilder/skanner.png "PET-CT-skanneren ved sykehuset."){{#fig-skanner}}

Se [Målemetoder](02-metoder.md#målemetoder){{.page}} for detaljer, og [](#fig-skanner) for utstyret.

{text1}

## Historikk

Faget fikk status som egen hovedspesialitet i 1996.

{notes1}
""",
        "content/02-metoder.md": f"""# Metoder

## Målemetoder

Utstyret er vist i [](01-innledning.md#fig-skanner). Målingene står i [](#tbl-doser).

| Sporstoff | Dose (MBq) | Halveringstid |
|-----------|-----------:|---------------|
| FDG       | 250        | 110 min       |
| Tc-99m    | 600        | 6 t           |

Tabell: Typiske doser per undersøkelse {{#tbl-doser}}

```python
def aktivitet(a0: float, t: float, halveringstid: float) -> float:
    return a0 * 0.5 ** (t / halveringstid)  # <b>ikke</b> HTML
```

{text2}

### Kalibrering

Instrumentene kalibreres daglig.

{notes2}
""",
        "content/03-resultater.md": """# Resultater

> Et godt bilde sier mer enn tusen ord.

![Kurve over aktivitet](bilder/kurve.gif "Aktivitet over tid.")

![Skanneren igjen](bilder/skanner.png "Den samme skanneren, brukt på nytt.")

![Et fotografi av laboratoriet](bilder/foto.jpg "Laboratoriet.")

![Skjematisk tegning](bilder/figur.svg "Skjematisk tegning.")

1. Første punkt
2. Andre punkt
    - underpunkt

PET
:   Positronemisjonstomografi

!!! note "Merk"
    Resultatene er foreløpige.

## Diskusjon

Resultatene viser at metoden virker.
""",
    }


def journal_issue() -> dict[str, str]:
    articles = {}
    people = [("Lisbet T. Kongsvik", "Aktuelt i foreningen"), ("Per Hansen", "Originalartikkel"),
              ("Anne Berg", "Kronikk")]
    for n, (author, section) in enumerate(people, 1):
        articles[f"content/artikkel-{n}.md"] = f"""---
title: Artikkel nummer {n}
section: {section}
authors:
  - name: {author}
    email: forfatter{n}@example.org
lead: Ingressen til artikkel {n}.
---

Brødtekst i artikkel {n}. {FILLER * 6}

## Bakgrunn {n}

{FILLER * 8}
"""
    return {"quire.toml": """
title = "Tidsskriftet 12/2026"
journal = "Tidsskrift for Den norske legeforening"
publisher = "Den norske legeforening"
lang = "nb"
date = "2026-11-25"
""", **articles}


def loose_folder() -> dict[str, str]:
    """Markdown files with no quire.toml and no content/ folder."""
    return {
        "README.md": "Bare tekst uten overskrift, med en [lenke](guide/intro.md).\n",
        "guide/intro.md": "# Introduction\n\nSome text.\n\n## Getting started\n\nMore.\n",
        "guide/advanced/deep.md": "# Deep dive\n\n### A skipped level\n\nText.\n",
        "other/intro.md": "# Another introduction\n\nSame file name, other folder.\n",
        "empty.md": "",
    }
