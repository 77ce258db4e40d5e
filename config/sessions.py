"""Sessions in PostgreSQL with a Redis read cache that may fail without breaking a request.

Why cached_db rather than cache: counselors stay logged in when Redis restarts, is flushed or
evicts keys under memory pressure, and any app node can read any session (no sticky sessions).
Reads are served from Redis; writes go to the database first, then to Redis. Students do not get
a session at all (CSRF and messages live in cookies), so the extra write only happens on logins.

Django's cached_db already logs a failed cache write, but a failed cache write after a cache
miss, a failed existence check or a failed delete still raise. Here every cache operation falls
back to the database with a warning, so a Redis outage costs speed, never a request.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("kaowutong.availability")


def _warn(operation: str) -> None:
    logger.warning("session cache unavailable during %s; using the database", operation)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            _warn("load")
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:
            _warn("load")
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception:
                _warn("exists")
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:
            _warn("save")

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            _warn("delete")
