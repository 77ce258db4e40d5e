"""The base of the errors a service raises when a rule of the domain refuses something."""


class DomainError(Exception):
    """`message` is Chinese and fit to show to the user (views map it onto the form); `field`
    names the form field it belongs to, if any. Never a 500: views catch these."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
