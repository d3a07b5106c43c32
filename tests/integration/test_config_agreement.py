"""`halod -t` must agree with `keepalived -t` on which configurations are valid.

Four sets of files, each file its own test:
  sample/    keepalived's own samples, read from /usr/share/doc/keepalived/samples at run
             time: halo passes exactly those keepalived passes
  good/      tests/configs/good/*.conf: both must pass
  broken/    tests/configs/broken/*.conf, one defect each: both must fail, and halo must
             point at the defect (`FILE:LINE:` with the line and message substring given
             by the file's `# expect-line:` and `# expect:` headers)
  stricter/  tests/configs/stricter/*.conf: nonsense keepalived accepts (or never finishes
             reading, `# keepalived: hangs`) and halo deliberately rejects; `# why:` says why

Both programs run inside a namespace of the test's own holding eth0..eth3 and eth0.1, so
interface checks do not depend on the host. A `# config-id: ID` header adds `-i ID` to
both command lines. keepalived's exit code alone decides its verdict (6, its "SECURITY
VIOLATION" code, counts as a failure like any other non-zero code).
"""

from __future__ import annotations

import pytest

import helpers
from helpers import Case, Run

KEEPALIVED_TIMEOUT = 30.0
KEEPALIVED_HANG_TIMEOUT = 5.0  # for files known to make keepalived -t loop forever
HALOD_TIMEOUT = 30.0
HALOD_EXIT_CODES = (0, 4, 5, 6)  # ok, cannot run, errors, script security only

SAMPLES = helpers.corpus("sample")
GOOD = helpers.corpus("good")
BROKEN = helpers.corpus("broken")
STRICTER = helpers.corpus("stricter")


def params(cases: list[Case]):
    return [pytest.param(c, id=c.id) for c in cases]


class Runner:
    """Runs each program at most once per file for the whole session."""

    def __init__(self, netns: helpers.NetNs, halod, keepalived) -> None:
        self.netns = netns
        self.halod = str(halod)
        self.keepalived = keepalived
        self._cache: dict[tuple[str, str], Run] = {}

    @staticmethod
    def _args(case: Case) -> list[str]:
        args = ["-t", "-f", str(case.path)]
        if case.config_id:
            args += ["-i", case.config_id]
        return args

    def keepalived_run(self, case: Case) -> Run:
        key = ("keepalived", str(case.path))
        if key not in self._cache:
            timeout = KEEPALIVED_HANG_TIMEOUT if case.keepalived_hangs else KEEPALIVED_TIMEOUT
            self._cache[key] = self.netns.run([self.keepalived, *self._args(case)], timeout)
        return self._cache[key]

    def halod_run(self, case: Case) -> Run:
        key = ("halod", str(case.path))
        if key not in self._cache:
            self._cache[key] = self.netns.run([self.halod, *self._args(case)], HALOD_TIMEOUT)
        return self._cache[key]


@pytest.fixture(scope="session")
def runner(netns, halod, keepalived) -> Runner:
    return Runner(netns, halod, keepalived)


def verdict(r: Run) -> str:
    if r.timed_out:
        return "did not finish"
    return "passes" if r.returncode == 0 else f"fails (exit {r.returncode})"


def both(k: Run, h: Run) -> str:
    return f"\n--- keepalived ---\n{k.describe()}\n--- halod ---\n{h.describe()}"


def test_samples_present():
    if not SAMPLES:
        helpers.skip_or_fail(f"no keepalived samples in {helpers.SAMPLES} "
                             "(apt-get install keepalived)")


def test_corpus_present():
    assert len(BROKEN) >= 45, f"only {len(BROKEN)} broken configs"
    assert GOOD and STRICTER
    for c in BROKEN + STRICTER:
        assert c.expect_line is not None and c.expect, f"{c.id}: needs expect-line and expect"
    for c in STRICTER:
        assert c.why, f"{c.id}: a stricter case needs a '# why:' header"


@pytest.mark.parametrize("case", params(SAMPLES + GOOD + BROKEN))
def test_agreement(case: Case, runner: Runner):
    k = runner.keepalived_run(case)
    h = runner.halod_run(case)
    assert not k.timed_out, f"keepalived -t did not finish{both(k, h)}"
    assert not h.timed_out, f"halod -t did not finish{both(k, h)}"
    assert h.returncode in HALOD_EXIT_CODES, (
        f"halod -t exit code {h.returncode} is not one of {HALOD_EXIT_CODES}{both(k, h)}")
    k_ok, h_ok = k.returncode == 0, h.returncode == 0
    if case.kind == "good":
        assert k_ok, f"corpus error: keepalived rejects a good config{both(k, h)}"
    if case.kind == "broken":
        assert not k_ok, (f"corpus error: keepalived accepts a broken config (move it to "
                          f"stricter/ if halo is deliberately stricter){both(k, h)}")
    assert k_ok == h_ok, f"keepalived {verdict(k)} but halod {verdict(h)}{both(k, h)}"


def check_diagnostic(case: Case, h: Run) -> None:
    path = str(case.path)
    at_line = [d for d in helpers.diagnostics(h.stderr)
               if d.file == path and d.line == case.expect_line]
    errors = [d for d in at_line if d.severity == "error"]
    where = f"{path}:{case.expect_line}:"
    warned = f"; only warnings: {[d.message for d in at_line]}" if at_line else ""
    assert errors, (f"halod reports no error at {where} (want one containing "
                    f"{case.expect}){warned}\n{h.describe()}")
    # "unknown keyword 'priority'" names the keyword too, but only counts where the defect
    # is an unknown keyword: elsewhere it means the keyword table is still missing.
    if not any("unknown keyword" in e for e in case.expect):
        candidates = [d for d in errors if "unknown keyword" not in d.message.lower()]
    else:
        candidates = errors
    matching = [d for d in candidates if all(e in d.message.lower() for e in case.expect)]
    assert matching, (f"no error at {where} contains all of {case.expect}; got "
                      f"{[d.message for d in errors]}\n{h.describe()}")


@pytest.mark.parametrize("case", params(BROKEN + STRICTER))
def test_diagnostic(case: Case, runner: Runner):
    h = runner.halod_run(case)
    assert not h.timed_out, f"halod -t did not finish\n{h.describe()}"
    check_diagnostic(case, h)


@pytest.mark.parametrize("case", params(STRICTER))
def test_stricter(case: Case, runner: Runner):
    k = runner.keepalived_run(case)
    h = runner.halod_run(case)
    if case.keepalived_hangs:
        assert k.timed_out, (f"corpus error: keepalived -t was expected to hang on this file "
                             f"but {verdict(k)}{both(k, h)}")
    else:
        assert k.returncode == 0, (f"corpus error: keepalived rejects this file too (move it "
                                   f"to broken/){both(k, h)}")
    assert not h.timed_out and h.returncode != 0, (
        f"halod {verdict(h)}, but it must reject this file: {' '.join(case.why)}{both(k, h)}")


@pytest.mark.parametrize("case", params(SAMPLES + GOOD + BROKEN + STRICTER))
def test_halod_never_crashes(case: Case, runner: Runner):
    h = runner.halod_run(case)
    assert not h.timed_out, f"halod -t did not finish\n{h.describe()}"
    assert 0 <= h.returncode < 128, f"halod -t died (exit {h.returncode})\n{h.describe()}"
    assert "Sanitizer" not in h.stderr and "runtime error:" not in h.stderr, (
        f"sanitizer report\n{h.describe()}")
