"""Journeys of a facilitator on a phone: plan a cohort, invite, confirm, set availability, run week 1, move a session.

Every page reached is checked with axe-core at 375 and 1280 px (``tests.support.journeys``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from programmes.services.importing import programme_load_builtin
from sessions.models import AvailabilityWindow, Cohort, Enrolment, GroupSession, Invitation
from sessions.services.enrolments import enrolment_acknowledge
from tests.factories import FacilitatorFactory, ParticipantFactory, cohort_with_sessions, enrol

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.cohorts, pytest.mark.django_db(transaction=True)]


def test_facilitator_plans_a_cohort_from_the_builtin_programme_invites_two_people_and_confirms_a_place(
    journey,
) -> None:
    programme, _created = programme_load_builtin()
    facilitator = FacilitatorFactory(first_name="Nadia")
    colleague = ParticipantFactory(first_name="Priya", email="priya@hospital.example")
    start = timezone.localdate() + datetime.timedelta(days=14)

    journey.sign_in_as(facilitator)
    journey.visit("/facilitating/")
    journey.visit("/sessions/cohorts/new/")
    assert programme.name in journey.find(By.NAME, "programme").text
    journey.fill("name", "Spring group, Ward 7")
    journey.fill("start_date", start.isoformat())
    journey.fill("start_time", "13:30")
    journey.fill("venue", "Wellbeing room, Education Centre")
    journey.fill("capacity", "8")
    journey.fill("status", "Recruiting")
    main = journey.click(journey.button("Create the cohort"))
    assert "weekly sessions are planned" in main

    cohort = Cohort.objects.get(name="Spring group, Ward 7")
    assert cohort.programme == programme
    assert list(cohort.facilitators.all()) == [facilitator]
    assert cohort.group_sessions.filter(kind=GroupSession.Kind.WEEKLY).count() == programme.weekly_session_count

    # Two people: one already has an account (a place waits for them), one gets a one-use link by email.
    for email in (colleague.email, "new.starter@hospital.example"):
        journey.fill("email", email)
        main = journey.click(journey.button("Invite"))
    assert "Invitation sent" in main
    assert Invitation.objects.filter(cohort=cohort, email="new.starter@hospital.example", used_at=None).exists()
    assert {message.to[0] for message in mail.outbox} >= {colleague.email, "new.starter@hospital.example"}
    place = Enrolment.objects.get(cohort=cohort, participant=colleague)
    assert place.status == Enrolment.Status.INVITED

    # Once Priya has read the pack, her place can be confirmed.
    enrolment_acknowledge(enrolment=place, pack=programme.information_packs.get(), by=colleague)
    journey.visit(f"/facilitating/cohorts/{cohort.pk}/")
    main = journey.click(journey.button("Confirm place"))
    place.refresh_from_db()
    assert place.status == Enrolment.Status.ENROLLED and place.place_number == 1
    assert "1 of 8 places" in main


def test_facilitator_sets_checkin_availability(journey) -> None:
    facilitator = FacilitatorFactory(first_name="Nadia")
    cohort = cohort_with_sessions(facilitators=[facilitator])
    enrol(cohort, ParticipantFactory(first_name="Priya"))
    next_week = timezone.localdate() + datetime.timedelta(days=7)

    journey.sign_in_as(facilitator)
    main = journey.visit("/sessions/checkins/availability/")
    assert "No weekly windows yet" in main
    journey.tap(journey.find(By.XPATH, "//summary[contains(., 'Add a weekly window')]"))
    form = journey.find(By.XPATH, "//form[contains(@action, '/availability/window/add/')]")
    journey.fill("weekday", next_week.strftime("%A"), form=form)
    journey.fill("start_time", "09:00", form=form)
    journey.fill("end_time", "11:00", form=form)
    journey.fill("slot_minutes", "30", form=form)
    journey.fill("valid_from", timezone.localdate().isoformat(), form=form)
    main = journey.click(journey.button("Add weekly window"))
    assert "Your availability is updated" in main

    window = AvailabilityWindow.objects.get(facilitator=facilitator)
    assert (window.start_time, window.end_time, window.slot_minutes) == (datetime.time(9), datetime.time(11), 30)
    assert "09:00" in main and "No free times in this period" not in main
    # Priya, in Nadia's group, can be booked in on her behalf from here.
    assert journey.link("Priya")


def test_facilitator_runs_week_one_and_moves_a_session(journey) -> None:
    facilitator = FacilitatorFactory(first_name="Nadia")
    # Week 1 was yesterday, so it can be marked as held today (no bank holidays, which could move it on a week).
    cohort = cohort_with_sessions(
        facilitators=[facilitator],
        start_date=timezone.localdate() - datetime.timedelta(days=1),
        status="running",
        holiday_region="",
    )
    here, away = ParticipantFactory(first_name="Priya"), ParticipantFactory(first_name="Tom")
    for person in (here, away):
        enrol(cohort, person)
    week_1, week_2 = cohort.group_sessions.filter(kind=GroupSession.Kind.WEEKLY).order_by("starts_at")[:2]

    journey.sign_in_as(facilitator)
    journey.visit(f"/facilitating/cohorts/{cohort.pk}/")
    main = journey.click(journey.find(By.CSS_SELECTOR, f"a[href='/facilitating/sessions/{week_1.pk}/']"))
    assert "Attendance" in main and "Priya" in main

    for person, status in ((here, "Present"), (away, "Absent")):
        row = journey.find(By.ID, f"register-{person.pk}")
        journey.tap(row.find_element(By.XPATH, f".//button[normalize-space(.)='{status}']"))
        # The register row is replaced in place (htmx); wait until the new one shows the choice.
        WebDriverWait(journey.driver, 15).until(
            lambda driver, pk=person.pk, status=status: (
                driver.find_element(By.XPATH, f"//li[@id='register-{pk}']//button[@aria-pressed='true']").text == status
            )
        )
    journey.check(again=True)

    journey.fill("notes", "Settling in; the group named what brought them here. Soothing-rhythm breathing landed well.")
    main = journey.click(journey.button("Save notes"))
    main = journey.click(journey.button("Mark as held"))
    week_1.refresh_from_db()
    assert week_1.status == GroupSession.Status.HELD
    assert "Soothing-rhythm breathing" in week_1.group_notes
    marks = dict(week_1.attendance.values_list("participant_id", "status"))
    assert marks == {here.pk: "present", away.pk: "absent"}

    # Week 2 moves a day later: the ward's training day.
    journey.visit(f"/facilitating/sessions/{week_2.pk}/move/")
    new_date = week_2.local_date + datetime.timedelta(days=1)
    journey.fill("local_date", new_date.isoformat())
    journey.fill("reason", "The ward's training day")
    main = journey.click(journey.button("Move the session"))
    assert "The session moved" in main
    week_2.refresh_from_db()
    assert week_2.local_date == new_date
    assert week_2.moved_reason == "The ward's training day"
