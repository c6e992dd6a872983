"""The benchmark's server: the real application plus one naive endpoint used as a baseline
(bench/queue_naive_urls.py). Never deployed."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.queue_naive_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
