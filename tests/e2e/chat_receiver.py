"""Local stand-ins for Slack, Discord, Teams and PagerDuty webhooks, for
tests/e2e/alert_channels_webhooks.sh: records each POST as one JSON line
{"path", "body"} in OUT and answers the way each service does (Slack 200
"ok", Discord 204, Teams 200 "1", PagerDuty 202 JSON). The first request to
/pd is answered 429, as PagerDuty does when throttling, so the sink's retry
is exercised.

  chat_receiver.py PORT OUT
"""
import http.server, json, sys

port, out = int(sys.argv[1]), open(sys.argv[2], "a")
seen_pd = False


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen_pd
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path.startswith("/pd") and not seen_pd:
            seen_pd = True
            return self.answer(429, "application/json", '{"status":"throttle event","message":"Requests for this service are arriving too quickly"}')
        out.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"), "body": body}) + "\n")
        out.flush()
        if self.path.startswith("/slack"):
            self.answer(200, "text/plain", "ok")
        elif self.path.startswith("/discord"):
            self.answer(204, None, "")
        elif self.path.startswith("/teams"):
            self.answer(200, "text/plain", "1")
        else:
            key = json.loads(body).get("dedup_key", "")
            self.answer(202, "application/json", json.dumps({"status": "success", "message": "Event processed", "dedup_key": key}))

    def answer(self, code, ctype, text):
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *a):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
