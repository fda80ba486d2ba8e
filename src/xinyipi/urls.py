from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from xinyipi.api.errors import api_not_found
from xinyipi.api.v1 import api

admin.site.site_header = _("信易批 · 政务服务与数据管理局")
admin.site.site_title = _("信易批管理")
admin.site.index_title = _("目录、日历与用户管理")

urlpatterns = [
    # The API first: other systems call it the most, and the resolver tries the patterns in order.
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("", include("xinyipi.portal.urls")),
    path("accounts/", include("xinyipi.accounts.urls")),
    path("console/", include("xinyipi.console.urls")),
    path("console/subjects/", include("xinyipi.subjects.urls")),
    path("console/matters/", include("xinyipi.catalog.urls")),
    path("console/calendar/", include("xinyipi.workdays.urls")),
    path("console/audit/", include("xinyipi.audit.urls")),
    path("console/credit/", include("xinyipi.credit.urls")),
    path("console/messages/", include("xinyipi.notifications.urls")),
    path("console/cases/", include("xinyipi.applications.urls")),
    path("console/records/", include("xinyipi.records.urls")),
    path("console/stats/", include("xinyipi.stats.urls")),
    path("", include("xinyipi.bookings.urls")),  # my/bookings/ (portal) and console/bookings/
    path("", include("xinyipi.supervision.urls")),  # my/credit/, credit-repair/ (portal) and console/blacklist/
    path("", include("xinyipi.ratings.urls")),  # my/cases/<id>/rating/ (portal) and console/ratings/
    path("", include("xinyipi.ops.urls")),  # healthz, readyz, metrics
    path("", include("xinyipi.licences.urls")),  # licences/<identifier>/ (public check), printable licences
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "xinyipi.core.views.bad_request"
handler403 = "xinyipi.portal.views.error_403"
handler404 = "xinyipi.portal.views.error_404"
handler500 = "xinyipi.portal.views.error_500"
