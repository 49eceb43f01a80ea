"""A real S3-compatible server on loopback for the staging tests: ``moto_server`` (moto[server]) in a subprocess.

``s3_server`` starts it once a session on a free port and waits until it answers; ``s3`` gives each
test its own empty bucket and points the standard AWS variables (the ones s3fs and boto3 read when
no credentials are passed) at the server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import stop_process

AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
# Variables of the caller's own AWS setup that must not reach the tests.
AWS_STRAY = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE",
             "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_S3", "AWS_REGION")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_server_command() -> list[str]:
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError as err:
        pytest.skip(f"moto[server] and s3fs are needed for the object-storage tests ({err}): "
                    "pip install 'moto[server]' s3fs")
    script = Path(sys.executable).with_name("moto_server")
    return [str(script)] if script.exists() else [shutil.which("moto_server") or "moto_server"]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server on loopback, for the whole session."""
    command = _moto_server_command()
    port = _free_port()
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited with {process.returncode}: {process.stderr.read()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not answer on {endpoint} within 30 s")
                time.sleep(0.1)
        yield endpoint
    finally:
        stop_process(process)


@pytest.fixture
def s3(s3_server, monkeypatch):
    """A fresh bucket on the server, with the AWS variables pointing at it; ``objects(prefix)`` lists its keys."""
    import boto3

    for name in AWS_STRAY:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**AWS_ENV, "AWS_ENDPOINT_URL": s3_server}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, **{
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"})
    bucket = f"news-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)

    def objects(prefix: str = "") -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def text(key: str) -> str:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")

    return SimpleNamespace(endpoint=s3_server, bucket=bucket, client=client, objects=objects, text=text,
                           env={**AWS_ENV, "AWS_ENDPOINT_URL": s3_server})


def without_aws(env: dict[str, str]) -> dict[str, str]:
    """``env`` without any AWS variable (a run that must find its credentials in a connection)."""
    return {k: v for k, v in env.items() if not k.startswith("AWS_")}

