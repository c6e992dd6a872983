"""Django's database cache with an atomic `incr`, so counters kept in it (the rate limiter)
hold exactly across processes and machines. Django's own `incr` reads then writes: two
processes could both read 9 and both write 10."""

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.in_atomic_block or connection.vendor != "postgresql":
            return super().add(key, value, timeout, version)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")  # as in incr below
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)
        # PostgreSQL locks the row; SQLite's IMMEDIATE transactions already serialise writers.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=db), connection.cursor() as cursor:
            if outermost and connection.vendor == "postgresql":
                # A counter lost in a server crash costs one extra attempt; waiting for the
                # WAL flush on every count would cost milliseconds per request.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(
                f"SELECT {quote('value')} FROM {table} "  # noqa: S608 (table name is ours)
                f"WHERE {quote('cache_key')} = %s AND {quote('expires')} > %s{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(row[0].encode("latin1"))) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s "  # noqa: S608
                f"WHERE {quote('cache_key')} = %s",
                [encoded, key],
            )
        return value
