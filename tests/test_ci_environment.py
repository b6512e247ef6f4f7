"""In CI, the system packages that .ci/run installs must really be there.

The browser and PNG tests skip on a developer machine without Chromium; in CI
(``CI`` set) they never skip, and this test says plainly what is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("CI"), reason="checks the CI machine only")


def test_chromium_installed() -> None:
    assert shutil.which("chromium") or os.path.exists("/usr/bin/chromium"), (
        ".ci/run should have installed Debian's chromium"
    )


def test_cjk_font_installed() -> None:
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=True).stdout
    assert "Noto Sans CJK" in fonts, ".ci/run should have installed fonts-noto-cjk"
