"""Real OpenID Connect providers for the tests, listening on 127.0.0.1.

- ``MockProvider``: the ``oidc-provider-mock`` package (PyPI) run as a **separate process**
  (``python -m oidc_provider_mock``): a generic provider (Keycloak / LemonLDAP::NG stand-in)
  with JSON userinfo, discovery, JWKS, end_session. People are registered with their claims
  through its ``PUT /users/<sub>`` endpoint.
- ``ProConnectLikeProvider``: a small WSGI provider written here, in a thread, for what the
  mock cannot do and ProConnect does: the userinfo answer is a **signed JWT**
  (``application/jwt``), ``acr`` is returned in the id_token (what it returns can be set), and
  every authorization and end-session request is kept for the tests to read. It also serves
  broken discovery documents under ``/html``, ``/wrong-issuer`` and ``/incomplete``.

Nothing here is a mock of the client: the platform talks HTTP to these servers.
"""

from __future__ import annotations

import html
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test provider did not start: {url}")
        time.sleep(0.1)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class MockProvider:
    """``oidc-provider-mock`` in its own process (stopped by ``stop()``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://{HOST}:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter, fixed arguments
            [sys.executable, "-m", "oidc_provider_mock", "--host", HOST, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(self.issuer + "/.well-known/openid-configuration")
        except RuntimeError:
            self.stop()
            raise

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Do what the person does on the provider's page: pick ``sub`` and accept. Returns the
        address the provider sends the browser back to (our callback, with code and state)."""
        response = requests.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@dataclass
class _Grant:
    sub: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    scope: str


@dataclass
class ProConnectLikeProvider:
    """A ProConnect-like provider: signed JWT userinfo, acr, end_session (in a thread)."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the acr written in the id_token (``None``: none)
    acr: str | None = "eidas1"
    userinfo_as_jwt: bool = True
    #: sign the userinfo answer with a key that is not published (a forged answer)
    sign_userinfo_with_unknown_key: bool = False
    authorization_requests: list[dict[str, str]] = field(default_factory=list)
    end_session_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": "proconnect-like-1", "use": "sig", "alg": "RS256"}
        )
        self.rogue_key = RSAKey.generate_key(
            2048, parameters={"kid": "proconnect-like-1", "use": "sig", "alg": "RS256"}
        )
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}
        self._server = make_server(HOST, 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.issuer = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # --- helpers for tests -------------------------------------------------------------------

    def authorize(self, authorization_url: str, sub: str) -> str:
        response = requests.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    # --- the provider ------------------------------------------------------------------------

    def discovery(self, issuer: str | None = None) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": issuer or base,
            "authorization_endpoint": f"{base}/api/v2/authorize",
            "token_endpoint": f"{base}/api/v2/token",
            "userinfo_endpoint": f"{base}/api/v2/userinfo",
            "jwks_uri": f"{base}/api/v2/jwks",
            "end_session_endpoint": f"{base}/api/v2/session/end",
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
            "userinfo_signing_alg_values_supported": ["RS256", "ES256"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name", "uid", "siret"],
        }

    def _sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jose_jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:  # noqa: C901 — a router, flat on purpose
        path = request.path
        if path == "/.well-known/openid-configuration":
            return _json(self.discovery())
        if path == "/html/.well-known/openid-configuration":
            return Response("<html><body>Bienvenue</body></html>", content_type="text/html")
        if path == "/wrong-issuer/.well-known/openid-configuration":
            return _json(self.discovery(issuer="https://someone-else.example"))
        if path == "/incomplete/.well-known/openid-configuration":
            document = self.discovery(issuer=f"{self.issuer}/incomplete")
            del document["jwks_uri"]
            return _json(document)
        if path == "/api/v2/jwks":
            return _json({"keys": [self.key.as_dict(private=False)]})
        if path == "/api/v2/authorize":
            return self.authorize_endpoint(request)
        if path == "/api/v2/token" and request.method == "POST":
            return self.token_endpoint(request)
        if path == "/api/v2/userinfo":
            return self.userinfo_endpoint(request)
        if path == "/api/v2/session/end":
            params = dict(request.args)
            self.end_session_requests.append(params)
            target = params.get("post_logout_redirect_uri")
            if not target:
                return Response("Session terminée.", content_type="text/plain")
            separator = "&" if "?" in target else "?"
            location = f"{target}{separator}{urlencode({'state': params.get('state', '')})}"
            return Response(status=302, headers={"Location": location})
        return Response("introuvable", status=404)

    def authorize_endpoint(self, request: Request) -> Response:
        params = dict(request.args)
        self.authorization_requests.append(params)
        if request.method == "GET":
            hint = html.escape(params.get("login_hint", ""))
            page = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>ProConnect (test)</title></head><body><main>
<h1>ProConnect (fournisseur de test)</h1>
<p>Connexion demandée pour {hint}.</p>
<form method="post"><label for="sub">Identifiant (sub)</label>
<input id="sub" name="sub" required><button type="submit">Se connecter</button></form>
</main></body></html>"""
            return Response(page, content_type="text/html; charset=utf-8")
        sub = request.form.get("sub", "")
        if sub not in self.users:
            return Response("personne inconnue", status=400)
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Grant(
            sub=sub,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            nonce=params.get("nonce"),
            scope=params.get("scope", ""),
        )
        query = urlencode({"code": code, "state": params.get("state", "")})
        return Response(status=302, headers={"Location": f"{params['redirect_uri']}?{query}"})

    def token_endpoint(self, request: Request) -> Response:
        grant = self._codes.pop(request.form.get("code", ""), None)
        if (
            grant is None
            or request.form.get("client_id") != grant.client_id
            or not request.form.get("client_secret")
            or request.form.get("redirect_uri") != grant.redirect_uri
        ):
            return _json({"error": "invalid_grant"}, status=400)
        access_token = secrets.token_urlsafe(24)
        self._tokens[access_token] = grant
        now = int(time.time())
        id_claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "sub": grant.sub,
            "iat": now,
            "exp": now + 60,
            "auth_time": now,
            "idp_id": "fia1v2",
        }
        if grant.nonce:
            id_claims["nonce"] = grant.nonce
        if self.acr is not None:
            id_claims["acr"] = self.acr
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": self._sign(id_claims),
                "scope": grant.scope,
            }
        )

    def userinfo_endpoint(self, request: Request) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        grant = self._tokens.get(token)
        if grant is None:
            return Response(status=401)
        claims = {"sub": grant.sub, **self.users[grant.sub]}
        if not self.userinfo_as_jwt:
            return _json(claims)
        now = int(time.time())
        signed = {**claims, "iss": self.issuer, "aud": grant.client_id, "iat": now, "exp": now + 60}
        key = self.rogue_key if self.sign_userinfo_with_unknown_key else self.key
        return Response(self._sign(signed, key), content_type="application/jwt; charset=utf-8")


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
