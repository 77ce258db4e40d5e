"""Settings of the backup benchmark: the test settings with the media folder and database given
by the driver (BENCH_MEDIA_ROOT, DATABASE_URL), so that its worker processes share them."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import STORAGES

MEDIA_ROOT = Path(os.environ["BENCH_MEDIA_ROOT"])
for alias in ("photos", "archives"):
    folder = "private" if alias == "photos" else alias
    STORAGES[alias]["OPTIONS"]["location"] = MEDIA_ROOT / folder
