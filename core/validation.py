"""Bounds on numbers, read from the model, so a form and a service refuse the same values with the same words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _


def integer_bounds(field: models.Field) -> tuple[int | None, int | None]:
    """Return the smallest and largest value ``field`` accepts: its validators, within its column type.

    The column ranges are PostgreSQL's (smallint, integer, bigint) on every database, so a number
    SQLite would store is refused in development just as PostgreSQL would refuse it in production.
    """
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (None, None))
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        limit = limit() if callable(limit) else limit
        if isinstance(validator, MinValueValidator) and isinstance(limit, int):
            low = limit if low is None else max(low, limit)
        elif isinstance(validator, MaxValueValidator) and isinstance(limit, int):
            high = limit if high is None else min(high, limit)
    return low, high


def bounds_message(label: object, low: int | None, high: int | None) -> str:
    """Say which field is wrong and what to type instead."""
    field = str(label)[:1].upper() + str(label)[1:]
    if low is not None and high is not None:
        message = _("%(field)s must be a whole number from %(min)s to %(max)s.")
        return message % {"field": field, "min": low, "max": high}
    if low is not None:
        return _("%(field)s must be a whole number of at least %(min)s.") % {"field": field, "min": low}
    return _("%(field)s must be a whole number of at most %(max)s.") % {"field": field, "max": high}


def model_bounds_error(model: type[models.Model], values: Mapping[str, Any]) -> tuple[str, str] | None:
    """Return (field name, message) for the first integer value outside its model field's bounds, else None."""
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only value: nothing to check here
            continue
        if not isinstance(field, models.IntegerField) or value is None:
            continue
        low, high = integer_bounds(field)
        if not isinstance(value, int) or (low is not None and value < low) or (high is not None and value > high):
            return name, bounds_message(field.verbose_name, low, high)
    return None
