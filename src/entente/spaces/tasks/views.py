"""Pages of the tasks of a space (to be written)."""

from django.http import Http404


def tasks(request, pk):
    raise Http404
