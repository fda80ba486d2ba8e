"""HTTP client of a data-sharing interface to 信用中国 (creditchina.gov.cn); same records interface."""

from xinyipi.credit.sources.http import RecordsClient


class CreditChinaClient(RecordsClient):
    source_name = "credit_china"
