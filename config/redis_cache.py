"""Django's Redis cache backend, reusing one redis-py client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache operation
(`get_client`); redis-py's constructor sets up its response-callback table each time, which the
in-process profile of the cached sign-up page showed as about a tenth of the request. The client
object is a thin, thread-safe wrapper around the connection pool (which Django already keeps per
server), so one per pool serves every operation. Nothing else changes: same pools, same
serializer, same commands. Django gives every thread its own cache backend instance anyway.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                self._pools[index] = pool
            client = self._client(connection_pool=pool)
            self._clients[index] = client
        return client


# ARGV[1]: how many of KEYS are counted (n); ARGV[1 + i]: the window in seconds of KEYS[i]. Each
# counted key is incremented and, when this hit created it, given its window's expiry (a key left
# without an expiry by an older, non-atomic counter gets one as well). KEYS[n + 1..]: counters only
# read. Returns the counts, then the values of the keys read (false where there is none).
_INCR_WINDOWS = """
local n = tonumber(ARGV[1])
local reply = {}
for i = 1, n do
    local count = redis.call('INCR', KEYS[i])
    if count == 1 or redis.call('TTL', KEYS[i]) < 0 then
        redis.call('EXPIRE', KEYS[i], ARGV[i + 1])
    end
    reply[i] = count
end
for i = n + 1, #KEYS do
    reply[i] = redis.call('GET', KEYS[i])
end
return reply
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._window_scripts = {}

    def incr_window(self, key: str, window_seconds: int, version=None) -> int:
        """Count one hit of a fixed window and return the count: one round trip, atomic.

        A Lua script (run by Redis as one step) increments the counter and gives it the window's
        expiry when this hit created it. Django's `incr` needs `EXISTS` then `INCRBY`, and
        opening a window a third command; done as separate commands, a key that expires between
        them comes back without an expiry and locks its address out for good. The counter is a
        plain integer, which Django's serializer stores as such, so `get` reads it back.
        """
        return self.incr_windows_read([(key, window_seconds)], (), version=version)[0][0]

    def incr_window_read(
        self, key: str, window_seconds: int, read_keys, version=None
    ) -> tuple[int, dict]:
        """incr_window, and the values of `read_keys` as `get_many` gives them: one round trip."""
        counts, found = self.incr_windows_read([(key, window_seconds)], read_keys, version=version)
        return counts[0], found

    def incr_windows_read(self, counted, read_keys, version=None) -> tuple[list[int], dict]:
        """incr_window for each (key, window_seconds) of `counted`, and the values of `read_keys`
        as `get_many` gives them: one round trip, one atomic step."""
        counted = list(counted)
        keys = [
            self.make_and_validate_key(k, version=version)
            for k in (*(key for key, _window in counted), *read_keys)
        ]
        client = self._cache.get_client(keys[0], write=True)
        script = self._window_scripts.get(id(client))
        if script is None:
            script = self._window_scripts[id(client)] = client.register_script(_INCR_WINDOWS)
        args = [len(counted), *(int(window) for _key, window in counted)]
        reply = script(keys=keys, args=args)
        counts = [int(count) for count in reply[: len(counted)]]
        loads = self._cache._serializer.loads
        values = reply[len(counted) :]
        found = {k: loads(v) for k, v in zip(read_keys, values, strict=True) if v is not None}
        return counts, found
