"""Events to the TMS as webhooks signed as Standard Webhooks defines, retried for more than a day, with endpoints
disabled after persistent failure and re-enabled by the user, and manual redelivery."""

from __future__ import annotations

from tms_netsuite.webhooks._deliver import Deliverer, DeliveryReport, new_secret

__all__ = ["Deliverer", "DeliveryReport", "new_secret"]
