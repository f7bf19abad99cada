import pytest

from stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real server, started once for the session's server tests (about a minute on a busy machine)."""
    s = Stack(tmp_path_factory.mktemp("stack"))
    try:
        s.start()
    except BaseException:
        print(s.logs())
        s.close()
        raise
    yield s
    s.close()


@pytest.fixture
def node(stack):
    """The second API node, up (a test before may have stopped it)."""
    if stack.node is None or stack.node.process.poll() is not None:
        stack.start_node()
    return stack


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "stack" in item.fixturenames:
        report.sections.append(("server logs", item.funcargs["stack"].logs()))
