#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ (run from anywhere; the
files are committed, this script says where they came from). Seeds are small and
realistic: events from tests/data and the SPEC examples, the example configurations,
one HTTP request per endpoint. Files named crash-* (inputs that once crashed a
target) are kept as they are."""
import hashlib
import json
import os
import random
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(target):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        for f in os.listdir(d):
            if not f.startswith("crash-"):
                os.remove(os.path.join(d, f))


SPEC_EVENTS = [
    '{"type":"post","id":"e-1","account":"acme","ts":"2026-11-20T09:15:00Z","post_id":"p-1","text":"Our Q3 report is out","lang":"en","kind":"original","hashtags":["q3"],"mentions":[],"links":["https://acme.example/q3"],"category":"professional"}',
    '{"type":"engagement","id":"e-2","account":"acme","ts":"2026-11-20T10:00:00Z","post_id":"p-1","action":"repost","count":3}',
    '{"type":"followers","id":"e-3","account":"acme","ts":"2026-11-20T10:00:00Z","followers":12850}',
    '{"type":"post","id":"e-4","account":"acme","ts":1763625600000,"post_id":"p-4","text":"20% off today only, code SALE20"}',
    '{"type":"engagement","id":"e-5","account":"acme","ts":"2026-11-20T10:00:00+01:00","post_id":"p-1","action":"like"}',
    '{"type":"engagement","id":"e-6","account":"acme","ts":"2026-11-20t10:00:00.123Z","post_id":"p-1","action":"impression","count":18446744073709551615}',
    '{"type":"post","id":"e-7","account":"exec-jane","ts":"2026-11-20 09:15:00Z","post_id":"p-7","text":"Caf\\u00e9 \\ud83d\\ude00 with the team","kind":"reply","mentions":["bob"],"unknown":{"nested":[1,2,{"x":null}]}}',
    '{"type":"followers","id":"e-8","account":"acme","ts":"2026-11-20T10:00:00Z","followers":-1}',
    '{"type":"post","id":"e-9","account":"acme","ts":"9999-12-31T23:59:59.999Z","post_id":"p-9","text":"","category":"personal"}',
    '{"type":"post","id":"e-10","account":"acme","ts":"0000-01-01T00:00:00Z","post_id":"p-10","text":"x","category":"gossip"}',
    '{"type":"like","id":"e-11","account":"acme","ts":1}',
    '[1,2,3]',
    '{"type":"post","id":"e-12","account":"acme","ts":1763625600000,"post_id":"p-12","text":"a","hashtags":"notalist"}',
    '{"type":"post","id":"e-13","account":"acme","ts":1.5e12,"post_id":"p-13","text":"float ts"}',
    '{"type":"post","id":"e-14","account":"acme","ts":"2026-11-20T09:15:00Z","post_id":"p-14","text":"dup","text":"dup2"} trailing',
]


def decoder_and_file_source():
    lines = []
    with open(os.path.join(ROOT, "tests", "data", "classifier_dev.ndjson"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 7 == 0:
                lines.append(line.rstrip("\n"))
            if len(lines) >= 20:
                break
    events = SPEC_EVENTS + lines
    clean("decoder")
    for i, e in enumerate(events):
        write("decoder", "event-%02d.json" % i, e)
    clean("file_source")
    write("file_source", "spec.ndjson", "\n".join(SPEC_EVENTS[:3]) + "\n")
    write("file_source", "crlf.ndjson", "\r\n".join(SPEC_EVENTS[:3]) + "\r\n")
    write("file_source", "no-final-newline.ndjson", "\n".join(SPEC_EVENTS[:2]))
    write("file_source", "blank-lines.ndjson", "\n\n" + SPEC_EVENTS[0] + "\n\n\n" + SPEC_EVENTS[1] + "\n")
    write("file_source", "long-line.ndjson", SPEC_EVENTS[0] + "\n" + "x" * 300 + "\n" + SPEC_EVENTS[1] + "\n")
    write("file_source", "long-last-line.ndjson", SPEC_EVENTS[0] + "\n" + "y" * 200)
    write("file_source", "only-newlines.ndjson", "\n" * 40)
    write("file_source", "empty.ndjson", "")
    write("file_source", "nul-bytes.ndjson", b"{\"a\":1}\n\x00\x00\n" + SPEC_EVENTS[2].encode() + b"\n")
    write("file_source", "dev-sample.ndjson", "\n".join(lines[:12]) + "\n")
    for i in range(3, len(SPEC_EVENTS)):
        write("file_source", "one-%02d.ndjson" % i, SPEC_EVENTS[i] + "\n")


def config():
    clean("config")
    for name in ("kilter.yaml", "demo.yaml"):
        with open(os.path.join(ROOT, "deploy", "examples", name), encoding="utf-8") as f:
            write("config", name, f.read())
    small = {
        "minimal.yaml": "source: {file: events.ndjson}\nstorage: {path: state}\nprofiles:\n  brand:\n    rules:\n      - {name: chatter, metric: posts, window: 1d, max: 30}\ndefault_profile: brand\n",
        "kafka.yaml": "kafka:\n  brokers: ${KILTER_BROKERS}\n  topics: [social.events]\n  group_id: kilter\n  properties: {session.timeout.ms: \"6000\"}\nstorage: {path: /tmp/state, bucket: 1h, retention: 35d}\nprofiles:\n  p:\n    rules:\n      - {name: r, metric: personal_share, window: 7d, max: 0.1, min_posts: 10}\ndefault_profile: p\n",
        "sinks.yaml": "source: {file: e.ndjson}\nstorage: {path: s}\nprofiles: {p: {rules: [{name: r, metric: posts, window: 1d, min: 1, for: 6h, severity: info}]}}\ndefault_profile: p\nsinks:\n  - {type: webhook, name: hook, url: \"http://127.0.0.1:9/x\", secret_file: secret.txt, headers: {X-A: b}}\n  - {type: slack, name: s, url: \"https://hooks.slack.com/x\", channel: \"#social\", group_wait: 30s, repeat_interval: 4h}\n  - {type: teams, name: t, url: \"https://example.com/t\", max_posts: 2}\n  - {type: alertmanager, name: am, url: \"http://127.0.0.1:9093\", labels: {team: social}, generator_url: \"http://127.0.0.1:9464\"}\n  - {type: file, name: archive, path: alerts.ndjson}\nroutes:\n  - {match: {severity: info}, sinks: [archive]}\n",
        "errors.yaml": "source: {file: e.ndjson}\nstorage: {path: s, bucket: 0s}\nprofiles:\n  p:\n    rules:\n      - {name: r, metric: nope, window: -1d, max: x}\nunknown_key: 1\ndefault_profile: missing\n",
        "engagement.yaml": "source: {file: e.ndjson}\nstorage: {path: s}\nprofiles:\n  p:\n    rules:\n      - {name: drop, metric: engagement_change, window: 1d, baseline: 7d, min: -0.5, min_posts: 4, for: 2h}\n      - {name: f, metric: follower_change, window: 28d, min: -0.05}\naccounts:\n  - {id: acme, profile: p, brand_terms: [Acme Cloud]}\n  - {match: \"exec-*\", profile: p}\ndefault_profile: p\ninhibit:\n  - {source: {rule: f}, target: {rule: drop}}\nhttp: {listen: \"127.0.0.1:0\", token_file: secret.txt}\nlog: {level: debug}\n",
        "anchors.yaml": "base: &b {name: r, metric: posts, window: 1d, max: 3}\nsource: {file: e.ndjson}\nstorage: {path: s}\nprofiles: {p: {rules: [*b, {<<: *b, name: r2}]}}\ndefault_profile: p\n",
        "tabs-and-bom.yaml": "\ufeffsource:\n\tfile: e.ndjson\n",
        "empty.yaml": "",
        "scalar.yaml": "42\n",
        "list.yaml": "- a\n- b\n",
    }
    for name, text in small.items():
        write("config", name, text)


def http():
    clean("http_request")
    auth = "Authorization: Bearer fuzz-token\r\n"
    reqs = {
        "metrics": "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "healthy": "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "ready": "GET /-/ready HTTP/1.0\r\n\r\n",
        "head-ready": "HEAD /-/ready HTTP/1.1\r\nHost: x\r\n\r\n",
        "account": "GET /api/v1/accounts/acme HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "account-encoded": "GET /api/v1/accounts/a%2Fb%20c HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "account-missing": "GET /api/v1/accounts/nobody HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "accounts": "GET /api/v1/accounts?status=firing&limit=2&after=a HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "accounts-all": "GET /api/v1/accounts HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "alerts": "GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "status-page": "GET / HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "status-page-query": "GET /?account=acme HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "unauthorized": "GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n",
        "no-auth": "GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\n\r\n",
        "post-metrics": "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "post-chunked": "POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + auth + "\r\n5\r\nhello\r\n0\r\n\r\n",
        "expect-continue": "POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n" + auth + "\r\n",
        "pipelined": "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\nHEAD /api/v1/alerts HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "absolute-form": "GET http://x/api/v1/accounts/acme?x=1#frag HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "bad-percent": "GET /api/v1/accounts/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        "asterisk": "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        "not-found": "GET /nope/../etc HTTP/1.1\r\nHost: x\r\n\r\n",
        "big-header": "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 2100 + "\r\n\r\n",
        "big-body": "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + "b" * 2000,
        "garbage": "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        "incomplete": "GET /api/v1/accounts/acme HTTP/1.1\r\nHost:",
        "http09": "GET /\r\n\r\n",
        "query-plus": "GET /api/v1/accounts?status=ok&status=firing&q=a+b%2B HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
        "keepalive-10": "GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /-/ready HTTP/1.0\r\n\r\n",
        "delete": "DELETE /api/v1/accounts/acme HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
    }
    for name, text in reqs.items():
        write("http_request", name + ".http", text.encode("latin-1"))


def features():
    clean("features")
    n = 0
    for path in ("classifier_dev.ndjson", "classifier_heldout.ndjson"):
        with open(os.path.join(ROOT, "tests", "data", path), encoding="utf-8") as f:
            for line in f.readlines()[::40]:
                e = json.loads(line)
                extra = e.get("hashtags", []) + e.get("links", [])
                write("features", "post-%02d" % n, "\n".join(extra + [e["text"]]))
                n += 1
    for i, s in enumerate(["", "%%%%", "#SoldesDHiver #BlackFriday2024 @acme_Bakery",
                           "12,90 \u20ac $49 49.99$ 20 EUR \u00a35 -30% 1 000 \u20ac code WINTER20",
                           "https://shop.bakery.example/promo/winter-box?x=1 www.a.b http:// https://%zz",
                           "\u0301\u0301 \ufdfa \U0001F600\u200d\U0001F3FD \u00bd \u0149 \u1e9e",
                           "fr-CA\nAcme One\nL'\u00c9T\u00c9 \u00e0 Acme One !"]):
        write("features", "edge-%02d" % i, s)


def alert_render():
    clean("alert_render")
    rnd = random.Random(42)
    for i in range(30):
        n = rnd.choice([16, 64, 200, 600, 1500])
        data = bytes(rnd.choice(b"acme/rule 7d{}\"\\\n\x01\xc3\xe2\xff\x00\x10\x80") if rnd.random() < 0.5 else rnd.randrange(256) for _ in range(n))
        write("alert_render", "random-%02d" % i, data)
    # A record as the engine writes it, as the raw tail of an input.
    rec = json.dumps({"alert_id": "acme/too-pushy/7d", "account": "acme", "rule": "too-pushy", "metric": "promotional_share", "window": "7d", "status": "firing", "value": 0.5, "min": None, "max": 0.4, "starts_at": "2026-11-20T09:00:00Z", "ends_at": None, "summary": "acme: promotional share 50% over 7d (max 40%)", "evidence": {"posts": {"personal": 0, "professional": 5, "promotional": 5, "unclassified": 0}, "engagement": {"reply": 1, "repost": 2, "quote": 0, "like": 3, "click": 0}, "top_posts": [{"post_id": "p-1", "category": "promotional", "engagement": 3, "confidence": 0.9, "matched": ["sale"], "link": "https://acme.example/x"}], "matched_terms": ["sale"]}, "profile": "brand", "severity": "critical"})
    write("alert_render", "record-tail", b"\x00" * 600 + rec.encode())


def digest_render():
    """Structured inputs (any first byte but '{') build a run of digest records; an
    input starting with '{' is a stored outbox line. The demo-*.json files are real
    digest lines, kept as they are: written by kilterd on the demo week with
    deploy/examples/demo.yaml (deploy/examples/README.md), e.g. ./dev demo's
    demo-out/demo-digests.ndjson."""
    d = os.path.join(CORPUS, "digest_render")
    if os.path.isdir(d):
        for f in os.listdir(d):
            if not f.startswith(("crash-", "demo-")):
                os.remove(os.path.join(d, f))
    rnd = random.Random(14)
    for i in range(20):
        n = rnd.choice([16, 64, 200, 600, 1500, 4000])
        data = bytes(rnd.choice(b"acme/rule 7d{}\"\\\n\x01\xc3\xe2\xff\x00\x10\x80") if rnd.random() < 0.5 else rnd.randrange(256) for _ in range(n))
        if data[0] == ord("{"):
            data = b"\x00" + data
        write("digest_render", "random-%02d" % i, data)
    # Many accounts in one run: a first byte below 8, then the count (u16 BE % 401).
    write("digest_render", "many-accounts", b"\x00\x01\x90" + bytes(rnd.randrange(256) for _ in range(20000)))
    demo = os.path.join(d, "demo-daily-advice.json")
    if os.path.exists(demo):
        with open(demo, "rb") as f:
            line = f.read()
        write("digest_render", "truncated", line[: len(line) // 2])
        write("digest_render", "type-twice", line.replace(b'"type":"digest"', b'"type":"alert","type":"digest"', 1))
        write("digest_render", "type-unknown", line.replace(b'"type":"digest"', b'"type":"weekly"', 1))
        write("digest_render", "wrong-types", line.replace(b'"personal":0', b'"personal":-1', 1).replace(b'"start":', b'"start":1.5,"x":', 1))
    write("digest_render", "alert-line", '{"type":"alert","alert_id":"acme/r/7d","account":"acme","status":"firing","starts_at":"2026-11-20T09:00:00Z","summary":"s"}')


def storage_body():
    """Changelog bodies (storage/portable.h): the first byte picks the format
    (even: delta, odd: snapshot chunk), then the body: format byte, op count
    (u32 LE), ops (tag = family << 2 | kind, varint key length, key, varint
    value length, value)."""
    import struct

    clean("storage_body")

    def op(family, kind, key, value=b""):
        out = bytes([family << 2 | kind, len(key)]) + key
        if kind != 2:
            out += bytes([len(value)]) + value
        return out

    def body(fmt, ops):
        return bytes([fmt]) + struct.pack("<I", len(ops)) + b"".join(ops)

    meta = b"\x01" + struct.pack("<qqqQ", 42, 1763625600000, 1763622000000, 3)
    meta2 = b"\x02" + struct.pack("<qqqQQ", 42, 1763625600000, 1763622000000, 3, 5) + b"\x01" + \
        bytes(range(16)) + struct.pack("<QQqq", 5, 17, 812, 700)
    cutoffs = b"\x01" + struct.pack("<qq", 1763000000000, 1763500000000)
    alert = b"\x02\x02" + struct.pack("<qd", 1763625600000, 0.42) + b"\x01"
    post = b"\x01\x01" + struct.pack("<q", 1763625600000) + b"acme"
    outbox_key = b"\x80" + b"\x00" * 6 + b"\x07"
    outbox = b"\x02\x01\x05slack" + b'{"type":"alert"}'
    delta = body(1, [op(5, 0, b"acme\x00\x01brand-on-topic", alert), op(6, 0, outbox_key, outbox),
                     op(6, 2, outbox_key), op(7, 0, b"", meta), op(8, 0, b"", cutoffs)])
    write("storage_body", "delta", b"\x00" + delta)
    write("storage_body", "delta-meta-v2", b"\x00" + body(1, [op(7, 0, b"", meta2)]))
    chunk = body(2, [op(2, 0, b"p-1", post), op(5, 0, b"acme\x00\x01rule", alert), op(7, 0, b"", meta)])
    write("storage_body", "chunk", b"\x01" + chunk)
    write("storage_body", "empty-chunk", b"\x01" + body(2, []))


if __name__ == "__main__":
    decoder_and_file_source()
    config()
    http()
    alert_render()
    digest_render()
    features()
    storage_body()
