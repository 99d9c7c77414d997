import pytest

from tests.reminders import kinds  # noqa: F401  (registers the engine's test kinds)
from tests.reminders.drills import engine, sink  # noqa: F401  (fixtures)
from tests.support.redis_server import own_redis  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def no_quiet_hours(settings):
    """Tests run at any hour; the quiet-hours tests turn them back on explicitly."""
    settings.STEADY_QUIET_HOURS = (0, 0)
