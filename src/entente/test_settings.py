"""Settings for the test suite: the production settings with a temporary data directory."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("ENTENTE_TESTING", "1")
if "ENTENTE_DATA_DIR" not in os.environ:
    # Shared with the subprocesses the tests start (they inherit the variable); removed when
    # the process that made it ends.
    os.environ["ENTENTE_DATA_DIR"] = tempfile.mkdtemp(prefix="entente-test-")
    atexit.register(shutil.rmtree, os.environ["ENTENTE_DATA_DIR"], ignore_errors=True)
# The browser tests sign people in through /__e2e__/login/<id>/ (mounted only under test).
os.environ.setdefault("ENTENTE_E2E_SHORTCUT", "1")

from entente.settings import *  # noqa: E402, F403
