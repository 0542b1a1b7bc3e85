"""Pages of the notes of a space (to be written)."""

from django.http import Http404


def notes(request, pk):
    raise Http404
