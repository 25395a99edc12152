"""Checks what kscope posted to Slack, Discord, Teams and PagerDuty, field by
field against each service's published schema and limits, for
tests/e2e/alert_channels_webhooks.sh.

  chat_schemas.py RECEIVED COMM ROUTING_KEY BASE

Slack: api.slack.com/reference/block-kit/blocks (header plain_text <= 150,
section text <= 3000, <= 10 fields of <= 2000, <= 50 blocks, a text
fallback). Discord: discord.com/developers/docs/resources/message#embed-
object-embed-limits. Teams: adaptivecards.io schema 1.4 as Teams' incoming
webhooks take it. PagerDuty: developer.pagerduty.com/api-reference, Events
API v2 "Send an Alert Event".
"""
import datetime, json, sys

received, comm, routing_key, base = sys.argv[1:5]
posts = [json.loads(l) for l in open(received)]
by = {}
for p in posts:
    assert p["content_type"] == "application/json", p
    by.setdefault(p["path"].split("/")[1], []).append(json.loads(p["body"]))


def iso8601(s):
    datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def check_slack(m, status):
    assert isinstance(m["text"], str) and m["text"], m
    blocks = m["blocks"]
    assert 1 <= len(blocks) <= 50
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["type"] == "plain_text"
    assert len(blocks[0]["text"]["text"]) <= 150
    assert blocks[0]["text"]["text"].startswith("[%s] warning: FailingOpens on " % status), blocks[0]
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == 1, blocks
    s = sections[0]
    assert s["text"]["type"] == "mrkdwn" and len(s["text"]["text"]) <= 3000
    # The hostile name comes out with & < > escaped: no mention, no link.
    esc = comm.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert ("on " + esc + "*") in s["text"]["text"], (esc, s)
    assert "<" not in s["text"]["text"].replace("<http", ""), s
    assert 1 <= len(s["fields"]) <= 10 and all(f["type"] == "mrkdwn" and len(f["text"]) <= 2000 for f in s["fields"])
    value = [f["text"] for f in s["fields"] if f["text"].startswith("*Value*")]
    assert value and "(threshold 100/s)" in value[0], s["fields"]
    for b in blocks:
        assert b["type"] in ("header", "section", "context", "actions"), b
        if b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10
        if b["type"] == "actions":
            for e in b["elements"]:
                assert e["type"] == "button" and e["text"]["type"] == "plain_text" and e["url"].startswith("http"), e
    links = " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert "<%s/api/v1/alerts?rule=FailingOpens|Alert>" % base in links, links


def check_discord(m, status):
    assert m["allowed_mentions"] == {"parse": []}, m
    assert len(m["content"]) <= 2000
    embeds = m["embeds"]
    assert 1 <= len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256 and len(e.get("description", "")) <= 4096
        fields = e.get("fields", [])
        assert len(fields) <= 25
        for f in fields:
            assert 1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1024 and isinstance(f["inline"], bool)
        assert len(e.get("footer", {}).get("text", "")) <= 2048
        total += len(e.get("title", "")) + len(e.get("description", "")) + sum(len(f["name"]) + len(f["value"]) for f in fields)
        total += len(e.get("footer", {}).get("text", ""))
        if "color" in e:
            assert isinstance(e["color"], int) and 0 <= e["color"] <= 0xFFFFFF
        if "timestamp" in e:
            iso8601(e["timestamp"])
    assert total <= 6000
    e = embeds[0]
    assert e["title"].startswith("\\[%s\\] warning\\: FailingOpens on " % status), e["title"]
    assert e["url"] == base + "/api/v1/alerts?rule=FailingOpens", e
    # Markdown characters of the name are escaped.
    for ch in "*_<>&":
        if ch in comm and ch in "*_<>":
            assert "\\" + ch in e["title"], (ch, e["title"])
    assert any(f["name"] == "Value" and "threshold 100/s" in f["value"] for f in e["fields"]), e["fields"]


def check_teams(m, status):
    assert m["type"] == "message" and len(m["attachments"]) == 1
    a = m["attachments"][0]
    assert a["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = a["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] in ("1.2", "1.3", "1.4", "1.5")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    for b in card["body"]:
        assert b["type"] in ("TextBlock", "FactSet"), b
        if b["type"] == "TextBlock":
            assert isinstance(b["text"], str)
        else:
            assert all(isinstance(f["title"], str) and isinstance(f["value"], str) for f in b["facts"]), b
    assert card["body"][0]["text"].startswith("\\[%s\\] warning\\: FailingOpens on " % status), card["body"][0]
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert "threshold 100/s" in facts["Value"], facts
    for act in card.get("actions", []):
        assert act["type"] == "Action.OpenUrl" and act["url"].startswith("http") and act["title"], act


for name, check in (("slack", check_slack), ("discord", check_discord), ("teams", check_teams)):
    msgs = by.get(name, [])
    assert len(msgs) == 2, "%s: %d messages, want firing and resolved" % (name, len(msgs))
    check(msgs[0], "FIRING")
    check(msgs[1], "RESOLVED")

pd = by.get("pd", [])
assert len(pd) == 2, "pagerduty: %d events, want trigger and resolve: %s" % (len(pd), pd)
trig, res = pd
for e in pd:
    assert e["routing_key"] == routing_key, e
    assert isinstance(e["dedup_key"], str) and 1 <= len(e["dedup_key"]) <= 255, e
assert trig["event_action"] == "trigger" and res["event_action"] == "resolve", (trig, res)
assert trig["dedup_key"] == res["dedup_key"], (trig["dedup_key"], res["dedup_key"])
p = trig["payload"]
assert isinstance(p["summary"], str) and 1 <= len(p["summary"]) <= 1024, p
assert p["severity"] == "warning" and p["severity"] in ("critical", "error", "warning", "info"), p
assert isinstance(p["source"], str) and p["source"], p
assert p["component"] == comm and p["class"] == "FailingOpens", p
iso8601(p["timestamp"])
assert p["custom_details"]["threshold"] == "100/s", p
for l in trig.get("links", []):
    assert l["href"].startswith("http") and isinstance(l["text"], str), l
assert trig["client"] == "kscope" and trig["client_url"].startswith("http"), trig
print("ok: slack, discord, teams and pagerduty payloads match their schemas")
