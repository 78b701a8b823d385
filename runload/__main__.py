"""``python -m runload``: the ``runload`` command line (as ``runload.cli``)."""

import sys

from .cli import main

sys.exit(main())
