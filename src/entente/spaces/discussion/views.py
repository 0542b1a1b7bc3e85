"""Pages of the discussion of a space (to be written)."""

from django.http import Http404


def threads(request, pk):
    raise Http404
