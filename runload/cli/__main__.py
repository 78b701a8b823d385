"""``python -m runload.cli``: the ``runload`` command line."""

import sys

from . import main

sys.exit(main())
