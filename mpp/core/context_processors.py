from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "KIOSK_IDLE_SECONDS": settings.KIOSK_IDLE_SECONDS}
