"""The credit source plugins. Importing this package registers each of them (each has its own ``order``)."""

from xinyipi.credit.sources.contrib.city_blacklist import plugin as _city_blacklist  # noqa: F401
from xinyipi.credit.sources.contrib.credit_china import plugin as _credit_china  # noqa: F401
from xinyipi.credit.sources.contrib.enterprise_publicity import plugin as _enterprise_publicity  # noqa: F401
from xinyipi.credit.sources.contrib.incentive_card import plugin as _incentive_card  # noqa: F401
from xinyipi.credit.sources.contrib.local_store import plugin as _local_store  # noqa: F401
from xinyipi.credit.sources.contrib.manual_entry import plugin as _manual_entry  # noqa: F401
