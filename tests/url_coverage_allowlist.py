"""Named URLs the URL-coverage check (tests/support/url_coverage.py) does not require a test to request.

Each entry says why. Keep this short: a URL with no HTTP test is a view whose refusals nobody has checked.
"""

# Whole namespaces left out of the count.
EXCLUDED_NAMESPACES = {
    # Django's admin generates add/change/delete/history/changelist URLs for every registered model
    # (and autocomplete, password change, view-on-site...). They are Django's own views, tested by
    # Django; tests/core/test_admin.py checks Steady's registrations render.
    "admin",
}

# "namespace:name": reason.
ALLOWLIST: dict[str, str] = {}
