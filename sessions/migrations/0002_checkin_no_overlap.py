"""Check-ins never overlap: the database refuses a second active booking for one person at a time.

Kept by hand when the migrations were regenerated (Django cannot express these constraints).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

# No two active check-ins of one facilitator, or of one participant, may overlap in time.
# PostgreSQL: exclusion constraints over tstzrange (btree_gist gives "=" on integers in a GiST index).
# SQLite: triggers that abort an insert or update that would overlap (SQLite serialises writers).
PEOPLE = ("facilitator", "participant")


class BtreeGist(BtreeGistExtension):
    """Create btree_gist on PostgreSQL (the operation skips other databases); never drop it going back."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return


def overlap_forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for person in PEOPLE:
        if vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE group_sessions_checkin ADD CONSTRAINT checkin_{person}_no_overlap "
                f"EXCLUDE USING gist ({person}_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status IN ('booked', 'held', 'missed'))"
            )
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER checkin_{person}_no_overlap_{event.lower()} "
                    f"BEFORE {event} ON group_sessions_checkin "
                    "WHEN NEW.status IN ('booked', 'held', 'missed') AND EXISTS ("
                    "SELECT 1 FROM group_sessions_checkin other "
                    f"WHERE other.{person}_id = NEW.{person}_id AND other.id IS NOT NEW.id "
                    "AND other.status IN ('booked', 'held', 'missed') "
                    "AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at) "
                    f"BEGIN SELECT RAISE(ABORT, 'checkin_{person}_no_overlap'); END"
                )


def overlap_backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for person in PEOPLE:
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE group_sessions_checkin DROP CONSTRAINT checkin_{person}_no_overlap")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS checkin_{person}_no_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("group_sessions", "0001_initial"),
    ]

    operations = [
        BtreeGist(),
        migrations.RunPython(overlap_forwards, overlap_backwards),
    ]
