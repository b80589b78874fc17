"""Every page has an icon: found by QA of the demo, where each console, editor and web chat page got 404 for
/favicon.ico."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)"')


@pytest.mark.parametrize("path", ["/favicon.ico", "/favicon.svg"])
async def test_the_icon_is_served_without_a_session(client, path) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert ElementTree.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("page", [
    pytest.param("/console", id="console"),
    pytest.param("/kb", id="kb-editor"),
    pytest.param("/chat", id="webchat"),
    pytest.param("/console/analytics", id="analytics-sign-in"),
])
async def test_every_page_links_the_icon(client, page) -> None:
    html = (await client.get(page)).text
    [href] = ICON_LINK.findall(html)
    assert (await client.get(href)).status_code == 200
