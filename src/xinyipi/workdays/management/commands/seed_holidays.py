from django.core.management.base import BaseCommand

from xinyipi.workdays.services import holidays_seed_from_package


class Command(BaseCommand):
    help = "Add the chinesecalendar package's holidays and adjusted working days that the table lacks."

    def handle(self, *args, **options):
        result = holidays_seed_from_package()
        self.stdout.write(
            f"holidays added: {result['created']}; years marked covered: {result['years_added'] or 'none'}"
        )
