from xinyipi.catalog.models import Matter


def matter_list_public(*, query: str = "", department_code: str = ""):
    return Matter.objects.filter(status=Matter.Status.IN_USE).select_related("department")
