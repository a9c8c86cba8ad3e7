"""``python -m hangar_common.cli``."""

import sys

from hangar_common.cli.main import main

sys.exit(main())
