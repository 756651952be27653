"""Prepare the `make run` demo: load the demo data once and create the demo staff accounts.

The accounts' passwords are generated on first run, kept only in the git-ignored var/
folder, and printed on every run so the person at the terminal can log in.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sources.models import EDITORS_GROUP, RATING_MODERATORS_GROUP

from .load_demo import database_is_empty

DEMO_ACCOUNTS = {"editor": EDITORS_GROUP, "moderator": RATING_MODERATORS_GROUP}


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


def demo_account_ensure(username: str, group_name: str, known: dict[str, str]) -> str | None:
    """Create a demo staff account in its group; return its password if known."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return known.get(username)
    try:
        group = Group.objects.get(name=group_name)
    except Group.DoesNotExist:
        raise CommandError(f"The group {group_name!r} is missing: run migrate first.") from None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(group)
    return password


class Command(BaseCommand):
    help = "Load the demo knowledge base if the database is empty and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help="Where the demo server answers (make run passes its HOST and PORT).",
        )

    def handle(self, *args, **options):
        if database_is_empty():
            call_command("load_demo", stdout=self.stdout, stderr=self.stderr)
        path = credentials_path()
        known = json.loads(path.read_text()) if path.exists() else {}
        passwords = {
            username: demo_account_ensure(username, group, known)
            for username, group in DEMO_ACCOUNTS.items()
        }
        known.update({name: password for name, password in passwords.items() if password})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=2))
        path.chmod(0o600)
        base = options["base_url"].rstrip("/")
        self.stdout.write(f"\nSite: {base}/\nAdmin: {base}/admin/")
        for username, group in DEMO_ACCOUNTS.items():
            password = passwords[username] or (
                "(unknown: set one with `python manage.py changepassword " + username + "`)"
            )
            self.stdout.write(f"  {group}: user {username!r}, password {password}")
        self.stdout.write(f"  (kept in {path}, outside version control)\n")
