"""django-simple-history's HistoricalRecords, with the history manager's class built once.

simple-history's `HistoryDescriptor` builds a new manager class on every access of
`instance.history` (`HistoryManager.from_queryset(...)`, which walks the queryset class's members
with `inspect`), and its post-save handler reads that attribute to find the history model: about
a tenth of a sign-up's CPU went into building a class nobody kept. The subclass below installs a
descriptor that builds the class once per model; everything else (the history model, its
migrations, the signals, the admin) is simple-history's own.
"""

from functools import cached_property

from simple_history import models as simple_history
from simple_history.manager import HistoryDescriptor


class _HistoryDescriptor(HistoryDescriptor):
    @cached_property
    def _manager_class(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager_class(self.model, instance)


class HistoricalRecords(simple_history.HistoricalRecords):
    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(
                    descriptor.model,
                    manager=descriptor.manager_class,
                    queryset=descriptor.queryset_class,
                ),
            )
