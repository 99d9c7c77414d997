"""Demo protected-time requests, across the two demo line managers.

Call ``seed_protected_time(ctx)`` from ``facilitation/demo.py``'s ``seed``
after the cohorts and enrolments are seeded: it works on the confirmed
places it finds for ``ctx.objects["participants"]`` and makes nothing else.
Idempotent: a request already past its draft is left as it is.
"""

from __future__ import annotations

from core.demo import DemoContext
from facilitation.models import ProtectedTimeRequest
from facilitation.services.protected_time import protected_time_request_draft, protected_time_submit
from facilitation.services.protected_time_decisions import protected_time_approve, protected_time_decline
from sessions.models import Enrolment

# Per manager, in staff order: what happens to each person's request.
STAGES = {
    "manager_ward": ["pending", "pending", "approved", "partly_approved"],
    "manager_therapies": ["pending", "declined", "approved", "partly_approved"],
}


def _apply(request: ProtectedTimeRequest, stage: str, manager) -> None:
    participant = request.enrolment.participant
    protected_time_submit(request=request, actor=participant)
    if stage == "approved":
        protected_time_approve(request=request, actor=manager, comment="Added to the rota.")
    elif stage == "declined":
        protected_time_decline(
            request=request,
            actor=manager,
            reason="We are two staff short this term; could you join the group after the summer?",
        )
    elif stage == "partly_approved":
        lines = list(request.lines.order_by("starts_at").values_list("pk", flat=True))
        half = max(1, len(lines) // 2)
        protected_time_approve(request=request, actor=manager, line_ids=lines[half:])
        protected_time_decline(
            request=request,
            actor=manager,
            reason="Those weeks clash with the ward's training days; I can release you for the later ones.",
        )


def seed_protected_time(ctx: DemoContext) -> None:
    participants = ctx.objects.get("participants", [])
    made = 0
    for key, stages in STAGES.items():
        manager = ctx.objects.get(key)
        if manager is None:
            continue
        staff = [p for p in participants if p.line_manager_id == manager.pk]
        for participant, stage in zip(staff, stages, strict=False):
            enrolment = (
                Enrolment.objects.filter(participant=participant, status=Enrolment.Status.ENROLLED)
                .select_related("cohort")
                .order_by("cohort__start_date")
                .first()
            )
            if enrolment is None or not enrolment.cohort.group_sessions.exists():
                continue
            request = protected_time_request_draft(enrolment=enrolment)
            if request.status != ProtectedTimeRequest.Status.DRAFT:
                continue
            _apply(request, stage, manager)
            made += 1
    if made:
        ctx.notes.append(f"Protected time: {made} demo requests (pending, approved, partly approved, declined).")
