import json
from pathlib import Path

from django.core.management.base import BaseCommand

from xinyipi.api.v1 import api


def openapi_document() -> str:
    return (
        json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1 (the committed copy is docs/api/openapi-v1.json)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="docs/api/openapi-v1.json")

    def handle(self, *args, path, **options):
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(openapi_document(), encoding="utf-8")
        self.stdout.write(f"wrote {target}")
