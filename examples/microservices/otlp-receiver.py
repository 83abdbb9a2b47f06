#!/usr/bin/python3
"""A minimal OTLP/HTTP trace receiver for the shop demo, when no Jaeger runs.

Takes what Hyperion's tracing plugin sends — POST /v1/traces, the OTLP JSON
encoding (ExportTraceServiceRequest) — keeps the spans in memory and appends
them, one JSON object per line, to --out. GET /traces/<trace id> answers that
trace's spans as a JSON array: [{"service", "name", "kind", "span_id",
"parent_span_id", "duration_ms", "status"}, ...], oldest first. It is a
demo's window on the traces, not a trace store: use Jaeger (its OTLP port
4318) or an OpenTelemetry Collector for anything more.

  otlp-receiver.py [--listen 127.0.0.1:4318] [--out spans.jsonl]
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

spans = []
lock = threading.Lock()
out = None


def attribute(attributes, key):
    for a in attributes or []:
        if a.get("key") == key:
            value = a.get("value", {})
            return value.get("stringValue", "")
    return ""


def flatten(request):
    """The spans of one ExportTraceServiceRequest, with their service's name."""
    found = []
    for resource_spans in request.get("resourceSpans", []):
        service = attribute(resource_spans.get("resource", {}).get("attributes"), "service.name")
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                start = int(span.get("startTimeUnixNano", 0))
                end = int(span.get("endTimeUnixNano", 0))
                found.append({
                    "trace_id": span.get("traceId", ""),
                    "span_id": span.get("spanId", ""),
                    "parent_span_id": span.get("parentSpanId", ""),
                    "service": service,
                    "name": span.get("name", ""),
                    "kind": span.get("kind", 0),
                    "start_unix_nano": start,
                    "duration_ms": round((end - start) / 1e6, 3),
                    "status": span.get("status", {}).get("code", 0),
                })
    return found


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if self.path != "/v1/traces":
            return self.answer(404, '{"error": "only /v1/traces"}')
        if not self.headers.get("content-type", "").startswith("application/json"):
            return self.answer(415, '{"error": "this receiver takes the OTLP JSON encoding only"}')
        try:
            found = flatten(json.loads(body))
        except (ValueError, AttributeError, TypeError) as e:
            return self.answer(400, json.dumps({"error": "not an ExportTraceServiceRequest: %s" % e}))
        with lock:
            spans.extend(found)
            if out is not None:
                for span in found:
                    out.write(json.dumps(span) + "\n")
                out.flush()
        self.answer(200, "{}")

    def do_GET(self):
        if self.path == "/healthz":
            return self.answer(200, "ok\n", "text/plain")
        if self.path.startswith("/traces/"):
            trace_id = self.path[len("/traces/"):]
            with lock:
                found = sorted((s for s in spans if s["trace_id"] == trace_id), key=lambda s: s["start_unix_nano"])
            return self.answer(200, json.dumps(found))
        self.answer(404, '{"error": "GET /traces/<trace id> or /healthz"}')

    def log_message(self, *args):  # quiet: the hosts' logs say enough
        pass


def main():
    global out
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:4318")
    parser.add_argument("--out")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    if args.out:
        out = open(args.out, "a", encoding="utf-8")
    server = ThreadingHTTPServer((host, int(port)), Handler)
    print("otlp-receiver: listening on %s" % args.listen, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
