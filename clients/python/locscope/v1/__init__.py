"""``locscope.v1`` messages and service stubs, generated from proto/locscope/v1 by scripts/gen-python-client.mjs."""
