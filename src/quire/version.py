"""quire's version: one place, read by the package, the CLI, the cache keys and the PDF's
producer line."""

__version__ = "0.1.0"
