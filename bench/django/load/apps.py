from django.apps import AppConfig


class LoadConfig(AppConfig):
    name = "load"
