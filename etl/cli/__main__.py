"""`python -m etl.cli`, as the `news-etl` console script."""

import sys

from etl.cli import main

sys.exit(main())
