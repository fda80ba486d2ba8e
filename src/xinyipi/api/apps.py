from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "xinyipi.api"
    label = "api"
    verbose_name = "接口"
