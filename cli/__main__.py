"""``python -m cli``: the same as the ``originals`` console script."""

import sys

from cli import main

sys.exit(main())
