from ninja import Schema


class WorkingDayOut(Schema):
    date: str
    provisional: bool
