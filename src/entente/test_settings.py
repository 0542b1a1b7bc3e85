"""Settings for the test suite: the production settings with a temporary data directory."""

import os
import tempfile

os.environ.setdefault("ENTENTE_TESTING", "1")
os.environ.setdefault("ENTENTE_DATA_DIR", tempfile.mkdtemp(prefix="entente-test-"))
# The browser tests sign people in through /__e2e__/login/<id>/ (mounted only under test).
os.environ.setdefault("ENTENTE_E2E_SHORTCUT", "1")

from entente.settings import *  # noqa: E402, F403
