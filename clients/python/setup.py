# Plain setup.py (no pyproject.toml build-system table): pip then builds with the setuptools already
# installed instead of fetching a build environment, so `pip install ./clients/python` works offline.
from setuptools import setup

setup(
    name="locscope-client",
    version="0.1.0",
    description="Python client of the locscope gRPC API: generated stubs plus numpy helpers",
    license="Apache-2.0",
    packages=["locscope", "locscope.v1", "inference", "locscope_client"],
    python_requires=">=3.9",
    # Debian 12's python3-grpcio (1.51), python3-protobuf (3.21/4.21) and python3-numpy satisfy these.
    install_requires=["grpcio>=1.51", "protobuf>=3.21", "numpy>=1.21"],
)
