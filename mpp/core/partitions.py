"""Monthly range partitions on PostgreSQL (docs/decisions/0021): turning a table into one
partitioned by a date column (and back), creating the coming months, detaching old ones for
archiving. SQLite keeps one table: every function here does nothing there.

PostgreSQL requires every unique key of a partitioned table to contain the partition
column: the primary key becomes (id, <column>) and a unique key without it gains it (and a
comment saying so, which the reverse reads). Foreign keys *to* the table cannot exist; the
models declare them with db_constraint=False before the table is partitioned."""

from datetime import date

from django.db import connection, transaction

WIDENED = "mpp: partition column added to this unique key"
# A table whose comment is this keeps every month: `partitions_detach` leaves it alone
# (the citizens' access log is a hash chain that must stay whole for verify_access_log).
KEEP_ALL = "mpp: partitions kept, never detached"


def is_postgresql(conn=None) -> bool:
    return (conn or connection).vendor == "postgresql"


def month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_y{month.year}m{month.month:02d}"


def _quote(conn, name: str) -> str:
    return conn.ops.quote_name(name)


def _definitions(cursor, table: str) -> tuple[list, list]:
    """(indexes not behind a constraint, [(name, type, definition, comment)] of unique and
    foreign-key constraints) of `table`."""
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
             AND i.relkind IN ('i', 'I')""",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT conname, contype, pg_get_constraintdef(oid),
                  obj_description(oid, 'pg_constraint')
           FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('u', 'f')""",
        [table],
    )
    return indexes, cursor.fetchall()


def _months_of(cursor, table: str, column: str, ahead: int, today: date) -> list[date]:
    # ::date also serves a timestamp column (the session's time zone, UTC, decides the day).
    cursor.execute(f"SELECT min({column})::date, max({column})::date FROM {table}")  # noqa: S608
    first, last = cursor.fetchone()
    start = month_start(min(first or today, today))
    end = month_start(max(last or today, today), ahead)
    months, month = [], start
    while month <= end:
        months.append(month)
        month = month_start(month, 1)
    return months


def _ddl(cursor, conn, sql: str, params: list) -> None:
    """A DDL statement with literal values: PostgreSQL cannot bind parameters in DDL, so with
    server-side binding (decision 0048) the values are quoted into the text by the driver."""
    cursor.execute(conn.ops.compose_sql(sql, params))


def _create_partition(cursor, conn, table: str, month: date) -> None:
    _ddl(
        cursor,
        conn,
        f"CREATE TABLE {_quote(conn, partition_name(table, month))} PARTITION OF "
        f"{_quote(conn, table)} FOR VALUES FROM (%s) TO (%s)",
        [month, month_start(month, 1)],
    )


def _rebuild(table: str, column: str, *, partitioned: bool, ahead: int, today: date) -> None:
    """Copy `table` into a new table (partitioned by month on `column`, or plain), swap them,
    and recreate its indexes and constraints under their names."""
    conn = connection
    new = f"{table}_rebuild"
    q = lambda name: _quote(conn, name)  # noqa: E731
    with conn.cursor() as cursor:
        indexes, constraints = _definitions(cursor, table)
        cursor.execute(
            """SELECT conname, conrelid::regclass::text FROM pg_constraint
               WHERE confrelid = %s::regclass AND contype = 'f' AND conrelid <> confrelid""",
            [table],
        )
        inbound = cursor.fetchall()
        if inbound:
            raise RuntimeError(
                f"{table} is referenced by foreign keys {inbound}: declare them with "
                "db_constraint=False first"
            )
        months = _months_of(cursor, table, column, ahead, today) if partitioned else []
        cursor.execute(
            f"CREATE TABLE {q(new)} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING IDENTITY INCLUDING STORAGE)"
            + (f" PARTITION BY RANGE ({q(column)})" if partitioned else "")
        )
        key = f"id, {q(column)}" if partitioned else "id"
        cursor.execute(
            f"ALTER TABLE {q(new)} ADD CONSTRAINT {q(new + '_pkey')} PRIMARY KEY ({key})"
        )
        if partitioned:
            for month in months:
                _create_partition(cursor, conn, new, month)
            # A row outside every month (a clock far off) lands here instead of failing.
            cursor.execute(f"CREATE TABLE {q(table + '_default')} PARTITION OF {q(new)} DEFAULT")
        cursor.execute(f"INSERT INTO {q(new)} SELECT * FROM {q(table)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {q(table)} CASCADE")
        cursor.execute(f"ALTER TABLE {q(new)} RENAME TO {q(table)}")
        cursor.execute(f"ALTER INDEX {q(new + '_pkey')} RENAME TO {q(table + '_pkey')}")
        for month in months:  # partitions carry the table's name
            cursor.execute(
                f"ALTER TABLE {q(partition_name(new, month))} "
                f"RENAME TO {q(partition_name(table, month))}"
            )
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {q(table + '_id_seq')}")
        cursor.execute(
            f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {q(table)}), 0) + 1, false)",  # noqa: S608
            [table + "_id_seq"],
        )
        for _name, definition in indexes:
            # A partitioned table's index reads "ON ONLY": recreated, it covers every partition.
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        for name, kind, definition, comment in constraints:
            if kind == "f" and f"REFERENCES {table}(" in definition:
                continue  # a self-reference cannot point into a partitioned table
            widened = False
            if kind == "u" and partitioned and column not in definition:
                definition = definition.replace(")", f", {column})", 1)
                widened = True
            elif kind == "u" and not partitioned and comment == WIDENED:
                definition = definition.replace(f", {column})", ")", 1)
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
            if widened:
                comment_on = f"COMMENT ON CONSTRAINT {q(name)} ON {q(table)} IS %s"
                _ddl(cursor, conn, comment_on, [WIDENED])


