pytest_plugins = ["charter.testing.fixtures"]
