"""Generated gRPC stubs of the locscope API (package ``locscope.v1``); see ``locscope_client`` for helpers."""