def table_partition_by_month(
    table: str, column: str, *, ahead: int = 3, today=None, keep_all: bool = False
) -> None:
    """Turn `table` into one partitioned by month on `column` (a date or a timestamp): a
    partition for every month from its oldest row to `ahead` months past today, and a
    default partition. With `keep_all`, retention never detaches its months."""
    if is_postgresql():
        with transaction.atomic():
            _rebuild(table, column, partitioned=True, ahead=ahead, today=today or date.today())
            if keep_all:
                with connection.cursor() as cursor:
                    _ddl(
                        cursor,
                        connection,
                        f"COMMENT ON TABLE {_quote(connection, table)} IS %s",
                        [KEEP_ALL],
                    )


def partitioned_tables() -> list[tuple[str, str, bool]]:
    """[(table, partition column, keeps all months)] of every table partitioned by range in
    the database, by name: what `manage.py visits_partitions` looks after."""
    if not is_postgresql():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, a.attname, coalesce(obj_description(c.oid, 'pg_class'), '') = %s
               FROM pg_partitioned_table p
               JOIN pg_class c ON c.oid = p.partrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
               WHERE p.partstrat = 'r' AND NOT c.relispartition ORDER BY c.relname""",
            [KEEP_ALL],
        )
        return [(name, column, bool(keep)) for name, column, keep in cursor.fetchall()]


def table_unpartition(table: str, column: str) -> None:
    """The reverse: one plain table again (the migration's way back)."""
    if is_postgresql():
        with transaction.atomic():
            _rebuild(table, column, partitioned=False, ahead=0, today=date.today())


def partitions_list(table: str) -> list[tuple[str, date | None]]:
    """[(partition, first day of its month or None for the default)] in month order."""
    if not is_postgresql():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass""",
            [table],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        month = None if bound == "DEFAULT" else date.fromisoformat(bound.split("'")[1][:10])
        found.append((name, month))
    return sorted(found, key=lambda row: (row[1] is None, row[1] or date.min))


def partitions_create(table: str, column: str, *, ahead: int, today: date) -> list[str]:
    """Create the missing partitions from this month to `ahead` months on, and for every
    month the default partition holds rows of (a clock far off, imported history); those
    rows move into their month. Returns the names created."""
    if not is_postgresql():
        return []
    have = {month for _, month in partitions_list(table) if month}
    conn = connection
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {column})::date "  # noqa: S608
            f"FROM {_quote(conn, table + '_default')}"
        )
        caught = {row[0] for row in cursor.fetchall()}
    wanted = {month_start(today, shift) for shift in range(ahead + 1)} | caught
    created = []
    for month in sorted(wanted - have):
        nxt = month_start(month, 1)
        with transaction.atomic(), conn.cursor() as cursor:
            default = _quote(conn, table + "_default")
            cursor.execute(f"LOCK TABLE {_quote(conn, table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("DROP TABLE IF EXISTS pg_temp.moved")  # inside an outer transaction
            cursor.execute(
                f"CREATE TEMP TABLE moved ON COMMIT DROP AS SELECT * FROM {default} "  # noqa: S608
                f"WHERE {column} >= %s AND {column} < %s",
                [month, nxt],
            )
            cursor.execute(
                f"DELETE FROM {default} WHERE {column} >= %s AND {column} < %s",  # noqa: S608
                [month, nxt],
            )
            _create_partition(cursor, conn, table, month)
            cursor.execute(f"INSERT INTO {_quote(conn, table)} SELECT * FROM moved")  # noqa: S608
        created.append(partition_name(table, month))
    return created


def partitions_detach(table: str, *, before: date) -> list[str]:
    """Detach every monthly partition that ends on or before `before`: the rows leave the
    table (and every query) but stay in a table of their own, to archive (pg_dump -t) and
    drop. Metadata only: fast whatever the partition holds. A table marked KEEP_ALL keeps
    every month."""
    if any(name == table and keep for name, _, keep in partitioned_tables()):
        return []
    detached = []
    for name, month in partitions_list(table):
        if month is None or month_start(month, 1) > before:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE {_quote(connection, table)} DETACH PARTITION "
                f"{_quote(connection, name)}"
            )
        detached.append(name)
    return detached
