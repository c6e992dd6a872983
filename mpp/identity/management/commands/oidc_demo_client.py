"""Register (again) the demo agency client and print its settings as shell variables:
`make demo-agency` reads them. A new secret each time; development only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mpp.registry.models import Agency

from ...models import AgencyClient
from ...services import agency_client_register

NAME = "Sistem BPJS Kesehatan (demo)"


class Command(BaseCommand):
    help = "Register the demo agency's OpenID Connect client; print MPP_CLIENT_ID/SECRET."

    def add_arguments(self, parser):
        parser.add_argument("--agency-url", default="http://127.0.0.1:8180")
        parser.add_argument("--agency", default="bpjs-kesehatan")

    def handle(self, *args, agency_url, agency, **options):
        if not settings.DEBUG:
            raise CommandError("The demo client is for development (DEBUG=True) only.")
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"No agency {agency!r}: run load_reference_data first.")
        for old in AgencyClient.objects.filter(display_name=NAME).select_related("application"):
            old.application.delete()
        client, secret = agency_client_register(
            agency=found,
            display_name=NAME,
            redirect_uris=[f"{agency_url.rstrip('/')}/callback"],
            scopes=["identity", "address", "contact", "nik"],
            confidential=True,
            purpose_text="Pendaftaran peserta JKN",
            backchannel_logout_uri=f"{agency_url.rstrip('/')}/backchannel-logout",
            by=None,
        )
        self.stdout.write(f"MPP_CLIENT_ID={client.application.client_id}")
        self.stdout.write(f"MPP_CLIENT_SECRET={secret}")
        self.stdout.write(f"AGENCY_URL={agency_url}")
