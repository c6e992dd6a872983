import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mpp.surveys.ikm import ELEMENTS, METHOD_2004, METHOD_2017, WEIGHT_MODES, ikm_from_rows
from mpp.surveys.services import questionnaires_read


class Command(BaseCommand):
    help = (
        "Compute the satisfaction index (IKM, PermenPANRB 14/2017) from a CSV with one "
        "questionnaire per row and columns U1..U9 (values 1-4): each element's NRR, the IKM, "
        "the grade and its label. The pages use the same computation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--responses", required=True, help="CSV file, columns U1..U9")
        parser.add_argument("--weights", choices=WEIGHT_MODES, default="exact")
        parser.add_argument(
            "--method",
            choices=[METHOD_2017, METHOD_2004],
            default=METHOD_2017,
            help="2004 = the old Kepmenpan 25/2004 method (U1..U14), for old reports",
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, **options):
        path = Path(options["responses"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            rows = questionnaires_read(text, method=options["method"])
        except ValidationError as exc:
            raise CommandError(f"{path.name}: {' '.join(exc.messages)}") from None
        if not rows:
            raise CommandError(f"{path.name}: no questionnaires")
        result = ikm_from_rows(rows, method=options["method"], weight_mode=options["weights"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(
            f"Method {result.method}, weights {result.weight_mode}, "
            f"{result.respondents} questionnaires"
        )
        self.stdout.write(f"{'element':<8} {'NRR':>8} {'weighted':>10}")
        for number in range(ELEMENTS[result.method]):
            self.stdout.write(
                f"U{number + 1:<7} {result.nrr_display[number]:>8} "
                f"{result.weighted_display[number]:>10}"
            )
        grade = result.grade
        self.stdout.write(f"IKM      {result.ikm}")
        self.stdout.write(f"Grade    {grade.letter} ({grade.label})")
