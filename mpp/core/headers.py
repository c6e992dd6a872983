"""Permissions-Policy: no page may use the camera, microphone or location, except the face
pages (the kiosk's and desk's camera steps, the officer's and the citizen's face pages).
Content-Security-Policy comes from django-csp (settings), with no inline scripts allowed."""

from django.conf import settings

DENY_ALL = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
CAMERA_HERE = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=()"


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        camera = match is not None and match.view_name in settings.CAMERA_PAGES
        response.headers.setdefault("Permissions-Policy", CAMERA_HERE if camera else DENY_ALL)
        return response
