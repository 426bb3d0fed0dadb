"""The built-in stylesheet (shared, print and EPUB layers) and its fonts, shipped as quire.styles."""
