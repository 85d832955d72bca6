"""``python -m dashboard <command>``: the command line of Quartiersatlas."""

import sys

from dashboard.cli import main

sys.exit(main())
