"""A demo agency system that signs citizens in with MPP (OpenID Connect) and shows the
data they agreed to share: the authorization code flow with PKCE, the ID token checked
against the provider's JWKS, then userinfo (OpenID Connect's standard claims). It also
takes MPP's back-channel logout tokens (POST /backchannel-logout, OpenID Connect
Back-Channel Logout 1.0): a valid token ends the sessions it names.

Plain WSGI (standard library, plus jwcrypto for the signature). Settings from the
environment: MPP_ISSUER (e.g. http://127.0.0.1:8000/oidc), MPP_CLIENT_ID, MPP_CLIENT_SECRET,
AGENCY_URL (this app, e.g. http://127.0.0.1:8180), MPP_SCOPE. `make demo-agency` sets them.
"""

import base64
import hashlib
import html
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from wsgiref.simple_server import make_server

from jwcrypto import jwk, jws, jwt

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
CLOCK_SKEW = 60  # seconds of clock difference tolerated on iat and exp

# Userinfo's claims: OpenID Connect's standard names, MPP's own under urn:mpp:.
LABELS = {
    "name": "Nama lengkap",
    "birthdate": "Tanggal lahir",
    "gender": "Jenis kelamin",
    "address": "Alamat",
    "phone_number": "Nomor ponsel",
    "email": "Email",
    "urn:mpp:birth_place": "Tempat lahir",
    "urn:mpp:nik": "NIK",
    "urn:mpp:rt": "RT",
    "urn:mpp:rw": "RW",
    "urn:mpp:village_code": "Kode desa/kelurahan",
}


def _page(title: str, body: str, status="200 OK", headers=()):
    text = (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<header><strong>Sistem BPJS Kesehatan (demo)</strong></header><main>{body}</main>"
        "</body></html>"
    )
    return status, [("Content-Type", "text/html; charset=utf-8"), *headers], text.encode()


