"""Pages of the notification centre (to be written)."""

from django.http import Http404


def centre(request):
    raise Http404
