# A webhook receiver for the alert e2e tests: every POST is one line of
# JSON {"path", "auth", "at" (Unix time received), "body"} appended to the
# file named on the command line. Used by alert_policy_*.sh (python3 alert_receiver.py PORT FILE).
import http.server
import json
import sys
import time

out = open(sys.argv[2], "a")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        out.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization", ""),
                              "at": time.time(),
                              "body": json.loads(body)}) + "\n")
        out.flush()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
