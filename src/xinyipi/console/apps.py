from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "xinyipi.console"
    label = "console"
    verbose_name = "工作台"
