from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import run_seeders


class Command(BaseCommand):
    help = "Create Steady's demo people, programme and cohorts (idempotent; DEBUG only)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo makes known demo passwords, so it runs only with DEBUG on.")
        with transaction.atomic():
            ctx = run_seeders()
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (password for all below):"))
        for role, email, password in ctx.logins:
            self.stdout.write(f"  {role:<22} {email:<34} {password}")
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
