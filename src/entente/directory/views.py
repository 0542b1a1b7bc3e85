"""Pages of the directory (to be written)."""

from django.http import Http404


def index(request):
    raise Http404