class DemoAgency:
    def __init__(self, *, issuer, client_id, client_secret, base_url, scope):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/")
        self.scope = scope
        self.sessions: dict[str, dict] = {}  # logins under way, by cookie
        self.signed_in: dict[str, dict] = {}  # signed-in sessions, by cookie
        self.seen_jti: dict[str, float] = {}  # logout tokens taken, until they expire
        self._discovery = None
        self._jwks = None

    # --- talking to MPP -----------------------------------------------------------------

    def discovery(self) -> dict:
        if self._discovery is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                self._discovery = json.load(response)
        return self._discovery

    def _post(self, url: str, data: dict) -> dict:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}") | {"_status": error.code}

    def _get(self, url: str, access_token: str) -> dict:
        headers = {"Authorization": f"Bearer {access_token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}") | {"_status": error.code}

    def jwks(self, refresh=False) -> jwk.JWKSet:
        if self._jwks is None or refresh:
            with urllib.request.urlopen(self.discovery()["jwks_uri"], timeout=10) as response:  # noqa: S310
                self._jwks = jwk.JWKSet.from_json(response.read())
        return self._jwks

    def _verified(self, token: str) -> dict:
        try:
            return json.loads(jwt.JWT(jwt=token, key=self.jwks(), algs=["RS256"]).claims)
        except (jwt.JWTMissingKey, jws.InvalidJWSSignature):
            # A key MPP rotated in since we fetched the set: fetch it once more.
            keys = self.jwks(refresh=True)
            return json.loads(jwt.JWT(jwt=token, key=keys, algs=["RS256"]).claims)

    def id_token_claims(self, id_token: str, nonce: str) -> dict:
        claims = self._verified(id_token)
        if claims["iss"] != self.discovery()["issuer"] or claims["aud"] != self.client_id:
            raise ValueError("ID token for another issuer or client")
        if claims.get("nonce") != nonce:
            raise ValueError("ID token nonce does not match")
        return claims

    def logout_claims(self, logout_token: str) -> dict:
        """Validate a back-channel logout token (§2.6); raises ValueError saying why not."""
        try:
            claims = self._verified(logout_token)
        except jwt.JWTExpired as error:
            raise ValueError("expired") from error
        except Exception as error:  # noqa: BLE001 - any decoding or signature failure
            raise ValueError(f"not a valid signed token ({type(error).__name__})") from error
        if claims.get("iss") != self.discovery()["issuer"]:
            raise ValueError("wrong issuer")
        audience = claims.get("aud")
        if audience != self.client_id and self.client_id not in (audience or []):
            raise ValueError("not for this client")
        now = time.time()
        if not isinstance(claims.get("iat"), int) or claims["iat"] > now + CLOCK_SKEW:
            raise ValueError("iat missing or in the future")
        if "exp" in claims and claims["exp"] < now - CLOCK_SKEW:
            raise ValueError("expired")
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
            raise ValueError("not a back-channel logout event")
        if "nonce" in claims:
            raise ValueError("a logout token must not carry a nonce")
        if not claims.get("sub") and not claims.get("sid"):
            raise ValueError("names neither sub nor sid")
        jti = claims.get("jti")
        if not jti:
            raise ValueError("no jti")
        self.seen_jti = {k: v for k, v in self.seen_jti.items() if v > now}
        if jti in self.seen_jti:
            raise ValueError("jti already used (a replay)")
        self.seen_jti[jti] = max(claims.get("exp", 0), now) + CLOCK_SKEW + 600
        return claims

    def backchannel_logout(self, environ):
        """POST logout_token=…: end every session the token names (sid, else all of sub)."""
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", [("Allow", "POST")], b""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = urllib.parse.parse_qs(environ["wsgi.input"].read(min(length, 65536)).decode())
        headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
        try:
            claims = self.logout_claims(form.get("logout_token", [""])[0])
        except ValueError as error:
            body = {"error": "invalid_request", "error_description": str(error)}
            return "400 Bad Request", headers, json.dumps(body).encode()
        ended = [
            key
            for key, session in self.signed_in.items()
            if (claims.get("sid") and session.get("sid") == claims["sid"])
            or (not claims.get("sid") and session.get("sub") == claims.get("sub"))
        ]
        for key in ended:
            del self.signed_in[key]
        return "200 OK", headers, b""

    # --- pages --------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = cookie["demo_sid"].value if "demo_sid" in cookie else ""
        if path == "/backchannel-logout":
            result = self.backchannel_logout(environ)
        elif path == "/login":
            result = self.login()
        elif path == "/callback":
            result = self.callback(sid, query)
        else:
            result = self.home(self.signed_in.get(sid))
        status, headers, body = result
        start_response(status, headers)
        return [body]

    def home(self, session=None):
        if session is not None:
            return self._released(session)
        return _page(
            "Sistem BPJS Kesehatan",
            "<h1>Pendaftaran peserta JKN</h1>"
            "<p>Tidak perlu mengisi formulir: data Anda diambil dari profil MPP Anda, "
            "dengan persetujuan Anda.</p><p><a href='/login'>Masuk dengan MPP</a></p>",
        )

    def login(self):
        sid = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.sessions[sid] = {"verifier": verifier, "state": state, "nonce": nonce}
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": f"{self.base_url}/callback",
            "scope": self.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        location = self.discovery()["authorization_endpoint"] + "?" + urllib.parse.urlencode(params)
        cookie = f"demo_sid={sid}; Path=/; HttpOnly; SameSite=Lax"
        return "302 Found", [("Location", location), ("Set-Cookie", cookie)], b""

    def callback(self, sid, query):
        pending = self.sessions.pop(sid, None)
        if "error" in query:
            error = html.escape(query["error"][0])
            return _page("Gagal", f"<h1>Masuk dibatalkan</h1><p id='error'>{error}</p>")
        if pending is None or query.get("state", [""])[0] != pending["state"]:
            return _page("Gagal", "<h1>Sesi tidak cocok</h1>", "400 Bad Request")
        tokens = self._post(
            self.discovery()["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": query.get("code", [""])[0],
                "redirect_uri": f"{self.base_url}/callback",
                "code_verifier": pending["verifier"],
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if "access_token" not in tokens:
            error = html.escape(tokens.get("error", "?"))
            return _page("Gagal", f"<h1>Token ditolak</h1><p id='error'>{error}</p>")
        claims = self.id_token_claims(tokens["id_token"], pending["nonce"])
        userinfo = self._get(self.discovery()["userinfo_endpoint"], tokens["access_token"])
        if userinfo.get("sub") != claims["sub"]:
            return _page("Gagal", "<h1>Data untuk orang lain</h1>", "502 Bad Gateway")
        session = {
            "sub": claims["sub"],
            "sid": claims.get("sid", ""),
            "acr": claims.get("acr", ""),
            "data": {k: v for k, v in userinfo.items() if k != "sub"},
        }
        key = secrets.token_urlsafe(24)
        self.signed_in[key] = session
        cookie = f"demo_sid={key}; Path=/; HttpOnly; SameSite=Lax"
        return self._released(session, headers=[("Set-Cookie", cookie)])

    def _released(self, session, headers=()):
        rows = "".join(
            f"<tr><th>{html.escape(LABELS.get(k, k))}</th><td>{html.escape(_shown(v))}</td></tr>"
            for k, v in session["data"].items()
        )
        return _page(
            "Data dari MPP",
            "<h1>Data yang Anda bagikan dari MPP</h1>"
            f"<table id='released'>{rows}</table>"
            f"<p>Tingkat masuk: <span id='acr'>{html.escape(session['acr'])}</span></p>"
            "<p id='signed-in'>Anda masuk dengan MPP.</p>",
            headers=headers,
        )


def _shown(value) -> str:
    if isinstance(value, dict):  # the standard address claim
        return value.get("formatted") or ", ".join(str(v) for v in value.values() if v)
    return str(value)


def app_from_environment() -> DemoAgency:
    return DemoAgency(
        issuer=os.environ.get("MPP_ISSUER", "http://127.0.0.1:8000/oidc"),
        client_id=os.environ["MPP_CLIENT_ID"],
        client_secret=os.environ.get("MPP_CLIENT_SECRET", ""),
        base_url=os.environ.get("AGENCY_URL", "http://127.0.0.1:8180"),
        scope=os.environ.get("MPP_SCOPE", "openid identity address contact"),
    )


if __name__ == "__main__":
    app = app_from_environment()
    port = int(urllib.parse.urlsplit(app.base_url).port or 8180)
    print(f"Demo agency on {app.base_url} (MPP at {app.issuer}); Ctrl-C stops.", file=sys.stderr)
    make_server("127.0.0.1", port, app).serve_forever()
