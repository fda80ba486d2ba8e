"""Every page a role may open, on the objects the access matrix builds — for the checks that walk the whole site
(accessibility, phone layout). The access matrix fails for a page the URLconf has and its table does not name,
so a new page is walked here as soon as it is listed there."""

from django.conf import settings

from tests.access.test_access_matrix import TABLE, _build, _page_url

build_world = _build


def page_names(role: str) -> list[str]:
    """The named pages the role may GET, on objects of scope A (its own department and subject)."""

    def opens(answer) -> bool:
        return (answer[0] if isinstance(answer, tuple) else answer) == 200

    return sorted(
        name
        for (method, name), answers in TABLE.items()
        if method == "GET" and not name.startswith("/api/") and opens(answers[role])
    )


def page_urls(world: dict, role: str) -> list[str]:
    return [_page_url(world, name, "A") for name in page_names(role)]


def sign_in(page, live_server, world: dict, role: str) -> None:
    """The browser takes over the session of the matrix's signed-in client for ``role``."""
    if role == "anon":
        return
    session = world["clients"][role].cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def whole_page(page, url: str) -> bool:
    """Opens ``url`` if it answers with a whole HTML page (not a file to download, nor an htmx fragment)."""
    answer = page.request.get(url)  # with the page's cookies; a file would start a download, not a page
    assert answer.ok, f"{url}: {answer.status}"
    if "text/html" not in answer.headers.get("content-type", "") or "<html" not in answer.text()[:500]:
        return False
    page.goto(url)
    return True
