"""Measures' entries in the personal-data registry, and its part of the retention purge.

Erasure deletes a person's answers, scores and risk alerts (clinical) and keeps each response row
(which questionnaire, which time point, whether it was completed) on the anonymised person, so
completion figures stay right. The purge deletes answers and clears risk-alert notes of long-ended
cohorts; it keeps scores, which the outcome report is built from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.personal_data import PersonalData, owned_exporter, register, register_clinical_text, register_purge
from measures.models import Answer, RiskAlert, Score
from sessions.personal_data import batched_blank, batched_delete, cohort_ids_ended_before

# Answers and scores are numbers, not text; the one clinical free text is what a facilitator did about an alert.
register_clinical_text("measures.RiskAlert", "action_note")


def erase_answers(person: Any) -> None:
    RiskAlert.objects.filter(response__participant=person).delete()
    Score.objects.filter(response__participant=person).delete()
    Answer.objects.filter(response__participant=person).delete()


register(
    PersonalData(
        model="measures.Response",
        export=owned_exporter(
            "measures.Response",
            "participant",
            ("measure__code", "cohort__name", "time_point", "status", "started_at", "submitted_at"),
        ),
        erase=erase_answers,
        excluded="The response row is kept (no answers, no scores) so completion figures stay right.",
    )
)
register(
    PersonalData(
        model="measures.Answer",
        export=owned_exporter("measures.Answer", "response__participant", ("response_id", "item__number", "value")),
        erase=erase_answers,
    )
)
register(
    PersonalData(
        model="measures.Score",
        export=owned_exporter("measures.Score", "response__participant", ("response_id", "scale__name", "value")),
        erase=erase_answers,
    )
)
register(
    PersonalData(
        model="measures.RiskAlert",
        export=owned_exporter("measures.RiskAlert", "response__participant", ("created_at", "acknowledged_at")),
        erase=erase_answers,
        excluded="Alerts a staff member acknowledged for others are kept; the link resolves to 'erased person'.",
    )
)
register(
    PersonalData(
        model="measures.Measure",
        export=owned_exporter("measures.Measure", "wording_imported_by", ("code", "version")),
        erase=None,
        excluded="A questionnaire definition is the service's; who imported its wording is kept (anonymised).",
    )
)


def purge_answers(before: dt.date) -> int:
    cohort_ids = cohort_ids_ended_before(before)
    done = batched_delete(Answer.objects.filter(response__cohort_id__in=cohort_ids))
    done += batched_blank(RiskAlert.objects.filter(response__cohort_id__in=cohort_ids), action_note="")
    return done


register_purge("measures", purge_answers)
