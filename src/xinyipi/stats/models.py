"""The statistics' rollup (R13): what every case adds to the figures, summed per day of filing and cell
(department, matter, mode, credit level), kept in the transaction of each move (``rollup.py``) so the dashboard
reads a few thousand rows instead of a million cases. ``manage.py stats_rebuild`` writes both tables afresh
from the cases; the tests hold the kept tables equal to a rebuild."""

from django.db import models
from django.utils.translation import gettext_lazy as _

CELL = ("department", "matter", "mode", "credit_level")
# The figures a case adds to its day's row, one integer column each (the tests hold the model to this list).
FIGURES = (
    "applications",
    "decided",
    "approved",
    "rejected",
    "certificates_waived",
    "materials_tolerated",
    "commitments_fulfilled",
    "commitments_nonconforming",
    "commitments_breached",
    "supplements_on_time",
    "supplements_late",
    "supplements_never",
    "served_commitment",
    "served_tolerance",
    "served_green_channel",
    "served_instant",
    "served_incentive_card",
    "dishonest_restricted",
    "certificates_not_fetched",
    "tolerated_materials",
    "decided_with_due",
    "decided_within_promised",
    "decided_within_statutory",
    "days_saved",
)


class _Cell(models.Model):
    day = models.DateField(_("受理日期"))
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, db_index=False)
    matter = models.ForeignKey("catalog.Matter", on_delete=models.PROTECT, db_index=False)
    mode = models.CharField(_("办理模式"), max_length=20)
    credit_level = models.CharField(_("受理时信用等级"), max_length=20)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.matter_id}/{self.mode}/{self.credit_level}"


class DayFigures(_Cell):
    """The figures of the cases filed on one Beijing day in one cell."""

    week = models.DateField(_("所在周（周一）"))
    # The case counts of R13, the materials the cases did without, and what their decisions add: how many had a
    # promised date, kept it, kept the statutory limit, and the days decided before the promised date.
    applications = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    certificates_waived = models.IntegerField(default=0)
    materials_tolerated = models.IntegerField(default=0)
    commitments_fulfilled = models.IntegerField(default=0)
    commitments_nonconforming = models.IntegerField(default=0)
    commitments_breached = models.IntegerField(default=0)
    supplements_on_time = models.IntegerField(default=0)
    supplements_late = models.IntegerField(default=0)
    supplements_never = models.IntegerField(default=0)
    served_commitment = models.IntegerField(default=0)
    served_tolerance = models.IntegerField(default=0)
    served_green_channel = models.IntegerField(default=0)
    served_instant = models.IntegerField(default=0)
    served_incentive_card = models.IntegerField(default=0)
    dishonest_restricted = models.IntegerField(default=0)
    certificates_not_fetched = models.IntegerField(default=0)
    tolerated_materials = models.IntegerField(default=0)
    decided_with_due = models.IntegerField(default=0)
    decided_within_promised = models.IntegerField(default=0)
    decided_within_statutory = models.IntegerField(default=0)
    days_saved = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "matter", "mode", "credit_level", "day"], name="stats_day_cell_unique"
            )
        ]
        # The readers group by cell: an index holding every column in cell order lets SQLite sum the rows in
        # index order, without a sort and without reading the table (7 columns of it are the key).
        indexes = [models.Index(fields=[*CELL, "day", "week", *FIGURES], name="stats_day_cover_idx")]


class DecisionDays(_Cell):
    """How many of one day's cases in one cell were decided after ``days`` calendar days: the median's
    histogram. A case enters it once, at its decision, and never leaves (a decision is never undone)."""

    days = models.IntegerField(_("办结天数"))
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("办结天数分布")
        verbose_name_plural = _("办结天数分布")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "matter", "mode", "credit_level", "days", "day"],
                name="stats_decision_days_unique",
            )
        ]
        indexes = [models.Index(fields=[*CELL, "days", "day", "n"], name="stats_decision_days_cover_idx")]
