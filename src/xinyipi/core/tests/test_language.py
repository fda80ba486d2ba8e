"""Pages are Chinese unless English is chosen; the API follows Accept-Language."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_stay_chinese_for_an_english_browser(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()


def test_language_switch_turns_pages_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/")
    assert '<html lang="en">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_api_messages_follow_accept_language(api):
    chinese = api.client.get("/api/v1/auth/me")
    english = api.client.get("/api/v1/auth/me", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.json()["code"] == english.json()["code"] == "not_authenticated"
    assert chinese.json()["message"] == "需要有效的访问令牌。"
    assert english.json()["message"].isascii()
    assert english.json()["message"] != chinese.json()["message"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_picker_names_each_language_in_its_own_language(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/").content.decode()
    picker = page.split('name="language"')[1].split("</select>")[0]
    assert '<option value="en" lang="en"' in picker and ">English</option>" in picker
    assert ">简体中文</option>" in picker
    assert "英语" not in picker and "Simplified Chinese" not in picker
