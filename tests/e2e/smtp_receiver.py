"""A real SMTP server on loopback for tests/e2e/alert_channels_email.sh
(Debian's python3-aiosmtpd): three listeners, each saving what it receives
as OUT/<listener>-<n>.json with the envelope, the raw message, whether the
session was encrypted and who authenticated.

  smtp_receiver.py OUT CERT KEY PLAIN_PORT STARTTLS_PORT SMTPS_PORT USER PASSWORD

plain: no TLS, no AUTH. starttls: STARTTLS required before anything, AUTH
required (PLAIN/LOGIN, only after STARTTLS). smtps: TLS from the first
byte, AUTH required.
"""
import json, os, ssl, sys, time, warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

warnings.simplefilter("ignore", DeprecationWarning)  # aiosmtpd's own Session.login_data
out, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
plain_port, starttls_port, smtps_port = (int(p) for p in sys.argv[4:7])
user, password = sys.argv[7].encode(), sys.argv[8].encode()


class Saver:
    def __init__(self, name):
        self.name, self.n = name, 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        rec = {
            "listener": self.name,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth": (session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None),
            "authenticated": bool(session.authenticated),
            "data": envelope.original_content.decode("ascii", "replace"),
        }
        path = os.path.join(out, "%s-%d.json" % (self.name, self.n))
        with open(path + ".tmp", "w") as f:
            json.dump(rec, f)
        os.rename(path + ".tmp", path)
        return "250 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class AuthFirst:
    """Refuses mail from a session that has not authenticated."""

    def __init__(self, inner):
        self.inner = inner

    async def handle_MAIL(self, server, session, envelope, address, options):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.inner.handle_DATA(server, session, envelope)


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)

controllers = [
    Controller(Saver("plain"), hostname="127.0.0.1", port=plain_port),
    Controller(AuthFirst(Saver("starttls")), hostname="127.0.0.1", port=starttls_port, tls_context=ctx,
               require_starttls=True, authenticator=authenticator, auth_require_tls=True),
    Controller(AuthFirst(Saver("smtps")), hostname="127.0.0.1", port=smtps_port, ssl_context=ctx,
               authenticator=authenticator, auth_require_tls=False, server_hostname="127.0.0.1"),
]
for c in controllers:
    c.start()
open(os.path.join(out, "ready"), "w").close()
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
