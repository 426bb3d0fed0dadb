"""Synthetic books for benchmarks: deterministic Markdown with headings, footnotes, images,
tables and code, at a given number of words."""

from __future__ import annotations

import random
import zlib
import struct
from pathlib import Path

WORDS = ("nukleærmedisin sporstoff pasient undersøkelse behandling kroppen bildet faget "
         "utvikling lege forskning metode resultat analyse dose måling kalibrering "
         "spesialist klinikk avdeling sykehus teknologi fremstilling kunnskap ansvar "
         "samarbeid radiologi onkologi diagnostikk terapi stråling kvalitet system "
         "og i på for med av som til er det en at den de ikke har kan vil skal").split()
CHAPTER_WORDS = 4000


def _png(width: int, height: int) -> bytes:
    """A small grey PNG made without any imaging library."""
    raw = b"".join(b"\x00" + bytes([200, 200, 200]) * width for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def chapter(number: int, rng: random.Random) -> str:
    lines = [f"# Kapittel {number}: {rng.choice(WORDS).capitalize()}", ""]
    notes, words, section = [], 0, 0
    while words < CHAPTER_WORDS:
        if words // 800 > section:
            section = words // 800
            lines += [f"## Del {number}.{section}", ""]
        sentences = [_sentence(rng) for _ in range(rng.randint(3, 7))]
        if rng.random() < 0.3:
            n = len(notes) + 1
            sentences[-1] += f"[^n{n}]"
            notes.append(f"[^n{n}]: {_sentence(rng)}")
        paragraph = " ".join(sentences)
        words += len(paragraph.split())
        lines += [paragraph, ""]
        if words // 2000 != (words - len(paragraph.split())) // 2000:
            lines += ["| Sporstoff | Dose | Tid |", "|---|---:|---|",
                      *[f"| {rng.choice(WORDS)} | {rng.randint(10, 900)} | {rng.randint(1, 60)} min |"
                        for _ in range(4)], "", "Tabell: Doser i kapittel " + str(number), "",
                      "```python", "def dose(a, t):", "    return a * 0.5 ** t", "```", "",
                      f"![Figur i kapittel {number}](figur.png \"Figur til kapittel {number}.\")", ""]
    return "\n".join(lines + [""] + notes) + "\n"


def write_book(root: Path, words: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "figur.png").write_bytes(_png(1500, 1000))   # 300 dpi at full width
    chapters = max(1, round(words / CHAPTER_WORDS))
    for n in range(1, chapters + 1):
        (content / f"{n:03d}-kapittel.md").write_text(chapter(n, rng), encoding="utf-8")
    (root / "quire.toml").write_text(
        f'name = "bok"\ntitle = "Testbok med {words} ord"\nlang = "nb"\n'
        'authors = ["Kari Nordmann"]\ndate = "2026-01-01"\n', encoding="utf-8")
    return root
