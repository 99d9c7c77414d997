"""Celery tasks of the measures app (risk-alert routing arrives with the answering screens)."""
