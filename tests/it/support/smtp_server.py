"""A loopback SMTP server for the notification tests (tests/it/notify.rs).

    python3 smtp_server.py --port P --dir D [--ready FILE] [--refuse-rcpt ADDR]...
                           [--refuse-all] [--auth USER:PASSWORD]

Listens on 127.0.0.1 only, and creates FILE once it does (so a test knows the port is
its own, not another process's). Each accepted message is saved as D/msg-NNNN.json
(written to a temporary name, then renamed, before the server answers 250, so a client
that saw its message accepted finds the file): the envelope (mail_from, rcpt_tos), the
decoded subject, From and To headers and body, every header, the raw message, and the
user name the client authenticated as (or null). Each refused recipient is saved as
D/refused-NNNN.json ({"rcpt": ADDR}), so a test can tell "refused" from "never
contacted".

--refuse-rcpt ADDR answers 550 to RCPT TO:<ADDR>; --refuse-all answers 550 to every RCPT.
--auth USER:PASSWORD requires AUTH (over plain text: it is loopback) with these
credentials.
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import os
import signal
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    # Plain-text AUTH on loopback is what the tests want; no warning about it.
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse-rcpt", action="append", default=[])
    parser.add_argument("--refuse-all", action="store_true")
    parser.add_argument("--ready")
    parser.add_argument("--auth")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    counter = itertools.count(1)
    refused = {a.lower() for a in args.refuse_rcpt}

    def save(kind, data):
        n = next(counter)
        path = os.path.join(args.dir, f"{kind}-{n:04}.json")
        tmp = os.path.join(args.dir, f".{kind}-{n:04}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.refuse_all or address.lower() in refused:
                save("refused", {"rcpt": address})
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or envelope.content
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",))
            login = session.auth_data
            if isinstance(login, LoginPassword):
                login = login.login.decode("utf-8", "replace")
            save(
                "msg",
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "subject": str(msg["subject"]),
                    "from": str(msg["from"]),
                    "to": str(msg["to"]),
                    "headers": {k: str(v) for k, v in msg.items()},
                    "body": body.get_content() if body is not None else "",
                    "raw": raw.decode("utf-8", "replace"),
                    "auth_login": login,
                },
            )
            return "250 Message accepted for delivery"

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs = dict(
            auth_required=True, auth_require_tls=False, authenticator=authenticator
        )

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler()
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, hostname="assure-test", **kwargs),
            host="127.0.0.1",
            port=args.port,
        )
    )
    if args.ready:
        with open(args.ready, "w", encoding="utf-8") as f:
            f.write("ready\n")
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
