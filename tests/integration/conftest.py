"""pytest fixtures for halo's integration tests.

  --halod PATH / HALO_BUILD_DIR   which halod to test (ctest passes --halod)
  --haloctl PATH                  which haloctl to test (ctest passes --haloctl)
  netns                           a namespace of the session's own with eth0..eth3, eth0.1
  netns_factory                   more namespaces, each removed at the end of the session
  wait_until                      the one way to wait for something
  vrrp                            a VRRP lab (vrrp_lab.py): hosts on a bridge, daemons on them,
                                  node state checked at teardown

VRRP tests that run halod as a VRRP node carry the `halo_vrrp` marker. They are deselected
unless `--halo-vrrp` is given or HALO_VRRP_TESTS=1 is set; `--no-halo-vrrp` or
HALO_VRRP_TESTS=0 deselect them. HALO_VRRP_TESTS_DEFAULT below is the default.

Without root or network namespaces the tests skip, except under CI (CI=true), where a
test that cannot run is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import helpers
import vrrp_lab

# Whether `halo_vrrp` tests run when neither the option nor HALO_VRRP_TESTS says: "0" until
# halod's VRRP engine fails over, then "1".
HALO_VRRP_TESTS_DEFAULT = "1"


def pytest_addoption(parser):
    parser.addoption("--halod", action="store", default=None,
                     help="path of the halod binary (default: $HALO_BUILD_DIR/src/daemon/halod, "
                          "then build/src/daemon/halod in the repository)")
    parser.addoption("--haloctl", action="store", default=None,
                     help="path of the haloctl binary (default: $HALO_BUILD_DIR/src/haloctl/"
                          "haloctl, then build/src/haloctl/haloctl in the repository)")
    parser.addoption("--halo-vrrp", dest="halo_vrrp", action="store_true", default=None,
                     help="run the tests marked halo_vrrp (halod as a VRRP node)")
    parser.addoption("--no-halo-vrrp", dest="halo_vrrp", action="store_false",
                     help="deselect the tests marked halo_vrrp")


def halo_vrrp_enabled(config) -> bool:
    chosen = config.getoption("halo_vrrp")
    if chosen is not None:
        return chosen
    value = os.environ.get("HALO_VRRP_TESTS", HALO_VRRP_TESTS_DEFAULT).strip().lower()
    return value not in ("", "0", "false", "no", "off")


def pytest_collection_modifyitems(config, items):
    if halo_vrrp_enabled(config):
        return
    kept = [i for i in items if i.get_closest_marker("halo_vrrp") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def built_program(pytestconfig, option: str, subdir: str, name: str) -> Path:
    """A program of the build: the path given as --OPTION, else $HALO_BUILD_DIR/src/SUBDIR/NAME,
    else build/src/SUBDIR/NAME in the repository."""
    given = pytestconfig.getoption(f"--{option}")
    if given:
        candidates = [Path(given)]
    elif os.environ.get("HALO_BUILD_DIR"):
        candidates = [Path(os.environ["HALO_BUILD_DIR"]) / "src" / subdir / name]
    else:
        candidates = [helpers.REPO_ROOT / "build" / "src" / subdir / name]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c.resolve()
    helpers.skip_or_fail(f"{name} not found at {', '.join(map(str, candidates))}; build it or "
                         f"pass --{option} PATH / set HALO_BUILD_DIR")


@pytest.fixture(scope="session")
def halod(pytestconfig) -> Path:
    return built_program(pytestconfig, "halod", "daemon", "halod")


@pytest.fixture(scope="session")
def haloctl(pytestconfig) -> Path:
    return built_program(pytestconfig, "haloctl", "haloctl", "haloctl")


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


@pytest.fixture
def vrrp(request):
    """A VRRP lab session: `vrrp.lab(hosts)`, then `vrrp.start(impl, host, config)`.

    At teardown every daemon still running gets SIGTERM, and every host whose daemons all
    ended that way must have the `ip addr/route/rule/link` it had before its first daemon.
    """
    reason = vrrp_lab.unavailable_reason()
    if reason:
        helpers.skip_or_fail(reason)

    def binary(impl: str) -> str:
        if impl == "keepalived":
            return request.getfixturevalue("keepalived")
        if impl == "halo":
            return str(request.getfixturevalue("halod"))
        raise ValueError(f"unknown VRRP implementation {impl!r}")

    # Skip before building anything when a program the parametrization names is missing.
    callspec = getattr(request.node, "callspec", None)
    for impl in set(callspec.params.get("impls", ())) if callspec else ():
        binary(impl)
    session = vrrp_lab.LabSession(binary)
    try:
        yield session
    finally:
        session.close()
