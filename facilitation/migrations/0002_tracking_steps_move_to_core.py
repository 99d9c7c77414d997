"""Protected-time tracking steps move to core's escalation ladder rows (ladder "protected_time")."""

from django.db import migrations


def forwards(apps, schema_editor):
    Old = apps.get_model("facilitation", "ProtectedTimeEscalation")
    Step = apps.get_model("core", "EscalationStep")
    Step.objects.bulk_create(
        [
            Step(ladder="protected_time", subject_id=row.request_id, step=row.level, cycle=row.cycle, fired_at=row.fired_at)
            for row in Old.objects.all()
        ],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    Old = apps.get_model("facilitation", "ProtectedTimeEscalation")
    Step = apps.get_model("core", "EscalationStep")
    Old.objects.bulk_create(
        [
            Old(request_id=row.subject_id, level=row.step, cycle=row.cycle, fired_at=row.fired_at)
            for row in Step.objects.filter(ladder="protected_time")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_escalationstep"),
        ("facilitation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ProtectedTimeEscalation"),
    ]
