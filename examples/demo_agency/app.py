"""A demo agency system that signs citizens in with MPP (OpenID Connect) and shows the
data they agreed to share: the authorization code flow with PKCE, the ID token checked
against the provider's JWKS, then /api/v1/person/.

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
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from wsgiref.simple_server import make_server

from jwcrypto import jwk, jwt

LABELS = {
    "full_name": "Nama lengkap",
    "birth_place": "Tempat lahir",
    "birth_date": "Tanggal lahir",
    "sex": "Jenis kelamin",
    "nik": "NIK",
    "address": "Alamat",
    "rt": "RT",
    "rw": "RW",
    "village_code": "Kode desa/kelurahan",
    "phone": "Nomor ponsel",
    "email": "Email",
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
        self.sessions: dict[str, dict] = {}
        self._discovery = None

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

    def id_token_claims(self, id_token: str, nonce: str) -> dict:
        with urllib.request.urlopen(self.discovery()["jwks_uri"], timeout=10) as response:  # noqa: S310
            keys = jwk.JWKSet.from_json(response.read())
        claims = json.loads(jwt.JWT(jwt=id_token, key=keys, algs=["RS256"]).claims)
        if claims["iss"] != self.discovery()["issuer"] or claims["aud"] != self.client_id:
            raise ValueError("ID token for another issuer or client")
        if claims.get("nonce") != nonce:
            raise ValueError("ID token nonce does not match")
        return claims

    # --- pages --------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = cookie["demo_sid"].value if "demo_sid" in cookie else ""
        if path == "/login":
            result = self.login()
        elif path == "/callback":
            result = self.callback(sid, query)
        else:
            result = self.home()
        status, headers, body = result
        start_response(status, headers)
        return [body]

    def home(self):
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
        person_url = self.issuer.rsplit("/oidc", 1)[0] + "/api/v1/person/"
        person = self._get(person_url, tokens["access_token"])
        rows = "".join(
            f"<tr><th>{html.escape(LABELS.get(k, k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in person.get("data", {}).items()
        )
        return _page(
            "Data dari MPP",
            "<h1>Data yang Anda bagikan dari MPP</h1>"
            f"<table id='released'>{rows}</table>"
            f"<p>Tingkat masuk: <span id='acr'>{html.escape(claims.get('acr', ''))}</span></p>",
        )


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
