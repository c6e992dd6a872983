import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _face_models_warm() -> None:
    from django.conf import settings

    if settings.FACE_WARM_MODELS:  # each worker loads them before its first request
        from mpp.biometrics import engine

        engine.models_warm()


_face_models_warm()
