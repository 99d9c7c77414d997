from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins that seed_demo made (if any)."

    def handle(self, *args: object, **options: object) -> None:
        # Group members seeded without a password ("!" marks an unusable one) cannot sign in: leave them out.
        demo = (
            get_user_model()
            .objects.filter(email__endswith="@steady.example", is_active=True)
            .exclude(password__startswith="!")
            .order_by("email")
        )
        if not demo.exists():
            return
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for user in demo:
            roles = ", ".join(str(role.label) for role in user.roles)
            self.stdout.write(f"  {user.email:<34} {roles}")
