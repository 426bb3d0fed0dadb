"""Projects for tests/test_design.py: a generated book with figures of many pixel sizes,
code and long words, a real book from the corpus, and a fixture made to contain each
problem the layout report finds."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ydkjs-1st-ed"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/ydkjs-1st-ed")

WORDS = ("The interpretation of characteristically incomprehensible responsibilities "
         "demands straightforward internationalization, notwithstanding "
         "counterproductive misunderstandings about implementation. Typographers "
         "recommend reasonable measures, accommodating extraordinarily "
         "disproportionate paragraphs with uncharacteristically long vocabulary. ")


def line_art(size: tuple[int, int], mode: str = "RGB") -> bytes:
    """A diagram: thin lines and boxes on white (lossless art), as PNG."""
    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    w, h = size
    for x in range(0, w, max(4, w // 12)):
        draw.line([(x, 0), (x, h - 1)], fill=(20, 60, 160) if mode == "RGB" else 0)
    draw.rectangle([w // 5, h // 5, w * 4 // 5, h * 4 // 5],
                   outline=(200, 20, 20) if mode == "RGB" else 0, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


CODE = '''```js
function foo(a) {
    var b = a * 2; // a comment that is long enough to need wrapping at the measure of this book page
    return someVeryLongFunctionName(b, anotherArgumentWithALongName, yetAnotherArgument, more);
}
```'''

FIGURES = [((160, 100), "a small icon"), ((600, 400), "a diagram"), ((1600, 900), "a wide chart"),
           ((344, 511), "a tall diagram"), ((300, 2000), "a very tall strip"), ((229, 180), "a tiny plot")]


def generated_book(chapters: int = 4) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "quire.toml": 'title = "A Generated Book"\nauthors = ["Ada Writer"]\nlang = "en"\n'}
    for n in range(1, chapters + 1):
        parts = [f"# Chapter {n}: Things of kind {n}\n"]
        for k in range(8):
            parts.append(f"Paragraph {k}. " + WORDS * 3 + " Run `git push origin/master --ignore-unmatch` "
                         "and `git rebase --interactive` before visiting https://example.com/a/long/path "
                         "or writing to someone@example.org about tidsskriftet.no.")
            if k == 2:
                parts.append(CODE)
            if k == 4:
                parts.append(f"## Section {n}.{k}\n")
            if k in (1, 5):
                (w, h), what = FIGURES[(n + k) % len(FIGURES)]
                name = f"fig-{n}-{k}.png"
                files[f"content/{name}"] = line_art((w, h))
                parts.append(f'![{what.capitalize()}]({name} "A figure of {what}, {w} by {h} pixels.")')
        files[f"content/ch{n}.md"] = "\n\n".join(parts) + "\n"
    return files


def ydkjs_book(root: Path, book: str = "scope & closures") -> Path:
    """A book of the corpus as a project: its chapters and appendices, with a quire.toml."""
    source = CORPUS / book
    content = root / "content"
    content.mkdir(parents=True)
    names = sorted(p.name for p in source.glob("ch*.md")) + sorted(p.name for p in source.glob("ap*.md"))
    for name in names:
        shutil.copy(source / name, content / name)
    for image in source.glob("fig*.png"):
        shutil.copy(image, content / image.name)
    documents = ", ".join(f'"{n}"' for n in names)
    (root / "quire.toml").write_text(
        f'title = "You Don\'t Know JS: {book.title()}"\nauthors = ["Kyle Simpson"]\nlang = "en"\n'
        f"documents = [{documents}]\n", encoding="utf-8")
    return root


FILLER = ("This sentence fills the page with ordinary words so that the layout has some text "
          "to break into lines and pages. ")


def problems_book() -> dict[str, str | bytes]:
    """A small book made to contain each problem the layout report names."""
    long_note = " ".join(["The note goes on with more words that take up space at the foot."] * 14)
    compounds = " ".join(["state-of-the-art well-to-do up-to-date mother-in-law"] * 30)
    return {
        "quire.toml": 'title = "Problems"\nlang = "en"\n[pdf]\nresolution = 150\n',
        "content/tall.png": line_art((300, 1400)),
        "content/small.png": line_art((160, 100)),
        "content/big.png": line_art((900, 1500)),
        # A tall figure that does not fit under the text before it, pinned where it is
        # ({.here}: quire would otherwise move it past the text after it): a hole.
        "content/ch1.md": "# One\n\n" + "\n\n".join([FILLER * 6] * 3)
        + '\n\n![A tall strip](tall.png "A tall strip."){.here}\n\n'
        + "\n\n".join([FILLER * 5] * 4) + "\n",
        # Notes called all down the pages, each too long to fit under a call near the foot.
        "content/ch2.md": "# Two\n\n" + "\n\n".join(
            FILLER * (1 + n % 5) + f"Call {n}.[^n{n}]" for n in range(16)) + "\n\n"
        + "\n".join(f"[^n{n}]: {long_note[:300 + 40 * (n % 7)]}" for n in range(16)) + "\n",
        # Explicit hyphens in a narrow table cell make a ladder no hyphenation rule prevents;
        # an identifier too long for the line runs over; a small image is stretched.
        "content/ch3.md": "# Three\n\n| A | B | C | D |\n|---|---|---|---|\n"
        f"| {compounds} | x | y | z |\n\n"
        "Call `anIdentifierSoLongThatNoLineOfThisBookCanHoldItWhateverHappensToTheMeasure()` now.\n\n"
        '![A stretched icon](small.png){width=100%}\n\n' + FILLER * 3 + "\n",
        # Headings allowed to end a page (by the project's own stylesheet, custom.css).
        # (and, since the theme now keeps captions with figures and breaks long words, the
        # same stylesheet undoes that for the figure of ch4 and the identifier of ch3)
        # (and notes deferred as WeasyPrint does by itself: footnote-policy auto)
        "styles/custom.css": "h3 { break-after: auto; } p { orphans: 1; widows: 1; }\n"
        ".footnote { footnote-policy: auto; }\n"
        "p, li { overflow-wrap: normal; }\n"
        "figure { break-inside: auto; } img { max-height: none; }\n",
        "content/ch5.md": "# Five\n\n" + "\n\n".join(
            f"### Heading {n}\n\n" + " ".join(["Words fill lines."] * (3 + 7 * n % 23))
            for n in range(24)) + "\n",
        # A figure first referred to two pages before it; paragraphs of every length let
        # single lines fall at the top and the foot of pages (widows and orphans).
        "content/ch6.md": "# Six\n\nAs [](#fig-far) shows, pages come first.\n\n"
        + "\n\n".join("Words fill lines. " * (4 + 7 * n % 29) for n in range(40))
        + '\n\n![A far figure](small.png "Far."){#fig-far .here}\n',
        # A figure whose caption cannot stay with its image.
        "content/ch4.md": "# Four\n\n" + FILLER * 4 + '\n\n![A big diagram](big.png "'
        + "A caption long enough to need many lines under its image. " * 14 + '")\n\n'
        + FILLER * 4 + "\n",
    }
