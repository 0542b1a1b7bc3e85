"""Settings for the test suite: the production settings with a temporary data directory."""

import os
import tempfile

os.environ.setdefault("ENTENTE_TESTING", "1")
os.environ.setdefault("ENTENTE_DATA_DIR", tempfile.mkdtemp(prefix="entente-test-"))

from entente.settings import *  # noqa: E402, F403
