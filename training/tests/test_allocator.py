import sys

import pytest

from enhance_training.allocator import MARK, TUNABLES, tuned_env


@pytest.mark.skipif(sys.platform != "linux", reason="glibc tunables are Linux-only")
def test_tunes_once_and_keeps_what_the_user_set():
    env = tuned_env({"PATH": "/bin"})
    assert env == {"PATH": "/bin", MARK: "1", "GLIBC_TUNABLES": TUNABLES}
    assert tuned_env(env) is None  # the restarted process does not restart again
    assert tuned_env({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}) is None
    other = tuned_env({"GLIBC_TUNABLES": "glibc.rtld.nns=4"})
    assert other["GLIBC_TUNABLES"] == f"glibc.rtld.nns=4:{TUNABLES}"
