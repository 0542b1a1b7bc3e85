"""The demo territory: a fictional valley's organisations and people, loaded by ``entente demo``.

``data`` (organisations, services trees, mandates, personas), ``jobs`` (job titles) and
``names`` (first and last names) hold what is written by hand,
``plan`` turns it into the same people on every run (seeded ``random.Random``, no database),
``builder`` writes the plan to the database, adding only what is missing.
"""

from entente.core.demo.builder import DemoConflict, DemoResult, load_demo
from entente.core.demo.data import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "DemoConflict", "DemoResult", "load_demo"]
