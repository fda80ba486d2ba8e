"""Beijing calendar arithmetic in SQL, the same on SQLite and PostgreSQL.

Django's own ``TruncDate(tzinfo=…)`` runs a Python function per row on SQLite (the zone database lookup), which at a
million cases costs seconds. Beijing has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact:
SQLite's ``date(x, '+8 hours')`` on the stored UTC text, PostgreSQL's ``AT TIME ZONE 'Asia/Shanghai'``.
"""

from django.db.models import DateField, Func, IntegerField


class BeijingDate(Func):
    """The Beijing calendar day of a stored instant."""

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+8 hours')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((%(expressions)s AT TIME ZONE 'Asia/Shanghai')::date)", **extra
        )


class BeijingWeek(Func):
    """The Monday of the Beijing week of a stored instant."""

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "date(%(expressions)s, '+8 hours', 'weekday 0', '-6 days')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "(date_trunc('week', %(expressions)s AT TIME ZONE 'Asia/Shanghai')::date)"
        return self.as_sql(compiler, connection, template=template, **extra)


class DaysBetween(Func):
    """``DaysBetween(end, start)``: whole calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)


class Weekday(Func):
    """Day of the week of a date, 0 for Sunday to 6 for Saturday."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%w', %(expressions)s) AS INTEGER)", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(EXTRACT(DOW FROM %(expressions)s)::int)", **extra)
