"""Who may plan with the programme library: facilitators and the service lead."""

import rules

from accounts.rules import is_facilitator, is_service_lead

rules.add_perm("programmes.use_library", rules.is_authenticated & (is_facilitator | is_service_lead))
