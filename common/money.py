"""The one way money is written for people: yuan, rounded half-up to the cent.

``yuan(Decimal("82.5"))`` is "82.50", ``yuan(320)`` is "320": two decimals where there are cents.
Accounting pages (a fee table with a total, the ledger, statistics) align their columns with
``yuan(value, cents=True)``, which always writes the cents ("320.00"). Templates use the
``yuan`` filter (``{{ amount|yuan }}``, ``{{ amount|yuan:"cents" }}``), Python code (form labels,
messages) this function; exports write the Decimal itself with a money number format
(common.xlsx). Nothing else formats money: `floatformat` and f-string precision would round
82.50 to "82" or "83" (the bug this replaced).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def yuan(value, *, cents: bool = False) -> str:
    """Money as text without the unit; "" for None or something that is not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not cents and amount == amount.to_integral_value():
        return f"{amount:.0f}"
    return f"{amount:.2f}"
