from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """The payment ledger's writes, payment-list imports, statistics and finance pages.

    The Payment and PaymentImport models stay in `fees` (their tables are fees_*); this app
    holds everything that writes and reports them.
    """

    name = "payments"
    verbose_name = _("缴费")
