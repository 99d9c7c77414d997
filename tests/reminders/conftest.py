from tests.reminders import kinds  # noqa: F401  (registers the engine's test kinds)
