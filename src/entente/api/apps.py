"""Django application configuration for api."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "entente.api"
    label = "api"
    verbose_name = "API"
