"""Rebuild the theme's fonts in styles/fonts/ (a maintainer's tool; not shipped, not run by builds).

The theme's families are Adobe's Source Serif 4, Source Sans 3 and Source Code Pro, shipped
as Adobe released them (whole TrueType files, one per face: the OFL reserves the name
'Source', so they are not modified). They cover Latin (with Vietnamese), Cyrillic and
Greek, but not all of Latin Extended-A and -B (Sami Ŧ ŧ, Ĭ ĭ, Ĳ ĳ, African letters such as
Ɓ Ɗ Ƙ), nor polytonic Greek or the Cyrillic supplement. A supplement per role fills exactly
those gaps: Noto Serif, Noto Sans and Noto Sans Mono (OFL, no reserved name), each cut down
to the characters the Source face lacks.
The stylesheet names the supplement after the Source family, so every letter of those
scripts comes from a font the theme ships.

    npm pack source-serif@4.5.1 source-sans@3.52.0 source-code-pro@2.42.0   # Adobe's releases
    apt-get install fonts-noto-core fonts-noto-extra                      # Debian 12 (20201225)
    python tools/fonts/build.py DIR_WITH_UNPACKED_NPM_PACKAGES
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parents[2] / "styles" / "fonts"
NOTO = Path(sys.argv[2] if len(sys.argv) > 2 else "/usr/share/fonts/truetype/noto")

# The blocks the theme promises: Latin (Basic, Latin-1, Extended-A/-B/-C/-D/-E, IPA,
# Additional with Vietnamese), Greek (with polytonic), Cyrillic (with supplement and
# extensions), the marks, punctuation, currency and letterlike symbols that go with them.
RANGES = [(0x0020, 0x024F), (0x0250, 0x02AF), (0x02B0, 0x02FF), (0x0300, 0x036F),
          (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0500, 0x052F), (0x1C80, 0x1C8F),
          (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF), (0x2000, 0x206F),
          (0x2070, 0x209F), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2150, 0x218F),
          (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2C60, 0x2C7F), (0x2DE0, 0x2DFF),
          (0xA640, 0xA69F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F), (0xFB00, 0xFB06)]
WANTED = {u for lo, hi in RANGES for u in range(lo, hi + 1)}

# Adobe's faces per role; the supplement's faces (regular, italic, bold, bold italic: its
# bold also serves the semibold, as CSS font matching picks it for 600).
FACES = {
    "serif": ["SourceSerif4-Regular", "SourceSerif4-It", "SourceSerif4-Semibold",
              "SourceSerif4-SemiboldIt", "SourceSerif4-Bold", "SourceSerif4-BoldIt"],
    "sans": ["SourceSans3-Regular", "SourceSans3-It", "SourceSans3-Semibold",
             "SourceSans3-SemiboldIt", "SourceSans3-Bold", "SourceSans3-BoldIt"],
    "mono": ["SourceCodePro-Regular", "SourceCodePro-It", "SourceCodePro-Bold",
             "SourceCodePro-BoldIt"],
}
SUPPLEMENTS = {  # supplement file -> (its source, the Adobe faces whose gaps it fills)
    "serif": {"Regular": ("NotoSerif-Regular", "SourceSerif4-Regular"),
              "Italic": ("NotoSerif-Italic", "SourceSerif4-It"),
              "Bold": ("NotoSerif-Bold", "SourceSerif4-Bold"),
              "BoldItalic": ("NotoSerif-BoldItalic", "SourceSerif4-BoldIt")},
    "sans": {"Regular": ("NotoSans-Regular", "SourceSans3-Regular"),
             "Italic": ("NotoSans-Italic", "SourceSans3-It"),
             "Bold": ("NotoSans-Bold", "SourceSans3-Bold"),
             "BoldItalic": ("NotoSans-BoldItalic", "SourceSans3-BoldIt")},
    # Noto Sans Mono has no italics: its upright faces serve the italic ones too.
    # (Source Code Pro's italics have no Greek or Cyrillic at all.)
    "mono": {"Regular": ("NotoSansMono-Regular", "SourceCodePro-Regular", "SourceCodePro-It"),
             "Bold": ("NotoSansMono-Bold", "SourceCodePro-Bold", "SourceCodePro-BoldIt")},
}
PACKAGES = {"serif": "source-serif-4.5.1", "sans": "source-sans-3.52.0", "mono": "source-code-pro-2.42.0"}


def supplement(source: Path, lacking: set[int], target: Path) -> None:
    font = TTFont(source)
    have = set(font.getBestCmap()) & lacking
    options = subset.Options()
    options.layout_features += ["case", "frac", "locl", "smcp", "c2sc"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(have))
    subsetter.subset(font)
    font.save(target)


def main(packages: Path) -> None:
    (OUT / "supplement").mkdir(parents=True, exist_ok=True)
    for role, faces in FACES.items():
        package = packages / PACKAGES[role] / "package"
        shutil.copy(package / "LICENSE.md", OUT / f"LICENSE-{PACKAGES[role].rsplit('-', 1)[0]}.md")
        for name in faces:
            shutil.copy(package / "TTF" / f"{name}.ttf", OUT / f"{name}.ttf")
        for style, (extra, *filled) in SUPPLEMENTS[role].items():
            have = set.intersection(*(set(TTFont(package / "TTF" / f"{face}.ttf").getBestCmap())
                                      for face in filled))
            lacking = WANTED - have
            supplement(NOTO / f"{extra}.ttf", lacking, OUT / "supplement" / f"{role}-{style}.ttf")
    shutil.copy("/usr/share/doc/fonts-noto-core/copyright", OUT / "supplement" / "LICENSE-Noto.txt")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
