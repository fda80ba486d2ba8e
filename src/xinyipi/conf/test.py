"""Fast, isolated settings for the test suite."""

import atexit
import os
import shutil
import tempfile

from xinyipi.conf.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="xinyipi-media-")
# Each test process (and each subprocess the tests start) has its own; none is left behind.
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 12
# Off whatever the environment says; the tests of the second factor turn it on.
STAFF_OTP_REQUIRED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not memory: concurrency tests need real locking, WAL and several connections. One file per
# process, so parallel workers (and parallel runs) never share a database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"xinyipi-test-{os.getpid()}.sqlite3")
    }
