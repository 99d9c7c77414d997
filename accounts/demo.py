"""Demo people: a service lead, two facilitators, two managers with four staff each."""

from __future__ import annotations

from accounts.services import user_ensure
from core.demo import DEMO_PASSWORD, DemoContext

PARTICIPANTS = [
    # (first, last, job title, team, manager key)
    ("Amara", "Okafor", "Staff nurse", "Ward 7 (acute medicine)", "manager_ward"),
    ("Ben", "Hughes", "Healthcare assistant", "Ward 7 (acute medicine)", "manager_ward"),
    ("Chloe", "Davies", "Junior doctor", "Ward 7 (acute medicine)", "manager_ward"),
    ("Dev", "Patel", "Staff nurse", "Ward 7 (acute medicine)", "manager_ward"),
    ("Erin", "Walsh", "Physiotherapist", "Therapies", "manager_therapies"),
    ("Femi", "Adeyemi", "Occupational therapist", "Therapies", "manager_therapies"),
    ("Grace", "Lindqvist", "Speech and language therapist", "Therapies", "manager_therapies"),
    ("Hamid", "Rahimi", "Social worker", "Therapies", "manager_therapies"),
]


def seed(ctx: DemoContext) -> None:
    people = ctx.objects
    people["lead"] = user_ensure(
        email="lead@steady.example",
        first_name="Sam",
        last_name="Carter",
        password=DEMO_PASSWORD,
        job_title="Staff wellbeing service lead",
        is_service_lead=True,
        # Admin access for managing people, not a superuser: no clinical models, never their own roles.
        is_staff=True,
    )
    people["facilitator"] = user_ensure(
        email="facilitator@steady.example",
        first_name="Priya",
        last_name="Nair",
        password=DEMO_PASSWORD,
        job_title="Clinical psychologist",
        is_facilitator=True,
    )
    people["cofacilitator"] = user_ensure(
        email="cofacilitator@steady.example",
        first_name="Tom",
        last_name="Berg",
        password=DEMO_PASSWORD,
        job_title="Counselling psychologist",
        is_facilitator=True,
    )
    people["manager_ward"] = user_ensure(
        email="manager@steady.example",
        first_name="Helen",
        last_name="Shaw",
        password=DEMO_PASSWORD,
        job_title="Ward manager",
        team="Ward 7 (acute medicine)",
        is_manager=True,
    )
    people["manager_therapies"] = user_ensure(
        email="manager2@steady.example",
        first_name="Omar",
        last_name="Haddad",
        password=DEMO_PASSWORD,
        job_title="Therapies manager",
        team="Therapies",
        is_manager=True,
    )
    participants = []
    for index, (first, last, job, team, manager_key) in enumerate(PARTICIPANTS, start=1):
        participants.append(
            user_ensure(
                email=f"participant{index}@steady.example",
                first_name=first,
                last_name=last,
                password=DEMO_PASSWORD,
                job_title=job,
                team=team,
                line_manager=people[manager_key],
                is_participant=True,
            )
        )
    people["participants"] = participants
    ctx.logins += [
        ("service lead", "lead@steady.example", DEMO_PASSWORD),
        ("facilitator", "facilitator@steady.example", DEMO_PASSWORD),
        ("co-facilitator", "cofacilitator@steady.example", DEMO_PASSWORD),
        ("manager (Ward 7)", "manager@steady.example", DEMO_PASSWORD),
        ("manager (Therapies)", "manager2@steady.example", DEMO_PASSWORD),
        ("participants 1 to 8", "participant1..8@steady.example", DEMO_PASSWORD),
    ]
