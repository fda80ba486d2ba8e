from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinyipi.supervision"
    label = "supervision"
    verbose_name = "信用监管"
