"""System checks for settings that must agree with files shipped beside the code."""

import re

from django.conf import settings
from django.core.checks import Warning, register

NGINX_HTTP_CONF = "scripts/nginx/kaowutong-http.conf"
NGINX_LOCATIONS_CONF = "scripts/nginx/kaowutong-locations.conf"
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
    try:
        text = (settings.BASE_DIR / NGINX_HTTP_CONF).read_text()
        pages = (settings.BASE_DIR / NGINX_LOCATIONS_CONF).read_text()
    except OSError:
        return []  # a deployment without the repository's scripts/: nothing to compare
    nginx = nginx_body_limit_bytes(text)
    told = f"上传的文件不能超过 {settings.UPLOAD_MAX_MB} MB"
    if nginx != settings.MAX_REQUEST_BODY_BYTES or told not in pages:
        return [
            Warning(
                f"{NGINX_HTTP_CONF} sets client_max_body_size to {nginx} bytes (its 413 page "
                f"in {NGINX_LOCATIONS_CONF} must say “{told}”), but UPLOAD_MAX_MB "
                f"(DJANGO_UPLOAD_MAX_MB) is {settings.UPLOAD_MAX_MB} MB.",
                hint=f"Set client_max_body_size {settings.UPLOAD_MAX_MB}m and the 413 page's "
                "figure in the nginx configuration you install (docs/deployment.md).",
                id="kaowutong.W001",
            )
        ]
    return []
