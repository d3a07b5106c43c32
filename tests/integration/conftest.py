"""pytest fixtures for halo's integration tests.

  --halod PATH / HALO_BUILD_DIR   which halod to test (ctest passes --halod)
  netns                           a namespace of the session's own with eth0..eth3, eth0.1
  netns_factory                   more namespaces, each removed at the end of the session
  wait_until                      the one way to wait for something

Without root or network namespaces the tests skip, except under CI (CI=true), where a
test that cannot run is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import helpers


def pytest_addoption(parser):
    parser.addoption("--halod", action="store", default=None,
                     help="path of the halod binary (default: $HALO_BUILD_DIR/src/daemon/halod, "
                          "then build/src/daemon/halod in the repository)")


@pytest.fixture(scope="session")
def halod(pytestconfig) -> Path:
    given = pytestconfig.getoption("--halod")
    if given:
        candidates = [Path(given)]
    elif os.environ.get("HALO_BUILD_DIR"):
        candidates = [Path(os.environ["HALO_BUILD_DIR"]) / "src" / "daemon" / "halod"]
    else:
        candidates = [helpers.REPO_ROOT / "build" / "src" / "daemon" / "halod"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c.resolve()
    helpers.skip_or_fail(f"halod not found at {', '.join(map(str, candidates))}; build it or "
                         "pass --halod PATH / set HALO_BUILD_DIR")


@pytest.fixture(scope="session")
def keepalived() -> str:
    path = shutil.which("keepalived")
    if path is None:
        helpers.skip_or_fail("keepalived is not installed (apt-get install keepalived); it is "
                             "the oracle of the agreement tests")
    return path


@pytest.fixture(scope="session")
def netns_factory():
    reason = helpers.namespaces_unavailable_reason()
    created: list[helpers.NetNs] = []

    def make(interfaces=helpers.DEFAULT_INTERFACES) -> helpers.NetNs:
        if reason:
            helpers.skip_or_fail(reason)
        ns = helpers.NetNs()
        try:
            ns.create(interfaces)
        except (RuntimeError, OSError) as e:
            helpers.skip_or_fail(f"cannot create a network namespace: {e}")
        created.append(ns)
        return ns

    yield make
    for ns in created:
        ns.delete()


@pytest.fixture(scope="session")
def netns(netns_factory) -> helpers.NetNs:
    ns = netns_factory()
    helpers.wait_until(lambda: set(helpers.DEFAULT_INTERFACES) <= set(ns.links()), timeout=5,
                       what=f"interfaces in {ns.name}")
    return ns


@pytest.fixture
def wait_until():
    return helpers.wait_until
