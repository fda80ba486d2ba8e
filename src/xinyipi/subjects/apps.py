from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "xinyipi.subjects"
    label = "subjects"
    verbose_name = "申请主体"
