from common.errors import DomainError


class BackupError(DomainError):
    """A backup that cannot be written or restored; the message is Chinese and English."""
