from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinyipi.core"
    label = "core"
    verbose_name = "核心"
