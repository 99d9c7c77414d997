"""Memoised date and hours text: the same as the template filters, per time zone and per language."""

from __future__ import annotations

import datetime

from django.template import Context, Template
from django.utils import translation

from core.formatting import hours_text, local_format

WHEN = datetime.datetime(2031, 3, 30, 12, 0, tzinfo=datetime.UTC)  # the day British Summer Time starts


def test_local_format_matches_the_date_filter_in_each_time_zone():
    for zone_name in ("Europe/London", "America/Toronto", "Asia/Kolkata"):
        expected = Template('{% load tz %}{% timezone z %}{{ when|date:"D j M, H:i" }}{% endtimezone %}').render(
            Context({"z": zone_name, "when": WHEN})
        )
        assert local_format(WHEN, zone_name, "D j M, H:i") == expected
    assert local_format(WHEN, "Europe/London", "H:i") == "13:00"
    assert local_format(WHEN, "America/Toronto", "H:i") == "08:00"


def test_the_active_language_is_part_of_the_memo():
    with translation.override("en-gb"):
        english = local_format(WHEN, "Europe/London", "l")
    with translation.override("fr"):
        french = local_format(WHEN, "Europe/London", "l")
    assert english == "Sunday"
    assert french == "dimanche"


def test_hours_text_matches_floatformat_minus_two():
    assert [hours_text(m) for m in (90, 120, 135, 100)] == ["1.50", "2", "2.25", "1.67"]
