"""Which language a request is answered in.

Pages are Chinese unless the person chose English with the language switch (a cookie): a clerk's browser
set to English must not turn the service center's screens English by itself. The API follows
``Accept-Language`` (DESIGN.md §6.1: messages "zh-Hans or en by Accept-Language").
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
