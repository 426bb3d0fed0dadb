"""`python -m quire`: the same command line as `quire` (cli.main)."""

import sys

from .cli import main

sys.exit(main())
