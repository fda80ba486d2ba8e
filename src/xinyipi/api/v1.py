"""Version 1 of the REST API (DESIGN.md §6.1). Paths and fields here are a contract: grow, never change."""

from xinyipi.api import errors
from xinyipi.api.auth import STAFF_AUTH
from xinyipi.api.openapi import DocumentedErrorsAPI

api = DocumentedErrorsAPI(
    title="信易批 API",
    version="1",
    description="信易批（信用+审批）政务服务接口。错误格式：{code, message, field}。",
    urls_namespace="api-v1",
    auth=STAFF_AUTH,
    docs_url="/docs",
)
errors.install(api)

from xinyipi.accounts.api import router as auth_router  # noqa: E402
from xinyipi.applications.api import router as applications_router  # noqa: E402
from xinyipi.bookings.api import router as bookings_router  # noqa: E402
from xinyipi.catalog.api import router as matters_router  # noqa: E402
from xinyipi.credit.api import router as credit_checks_router  # noqa: E402
from xinyipi.licences.api import router as licences_router  # noqa: E402
from xinyipi.ratings.api import router as ratings_router  # noqa: E402
from xinyipi.stats.api import router as stats_router  # noqa: E402
from xinyipi.subjects.api import router as subjects_router  # noqa: E402
from xinyipi.supervision.api import repairs_router as credit_repairs_router  # noqa: E402
from xinyipi.supervision.api import router as blacklist_router  # noqa: E402
from xinyipi.workdays.api import router as calendar_router  # noqa: E402

api.add_router("/auth", auth_router)
api.add_router("/calendar", calendar_router)
api.add_router("/subjects", subjects_router)
api.add_router("/matters", matters_router)
api.add_router("/credit-checks", credit_checks_router)
api.add_router("/applications", applications_router)
api.add_router("/applications", ratings_router)
api.add_router("/blacklist", blacklist_router)
api.add_router("/credit-repairs", credit_repairs_router)
api.add_router("/bookings", bookings_router)
api.add_router("/stats", stats_router)
api.add_router("/licences", licences_router)
