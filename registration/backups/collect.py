"""Find every row of a round, and every row those rows point at, through the app registry.

A row belongs to the round when a chain of foreign keys leads from it to the round: fees,
conditions, training, registrations, payments, the exam plan, seats, tickets, check-ins, scores,
certificates, retake offers (both those into the round and those made from its candidates), the
archive record. The chain is followed in `_meta.related_objects` of every installed model, so the
apps above `registration` (exams, results, archive) are found without this module importing
them; an app added later is found the same way. On top of that:

- auto-created many-to-many rows (a round's levels, a sitting's rooms, a class's trainers);
- the change history (django-simple-history) of every collected row, also of rows deleted since
  (found by the same foreign key that brought in the living rows), and its many-to-many rows;
- references: every row a collected row points at that is not the round's own (levels, majors,
  classes, staff names, payment imports, and rows of *other* rounds such as the registration a
  retake offer into this round came from), followed transitively so that every reference
  resolves, with their history and the rows their apps declare (`registry.py`: class lists).
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from registration.backups.registry import reference_rows
from rounds.models import ExamRound

CHUNK = 1000  # pks per IN (...) query: below every engine's parameter limit


@dataclass
class Collection:
    """{model: {pk: instance}} of the round's own rows and of the rows they refer to."""

    children: dict = field(default_factory=lambda: defaultdict(dict))
    references: dict = field(default_factory=lambda: defaultdict(dict))

    def models(self) -> list[type[models.Model]]:
        return dependency_order([*self.children, *self.references])


def _chunks(pks):
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


def _filter(model, lookup: str, pks):
    for chunk in _chunks(pks):
        yield from model._base_manager.filter(**{f"{lookup}__in": chunk}).order_by("pk")


def history_model(model):
    """The simple-history model of `model`, or None."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def _m2m_through(model):
    """(through model, name of its foreign key to `model`) of auto-created many-to-many fields."""
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        if through._meta.auto_created:
            yield through, m2m.m2m_field_name()


def _reverse_relations(model):
    """Foreign keys of other models that point at `model` (hidden ones, like history's, not)."""
    for relation in model._meta.related_objects:
        if (relation.one_to_many or relation.one_to_one) and not relation.hidden:
            yield relation


def round_collect(exam_round: ExamRound) -> Collection:
    found = Collection()
    children = found.children
    children[ExamRound][exam_round.pk] = exam_round
    # (model, name of the foreign key that brought rows in, model it points at)
    paths: set[tuple] = set()
    queue = deque([(ExamRound, [exam_round.pk])])
    while queue:
        model, pks = queue.popleft()
        links = [(r.related_model, r.field.name) for r in _reverse_relations(model)]
        links += list(_m2m_through(model))
        for related, lookup in links:
            paths.add((related, lookup, model))
            new = [o for o in _filter(related, lookup, pks) if o.pk not in children[related]]
            for obj in new:
                children[related][obj.pk] = obj
            if new:
                queue.append((related, [obj.pk for obj in new]))
    _add_history(children, paths)
    _add_references(found)
    return found


def _add_history(rows: dict, paths: set[tuple]) -> None:
    """History rows of `rows` (in place), also of rows deleted since, and their m2m rows."""
    for model in list(rows):
        history = history_model(model)
        if history is None:
            continue
        condition = Q(id__in=list(rows[model]))
        for related, lookup, parent in paths:
            if related is model and lookup in {f.name for f in history._meta.fields}:
                condition |= Q(**{f"{lookup}__in": list(rows[parent])})
        found = {o.pk: o for o in history._base_manager.filter(condition).order_by("pk")}
        if not found:
            continue
        rows[history].update(found)
        for relation in _reverse_relations(history):  # its many-to-many history rows
            for obj in _filter(relation.related_model, relation.field.name, found):
                rows[relation.related_model][obj.pk] = obj


def _references_of(objects_by_model: dict) -> dict:
    """{model: set of pks} every row in `objects_by_model` points at (foreign keys of any kind)."""
    targets: dict = defaultdict(set)
    for model, objects in objects_by_model.items():
        for fk in model._meta.concrete_fields:
            if fk.is_relation and fk.related_model is not None:
                ids = {getattr(obj, fk.attname) for obj in objects.values()} - {None}
                target = fk.related_model._meta.concrete_model
                targets[target] |= ids
    return targets


def _add_references(found: Collection) -> None:
    """Rows the collected rows point at, transitively, with their m2m, history and declared rows."""
    children, references = found.children, found.references
    pending = dict(children)
    while pending:
        new: dict = defaultdict(dict)
        for target, ids in _references_of(pending).items():
            missing = ids - set(children.get(target, ())) - set(references.get(target, ()))
            for obj in _filter(target, "pk", missing):
                new[target][obj.pk] = obj
        for model in list(new):
            for through, lookup in _m2m_through(model):
                for obj in _filter(through, lookup, new[model]):
                    new[through][obj.pk] = obj
            for rows_model, lookup in reference_rows(model):
                for obj in _filter(rows_model, lookup, new[model]):
                    new[rows_model][obj.pk] = obj
        _add_history(new, set())
        pending = {}
        for model, objects in new.items():
            fresh = {
                pk: obj
                for pk, obj in objects.items()
                if pk not in children.get(model, ()) and pk not in references[model]
            }
            if fresh:
                references[model].update(fresh)
                pending[model] = fresh


def dependency_order(model_list) -> list:
    """Models ordered so that each comes after the models its foreign keys point at.

    Foreign keys are deferred on both engines (Django creates them DEFERRABLE INITIALLY DEFERRED
    on SQLite and PostgreSQL), so a cycle would still restore; there is none today.
    """
    remaining = list(dict.fromkeys(model_list))
    ordered: list = []
    while remaining:
        for model in remaining:
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model not in (None, model)
            }
            if not (targets & set(remaining)):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: keep the rest in their given order
            ordered += remaining
            break
    return ordered
