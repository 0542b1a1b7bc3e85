"""The search results page (to be written)."""

from django.http import Http404


def results(request):
    raise Http404
