"""Signals of the drive for what a ``post_save`` cannot tell: a move rewrites a whole subtree
with one UPDATE (the search index listens, to file the moved items under their new drive)."""

from django.dispatch import Signal

#: sent after ``services.move``, with ``node`` (the moved item, refreshed)
subtree_moved = Signal()
