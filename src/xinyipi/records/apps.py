from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "xinyipi.records"
    label = "records"
    verbose_name = "信用记录"
