-- Appended to every benchmark script: one JSON line with the figures benchmarks/run.py reads.
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads or {}) do
    ok = ok + (t:get("ok") or 0)
    bad = bad + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"checked_ok": %d, "checked_bad": %d, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, ok, bad,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
