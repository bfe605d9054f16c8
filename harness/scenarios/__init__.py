"""The conformance suite.  Every test names the requirements it checks with
``@pytest.mark.requirement(...)``; expectations come from :mod:`harness.spec`."""
