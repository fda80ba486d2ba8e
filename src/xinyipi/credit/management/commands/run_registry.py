import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.credit.registry.server import FIXTURES, MODES, registry_server, source_urls


class Command(BaseCommand):
    help = (
        "Serve the external credit sources (national enterprise credit publicity system, Credit China, the "
        "incentive-card registry), the unified identity platform, an SMS gateway and the credit platform's "
        "collection interface on 127.0.0.1 from fixture data, for the demo and tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (default 8765)")
        parser.add_argument("--mode", choices=MODES, default="normal", help="normal, slow or fail (every request)")
        parser.add_argument("--slow-seconds", type=float, default=5.0, help="how long 'slow' waits before answering")
        parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="YAML fixture file")
        parser.add_argument(
            "--store-dir",
            type=Path,
            default=None,
            help="directory where the credit platform keeps what it received (kept across restarts; default: memory)",
        )
        parser.add_argument("--verbose", action="store_true", help="log every request")

    def handle(self, *args, **options):
        if not 0 <= options["port"] <= 65535:
            raise CommandError(f"--port: {options['port']} is not a port number (0-65535)")
        if not 0 <= options["slow_seconds"] <= 3600:
            raise CommandError(f"--slow-seconds: {options['slow_seconds']} should lie between 0 and 3600")
        if options["store_dir"] is not None:
            try:
                options["store_dir"].mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(f"--store-dir: cannot create {options['store_dir']}: {exc}") from exc
        try:
            server = registry_server(
                host=options["host"],
                port=options["port"],
                fixtures=options["fixtures"],
                mode=options["mode"],
                slow_seconds=options["slow_seconds"],
                verbose=options["verbose"],
                store_dir=options["store_dir"],
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        except (ValueError, KeyError) as exc:
            raise CommandError(f"cannot read fixtures {options['fixtures']}: {exc}") from exc
        except sqlite3.Error as exc:
            raise CommandError(f"--store-dir: cannot open the store in {options['store_dir']}: {exc}") from exc
        urls = source_urls(server.base_url)
        self.stdout.write(f"registry server on {server.base_url} (mode {options['mode']})")
        self.stdout.write(f"  XINYIPI_CREDIT_ENTERPRISE_PUBLICITY_URL={urls['enterprise_publicity']}")
        self.stdout.write(f"  XINYIPI_CREDIT_CHINA_URL={urls['credit_china']}")
        self.stdout.write(f"  XINYIPI_CREDIT_CARD_REGISTRY_URL={urls['incentive_card']}")
        self.stdout.write(f"  XINYIPI_SMS_GATEWAY_URL={urls['sms']}")
        self.stdout.write(f"  XINYIPI_IDENTITY_PLATFORM_URL={urls['identity_platform']}")
        self.stdout.write(f"  XINYIPI_CREDIT_PLATFORM_URL={urls['credit_platform']}")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
