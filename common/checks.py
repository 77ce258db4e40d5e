"""System checks for settings that must agree with files shipped beside the code."""

import re

from django.conf import settings
from django.core.checks import Warning, register

NGINX_HTTP_CONF = "scripts/nginx/kaowutong-http.conf"
_BODY_SIZE = re.compile(r"^\s*client_max_body_size\s+(\d+)([kKmM]?)\s*;", re.MULTILINE)


def nginx_body_limit_bytes(text: str) -> int | None:
    """client_max_body_size of an nginx configuration, in bytes (None when it sets none)."""
    match = _BODY_SIZE.search(text)
    if match is None:
        return None
    number, unit = int(match.group(1)), match.group(2).lower()
    return number * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


@register()
def upload_limit_matches_nginx(app_configs=None, **kwargs):
    """The one upload limit (settings.UPLOAD_MAX_MB) is what the shipped nginx allows too.

    A smaller nginx limit answers nginx's 413 to a photo the page says is fine; a larger one lets
    bodies through to gunicorn that the app then refuses.
    """
    path = settings.BASE_DIR / NGINX_HTTP_CONF
    try:
        text = path.read_text()
    except OSError:
        return []  # a deployment without the repository's scripts/: nothing to compare
    nginx = nginx_body_limit_bytes(text)
    if nginx != settings.MAX_REQUEST_BODY_BYTES:
        return [
            Warning(
                f"{NGINX_HTTP_CONF} sets client_max_body_size to {nginx} bytes, but "
                f"UPLOAD_MAX_MB (DJANGO_UPLOAD_MAX_MB) is {settings.UPLOAD_MAX_MB} MB.",
                hint=f"Set client_max_body_size {settings.UPLOAD_MAX_MB}m in the nginx "
                "configuration you install (docs/deployment.md).",
                id="kaowutong.W001",
            )
        ]
    return []
