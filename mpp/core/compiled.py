"""Lookups whose SQL is compiled once per process. The token endpoint and userinfo (and
the sign-in consent check of mpp.citizens.access) run the same few SELECTs on every
request, and building them (the ORM's query compiler: columns, joins, quoting, converters)
cost more CPU than sending them and reading the rows.

Only the statement is kept, never a row: every call still asks the database, so a changed,
revoked or removed client, token, code or consent takes effect at once. The statement
depends only on the models and the database backend, which change with a deploy (a new
process), not while a process runs."""

from django.core.exceptions import MultipleObjectsReturned
from django.db import connections, models, router
from django.db.models import sql
from django.db.models.expressions import DatabaseDefault
from django.db.models.query import get_related_populators


class _Statement:
    """One compiled SELECT: its SQL, where each key goes in its parameters, and how a row
    becomes the model (with its select_related objects), as Django's ModelIterable does."""

    def __init__(self, queryset, sentinels: dict, alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = {name: [] for name in sentinels}
        for index, value in enumerate(self.params):
            for name, sentinel in sentinels.items():
                if type(value) is type(sentinel) and value == sentinel:
                    self.slots[name].append(index)
        # A key the backend adapts before sending (SQLite's datetimes, say) cannot be put
        # in place: such a statement is not used (the caller's queryset runs instead).
        self.usable = all(self.slots.values())
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.related_populators = get_related_populators(klass_info, select, alias)
        columns = [column[0] for column in select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(columns).items())

    def rows(self, connection, keys: dict) -> list:
        params = list(self.params)
        for name, slots in self.slots.items():
            for index in slots:
                params[index] = keys[name]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def instance(self, connection, alias: str, row):
        row = list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj = self.model.from_db(alias, self.init_list, row[self.start : self.end])
        for populator in self.related_populators:
            populator.populate(row, obj)
        return obj


class CompiledLookup:
    """`build(**keys)` returns the queryset (the same for every request but for `keys`);
    `first(**keys)` runs its SQL, compiled on first use, and returns the one row as a model
    instance, or None; `all(**keys)` returns every row. `variant` names another statement
    from the same builder (e.g. FOR UPDATE inside a transaction), passed to `build` too."""

    def __init__(self, model, build, sentinels: dict):
        self.model = model
        self.build = build
        self.sentinels = sentinels
        self._statements: dict = {}

    def _queryset(self, keys: dict, variant: dict):
        return self.build(**keys, **variant)

    def _prepared(self, for_write: bool, variant: dict):
        route = router.db_for_write if for_write else router.db_for_read
        alias = route(self.model)
        connection = connections[alias]
        cache_key = (alias, connection.vendor, tuple(sorted(variant.items())))
        statement = self._statements.get(cache_key)
        if statement is None:
            queryset = self._queryset(self.sentinels, variant).using(alias)
            statement = self._statements[cache_key] = _Statement(queryset, self.sentinels, alias)
        return statement, alias, connection

    def all(self, *, for_write: bool = False, variant: dict | None = None, **keys) -> list:
        """Every row, in the queryset's order, as model instances."""
        variant = variant or {}
        statement, alias, connection = self._prepared(for_write, variant)
        if not statement.usable:
            return list(self._queryset(keys, variant).using(alias))
        rows = statement.rows(connection, keys)
        return [statement.instance(connection, alias, row) for row in rows]

    def first(self, *, for_write: bool = False, variant: dict | None = None, **keys):
        """The one row (the lookup is by a unique key), or None."""
        variant = variant or {}
        statement, alias, connection = self._prepared(for_write, variant)
        if not statement.usable:
            return self._queryset(keys, variant).using(alias).first()
        rows = statement.rows(connection, keys)
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleObjectsReturned(f"{self.model.__name__}: {len(rows)} rows")
        return statement.instance(connection, alias, rows[0])


class CompiledInsertModel(models.Model):
    """A model whose rows are inserted on a hot path (a ticket per kiosk tap). `save()` is
    Django's own (signals, pre_save values, the instance's state, the transaction); only the
    single-row INSERT it ends in is built by Django's compiler once per process, per database
    and per set of columns, instead of on every save. The values are computed on every save
    as Django computes them (`pre_save`, `get_db_prep_save`); a value that is an expression
    other than the column's database default takes Django's own path."""

    class Meta:
        abstract = True

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        return _insert_compiled(self, manager, using, fields, returning_fields, raw)


class _Insert:
    def __init__(self, obj, using: str, fields, returning_fields, defaults: frozenset):
        query = sql.InsertQuery(type(obj))
        query.insert_values(fields, [obj], raw=True)  # values already pre_saved by the caller
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = returning_fields
        statements = compiler.as_sql()
        self.sql, params = statements[0]
        self.slots = [field for index, field in enumerate(fields) if index not in defaults]
        connection = connections[using]
        expected = [
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in self.slots
        ]
        # Only a plain statement (one row, a "%s" per value) is kept; anything else (a field
        # with its own placeholder, a backend that returns rows another way) runs as before.
        self.usable = (
            len(statements) == 1
            and list(params) == expected
            and not getattr(compiler, "returning_params", ())
            and (not returning_fields or connection.features.can_return_columns_from_insert)
        )
        table = type(obj)._meta.db_table
        columns = [field.get_col(table) for field in returning_fields]
        self.converters = compiler.get_converters(columns)
        self.compiler = compiler

    def run(self, obj, connection) -> list:
        params = [
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in self.slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            if not self.compiler.returning_fields:
                return []
            rows = [cursor.fetchone()]
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return rows


_INSERTS: dict = {}


def _insert_compiled(obj, manager, using, fields, returning_fields, raw):
    if not raw:
        for field in fields:  # what the compiler would do, once, before the statement is chosen
            setattr(obj, field.attname, field.pre_save(obj, add=True))
    values = [getattr(obj, field.attname) for field in fields]
    defaults = frozenset(
        index for index, value in enumerate(values) if isinstance(value, DatabaseDefault)
    )
    expressions = any(
        hasattr(value, "resolve_expression") and index not in defaults
        for index, value in enumerate(values)
    )
    if expressions:  # F(), Now() and the like: Django compiles them each time
        return manager._insert(
            [obj], fields=fields, returning_fields=returning_fields, using=using, raw=True
        )
    key = (
        type(obj),
        using,
        tuple(field.attname for field in fields),
        tuple(field.attname for field in returning_fields),
        defaults,
    )
    statement = _INSERTS.get(key)
    if statement is None:
        statement = _INSERTS[key] = _Insert(obj, using, fields, returning_fields, defaults)
    if not statement.usable:
        return manager._insert(
            [obj], fields=fields, returning_fields=returning_fields, using=using, raw=True
        )
    return statement.run(obj, connections[using])
