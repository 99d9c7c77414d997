"""Who may plan with the programme library: facilitators and the service lead."""

import rules

from accounts.rules import is_facilitator, is_service_lead, manages_people

rules.add_perm("programmes.use_library", rules.is_authenticated & (is_facilitator | is_service_lead))

# A service lead with admin access may look at the library there; changes go through the library's
# own pages, which keep every version a cohort uses unchanged (programmes.services).
for model in ("programme", "sessionplan", "agendaitem", "material", "informationpack", "informationpacksection"):
    rules.add_perm(f"programmes.view_{model}", manages_people)
