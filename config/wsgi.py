"""The WSGI application gunicorn (and runserver) serve.

It refuses to start without a secret key: with DEBUG off and no DJANGO_SECRET_KEY the settings
leave the key empty (config/settings/base.py) rather than fall back to the public development
key, and a server that started anyway would fail every request that signs something.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

NO_SECRET_KEY = (
    "Refusing to start: DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off. Set "
    "DJANGO_SECRET_KEY to a long random value, the same on every node (python -c 'import "
    "secrets; print(secrets.token_urlsafe(50))'; docs/deployment.md), or DJANGO_DEBUG=true for "
    "local development only (the development key is public)."
)


def _require_secret_key() -> None:
    from django.conf import settings

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(NO_SECRET_KEY)


_require_secret_key()
