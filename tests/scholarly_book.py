"""A small textbook with references, formulas and index marks (tests/test_scholarly.py)."""

from __future__ import annotations

REFS_BIB = r"""% Real works, as a reference manager exports them.
@book{knuth1984,
  author    = {Donald E. Knuth},
  title     = {The {\TeX}book},
  publisher = {Addison-Wesley},
  address   = {Reading, MA},
  year      = {1984},
  isbn      = {0-201-13447-0},
}

@article{lamport1995,
  author  = {Leslie Lamport},
  title   = {How to Write a Proof},
  journal = {The American Mathematical Monthly},
  volume  = {102},
  number  = {7},
  pages   = {600--608},
  year    = {1995},
  doi     = {10.2307/2974556},
}

@article{shannon1948,
  author  = {Claude E. Shannon},
  title   = {A Mathematical Theory of Communication},
  journal = {Bell System Technical Journal},
  volume  = {27},
  number  = {3},
  pages   = {379--423},
  year    = {1948},
  doi     = {10.1002/j.1538-7305.1948.tb01338.x},
}

@book{goossens1994,
  author    = {Michel Goossens and Frank Mittelbach and Alexander Samarin},
  title     = {The {\LaTeX} Companion},
  publisher = {Addison-Wesley},
  year      = {1994},
}

@inproceedings{erdos1959,
  author    = {Paul Erd{\H{o}}s and Alfr{\'e}d R{\'e}nyi},
  title     = {On Random Graphs {I}},
  booktitle = {Publicationes Mathematicae},
  volume    = {6},
  pages     = {290--297},
  year      = {1959},
}

@online{unicode2023,
  author  = {{The Unicode Consortium}},
  title   = {The Unicode Standard, Version 15.1},
  date    = {2023-09-12},
  url     = {https://www.unicode.org/versions/Unicode15.1.0/},
  urldate = {2024-01-15},
}
"""

FILLER = ("A long paragraph keeps the chapters several pages long, so that index marks stand "
          "on different pages and the page numbers of the index can be checked one by one. ")


def pad(n: int) -> str:
    return "\n\n".join(FILLER * 6 for _ in range(n))


def textbook(style: str = "chicago-author-date") -> dict[str, str]:
    return {
        "quire.toml": f"""
title = "Numbers, Signals and Type"
subtitle = "A short textbook"
lang = "en"
authors = ["Ada Example"]
publisher = "Quire Press"
date = "2026-01-15"
bibliography = "refs.bib"
citation_style = "{style}"
documents = ["01-numbers.md", "02-signals.md", "03-type.md"]
""",
        "refs.bib": REFS_BIB,
        "content/01-numbers.md": f"""# Numbers

Mathematics is written with [TeX]{{.index}}, as described in the book that defined it
[@knuth1984, p. 33]. A proof should be structured [@lamport1995; @knuth1984].

The quadratic formula, $x = \\frac{{-b \\pm \\sqrt{{b^2-4ac}}}}{{2a}}$, solves
$ax^2 + bx + c = 0$ for every [polynomial]{{.index term="Polynomial!quadratic"}} of degree two.
A price of $20 and another of $30 are not mathematics.

$$\\sum_{{k=1}}^{{n}} k = \\frac{{n(n+1)}}{{2}}$$

{pad(4)}

The [binomial theorem]{{.index}} expands powers of sums: \\((a+b)^n\\) has $n+1$ terms.
[Polynomials]{{.index term="Polynomial"}} of any degree are sums of monomials.

{pad(4)}

The [entropy]{{.index}} of a source is treated in the next chapter.
""",
        "content/02-signals.md": f"""# Signals

@shannon1948 founded information theory; see also [-@shannon1948, pp. 379-380] and the
survey of random graphs [see @erdos1959, chap. 2].

\\[ H(X) = -\\sum_{{i}} p_i \\log_2 p_i \\]

[Entropy]{{.index term="entropy"}} is measured in bits.[^note]

[^note]: Shannon chose the word on von Neumann's advice [@shannon1948].

{pad(5)}

[Entropy]{{.index term="entropy"}} again, with $H \\le \\log_2 n$ for $n$ symbols.
The [Ørsted]{{.index}} and [Ångström]{{.index}} units sort by their base letters in English.
[Information]{{.index see="entropy"}} is a word for what entropy measures.

{pad(3)}

[Entropy]{{.index term="entropy"}} on a third page, and on the next one:

{pad(1)}

[Entropy]{{.index term="entropy"}} closes the chapter. [Signals]{{.index term="Signal!sampled"}} are sampled.
""",
        "content/03-type.md": f"""# Type

Typesetting mathematics is an old craft [@goossens1994], and text needs its characters
[@unicode2023].

$$E = mc^2$$

The [Polynomial]{{.index term="Polynomial!quadratic"}} of chapter one returns here, and [TeX]{{.index}} too.

{pad(2)}
""",
    }
