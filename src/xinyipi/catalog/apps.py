from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "xinyipi.catalog"
    label = "catalog"
    verbose_name = "事项目录"
