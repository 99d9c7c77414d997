"""Role predicates (django-rules). Object-level rules live beside each app's models."""

import rules


@rules.predicate
def is_participant(user: object) -> bool:
    return bool(getattr(user, "is_participant", False))


@rules.predicate
def is_facilitator(user: object) -> bool:
    return bool(getattr(user, "is_facilitator", False))


@rules.predicate
def is_manager(user: object) -> bool:
    return bool(getattr(user, "is_manager", False))


@rules.predicate
def is_service_lead(user: object) -> bool:
    return bool(getattr(user, "is_service_lead", False))


rules.add_perm("accounts.act_as_participant", rules.is_authenticated & is_participant)
rules.add_perm("accounts.act_as_facilitator", rules.is_authenticated & is_facilitator)
rules.add_perm("accounts.act_as_manager", rules.is_authenticated & is_manager)
rules.add_perm("accounts.act_as_service_lead", rules.is_authenticated & is_service_lead)


@rules.predicate
def has_admin_access(user: object) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


# A service lead with admin access manages people there (never a superuser's account, nor their own
# roles: accounts.admin). Clinical models are in the admin for superusers only (core.admin).
manages_people = rules.is_authenticated & has_admin_access & is_service_lead
for action in ("view", "add", "change"):
    rules.add_perm(f"accounts.{action}_user", manages_people)


@rules.predicate
def is_the_person(user: object, person: object) -> bool:
    """Whether ``person`` (a user, or a user id) is ``user`` themselves: "the participant's own" (no query)."""
    person_pk = getattr(person, "pk", person)
    return getattr(user, "pk", None) is not None and person_pk == user.pk
