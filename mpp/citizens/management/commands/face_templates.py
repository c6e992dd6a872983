"""How many face templates each model holds, and how many wait for re-enrolment (templates of
another model than the current one are never compared: docs/biometrics.md). Counts only: no
citizen is named, so nothing personal is read."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from mpp import biometrics as bio
from mpp.citizens.models import FaceTemplate


class Command(BaseCommand):
    help = "Count face templates per model and those that need re-enrolment."

    def handle(self, *args, **options):
        rows = FaceTemplate.objects.values("model_id").annotate(n=Count("id")).order_by("model_id")
        stale = 0
        for row in rows:
            current = row["model_id"] == bio.MODEL_ID
            stale += 0 if current else row["n"]
            label = "current" if current else "re-enrol"
            self.stdout.write(f"{row['model_id']}: {row['n']} ({label})")
        self.stdout.write(f"to re-enrol: {stale}")
