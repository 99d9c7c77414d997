"""On PostgreSQL, refuse UPDATE and DELETE on the access log: the audit trail is append-only.

Only on PostgreSQL (production); SQLite, used for development, has no such guard. TRUNCATE is not
refused (it needs a separate statement trigger), so the test suite can still empty its database.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_accesslog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_accesslog_append_only
    BEFORE UPDATE OR DELETE ON core_accesslog
    FOR EACH ROW EXECUTE FUNCTION core_accesslog_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_accesslog_append_only ON core_accesslog;
DROP FUNCTION IF EXISTS core_accesslog_refuse_change();
"""


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_crisis_contacts_defaults")]

    operations = [PostgreSQLOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
