"""Driving a page with the keyboard alone, as a keyboard or switch user does.

Every step presses real keys through ``page.keyboard``: Tab and Shift+Tab to move,
arrow keys and Space for radios and checkboxes, typing into boxes, Enter on links and
buttons. Elements are located only to ask where the focus is, never to click or fill,
so a control that cannot be reached or worked by keyboard fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: More Tab presses than any page needs to reach a control from the top of the page
#: (header, menu, back link, guidance, every radio group of the longest section).
TAB_LIMIT = 120

_FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) { return null; }
    return {
        tag: e.tagName.toLowerCase(),
        type: (e.getAttribute("type") || "").toLowerCase(),
        id: e.id || "",
        name: e.getAttribute("name") || "",
        value: e.value === undefined ? "" : String(e.value),
        text: (e.innerText || e.textContent || "").replace(/\\s+/g, " ").trim(),
        href: e.getAttribute("href") || "",
        checked: !!e.checked,
    };
}"""


@dataclass(frozen=True)
class Focus:
    """What has the keyboard focus."""

    tag: str
    type: str
    id: str
    name: str
    value: str
    text: str
    href: str
    checked: bool

    def is_link(self, text: str) -> bool:
        return self.tag == "a" and self.text == text

    def is_button(self, text: str) -> bool:
        return self.tag == "button" and self.text == text


def focused(page: Page) -> Focus | None:
    found = page.evaluate(_FOCUSED)
    return Focus(**found) if found else None


def tab_to(
    page: Page, wanted: Callable[[Focus], bool], what: str, backwards: bool = False
) -> Focus:
    """Press Tab (Shift+Tab if ``backwards``) until the focus is on what is ``wanted``."""
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        now = focused(page)
        if now is not None and wanted(now):
            return now
        seen.append(f"{now.tag}#{now.id or now.name}" if now else "(nothing)")
    raise AssertionError(f"{what} was not reached with {key}; the focus went to {seen[:40]}")


def tab_to_id(page: Page, element_id: str) -> Focus:
    return tab_to(page, lambda f: f.id == element_id, f"#{element_id}")


def tab_to_link(page: Page, text: str) -> Focus:
    return tab_to(page, lambda f: f.is_link(text), f"the link {text!r}")


def tab_to_button(page: Page, text: str) -> Focus:
    return tab_to(page, lambda f: f.is_button(text), f"the button {text!r}")


def choose(page: Page, name: str, value: str) -> None:
    """Tab into the radio group ``name`` and select ``value`` with the arrow keys.

    Tab lands on the checked radio, or the first when none is; each arrow key moves to
    the next radio and selects it (wrapping round), and Space selects the one focused.
    """
    tab_to(page, lambda f: f.type == "radio" and f.name == name, f"the radios {name!r}")
    for _ in range(12):
        now = focused(page)
        assert now is not None
        if now.value == value:
            if not now.checked:
                page.keyboard.press("Space")
            now = focused(page)
            assert now is not None and now.checked, f"{name}={value} not selected by Space"
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no radio {name}={value} reached with the arrow keys")


def tick(page: Page, name: str, value: str) -> None:
    """Tab to the checkbox ``name``=``value`` and tick it with Space."""
    now = tab_to(
        page,
        lambda f: f.type == "checkbox" and f.name == name and f.value == value,
        f"the checkbox {name}={value}",
    )
    if not now.checked:
        page.keyboard.press("Space")
    after = focused(page)
    assert after is not None and after.checked, f"{name}={value} not ticked by Space"


def type_into(page: Page, element_id: str, text: str) -> None:
    """Tab to the box ``element_id`` and type ``text`` (after clearing what it holds)."""
    tab_to_id(page, element_id)
    replace_text(page, text)


def replace_text(page: Page, text: str) -> None:
    """Replace what the focused box holds with ``text``, as typed."""
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def type_date(page: Page, key: str, day: int, month: int, year: int) -> None:
    """A GOV.UK date input: Day, Month and Year boxes, one Tab apart."""
    type_into(page, f"{key}__day", str(day))
    for part, number in (("month", month), ("year", year)):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None and now.id == f"{key}__{part}", f"Tab from the day went to {now}"
        page.keyboard.type(str(number))


@contextmanager
def navigating(page: Page) -> Iterator[None]:
    """Wait for the page the key press inside the block leads to (its deferred scripts,
    the autosave's among them, have run by DOMContentLoaded)."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        yield


def press_link(page: Page, text: str) -> None:
    """Tab to the link ``text`` and follow it with Enter."""
    tab_to_link(page, text)
    with navigating(page):
        page.keyboard.press("Enter")


def press_button(page: Page, text: str) -> None:
    """Tab to the button ``text`` and press it with Enter."""
    tab_to_button(page, text)
    with navigating(page):
        page.keyboard.press("Enter")
