"""A real OpenID provider for Guidepost's tests: the oidc-provider-mock package from PyPI.

It serves discovery, the JWKS, an authorization form, the token endpoint and RP-initiated
logout on 127.0.0.1 at the given port, and prints "ready" on stdout once it listens. Users and
their claims are set with `PUT /users/<sub>` (a JSON object of claims); claims named like ID-token
fields (`exp`, `iat`, `nonce`, `aud`) replace the provider's own values, signed with its key.

One fault the package cannot make by itself is added here: after `POST /_test/corrupt-next-id-token`,
the next token response carries an ID token whose signature no longer matches its content.
It stops when its standard input closes, so a test that dies never leaves it behind.
"""

import argparse
import base64
import json
import os
import sys
import threading
from datetime import timedelta

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import werkzeug.serving  # noqa: E402
from oidc_provider_mock import app as provider_app  # noqa: E402


class Faults:
    """Faults armed by the test, each consumed by the next response it applies to."""

    def __init__(self, inner):
        self.inner = inner
        self.corrupt_next_id_token = False
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_test/corrupt-next-id-token" and environ["REQUEST_METHOD"] == "POST":
            with self.lock:
                self.corrupt_next_id_token = True
            start_response("204 No Content", [])
            return [b""]
        if path != "/oauth2/token":
            return self.inner(environ, start_response)
        with self.lock:
            corrupt = self.corrupt_next_id_token
            self.corrupt_next_id_token = False
        if not corrupt:
            return self.inner(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        body = b"".join(self.inner(environ, capture))
        token = json.loads(body)
        if "id_token" in token:
            header, payload, _signature = token["id_token"].split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["name"] = "Someone Else"
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            token["id_token"] = f"{header}.{forged}.{_signature}"
        body = json.dumps(token).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-max-age", type=int, default=3600)
    args = parser.parse_args()

    app = provider_app(
        require_nonce=True,
        access_token_max_age=timedelta(seconds=args.token_max_age),
    )
    server = werkzeug.serving.make_server("127.0.0.1", args.port, Faults(app), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
