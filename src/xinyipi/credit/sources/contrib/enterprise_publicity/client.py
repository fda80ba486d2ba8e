"""HTTP client of a data-sharing interface to the 国家企业信用信息公示系统 (gsxt.gov.cn).

The site has no documented public API (legal-basis.md §7); this speaks the records interface the region
is expected to provide, which ``manage.py run_registry`` serves from fixture data.
"""

from xinyipi.credit.sources.http import RecordsClient


class EnterprisePublicityClient(RecordsClient):
    source_name = "enterprise_publicity"
