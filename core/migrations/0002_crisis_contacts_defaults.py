"""The built-in crisis contacts (Samaritans 116 123, NHS 111, 999; 988 in Canada), for regions with none yet."""

from django.db import migrations

# A copy of core.crisis_contacts.DEFAULT_CRISIS_CONTACTS at the time of writing (migrations do not import app code).
_UK = [
    ("Samaritans", "116 123", "24 hours, every day", "Free to call, to talk about anything that is troubling you."),
    ("NHS 111", "111", "24 hours, every day", "Choose the mental health option for urgent help."),
    ("Emergency services", "999", "24 hours", "If a life is at risk right now."),
]
_CANADA = [
    ("9-8-8 Suicide Crisis Helpline", "988", "24 hours, every day", "Call or text 988."),
    ("Emergency services", "911", "24 hours", "If a life is at risk right now."),
]
_IRELAND = [
    ("Samaritans", "116 123", "24 hours, every day", "Free to call."),
    ("Emergency services", "112", "24 hours", "If a life is at risk right now."),
]
DEFAULTS = {"GB": _UK, "GB-ENG": _UK, "GB-SCT": _UK, "GB-NIR": _UK, "CA": _CANADA, "CA-ON": _CANADA, "CA-BC": _CANADA, "IE": _IRELAND}


def forwards(apps, schema_editor):
    CrisisContact = apps.get_model("core", "CrisisContact")
    have = set(CrisisContact.objects.values_list("region", flat=True).distinct())
    CrisisContact.objects.bulk_create(
        [
            CrisisContact(region=region, name=name, number=number, hours=hours, note=note, position=position)
            for region, contacts in DEFAULTS.items()
            if region not in have
            for position, (name, number, hours, note) in enumerate(contacts)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
