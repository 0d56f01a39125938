"""``python -m cxmetrics``: the ``cxmetrics`` command (``report``, ``quickstart``)."""

import sys

from cxmetrics.report._cli import main

sys.exit(main())
