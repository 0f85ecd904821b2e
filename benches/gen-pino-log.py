#!/usr/bin/env python3
"""Writes a pino-shaped cache log of about SIZE_MB megabytes to stdout, deterministically.

The mix follows the platform's cache log: mostly cache entries (hits, misses,
invalidations), mirror invalidations with target/status/durationMs, requests with nested
objects, some debug and warn entries, ~1.5% errors with multi-frame stacks and a few
fatal ones. Field order and spelling are pino's: level, time, pid, hostname, bindings,
fields, msg.

  python3 benches/gen-pino-log.py 1024 > /tmp/cache-1g.json
  python3 benches/gen-pino-log.py 1024 30 > /tmp/cache-30d.json   # 30 days up to now
  python3 benches/gen-pino-log.py 1024 30 1795000000000            # 30 days up to that epoch ms

With DAYS, the times are spread evenly over that many days ending at END_MS (default: now),
so that `--since 1h` or one file per day means what it says on the result; the lines are
the same as without.
"""

import json
import random
import sys
import time

size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 100
target_bytes = size_mb * 1024 * 1024
days = float(sys.argv[2]) if len(sys.argv) > 2 else None
end_ms = int(sys.argv[3]) if len(sys.argv) > 3 else int(time.time() * 1000)
rng = random.Random(20261126)

TYPES = ["posts", "pages", "pictures", "feed", "search", "categories", "translations", "types"]
MIRRORS = ["https://mirror-eu.polymech.test", "https://mirror-us.polymech.test", "https://mirror-ap.polymech.test"]
HEAD = '{"level":%d,"time":%d,"pid":4242,"hostname":"cache-node-1"'
FRAMES = [
    "    at Object.invalidate (/srv/polymech/server/src/cache/mirror.ts:%d:17)",
    "    at async Promise.all (index %d)",
    "    at MirrorClient.post (/srv/polymech/server/src/cache/client.ts:%d:9)",
    "    at process.processTicksAndRejections (node:internal/process/task_queues:%d:5)",
    "    at async CacheService.cascade (/srv/polymech/server/src/cache/service.ts:%d:13)",
    "    at async Router.handle (/srv/polymech/node_modules/express/lib/router/index.js:%d:3)",
]


def stack(kind, message):
    lines = [f"{kind}: {message}"]
    for _ in range(rng.randint(5, 10)):
        lines.append(rng.choice(FRAMES) % rng.randint(10, 400))
    return "\n".join(lines)


def q(s):
    return json.dumps(s)


def main():
    out = sys.stdout
    written = 0
    t = 1_795_000_000_000
    span = int(days * 86_400_000) if days else 0
    first = end_ms - span
    buf = []
    buf_len = 0
    while written < target_bytes:
        if span:
            # Evenly over the span by bytes written, a few ms of jitter as writers interleave.
            t = first + span * (written + buf_len) // target_bytes + rng.randint(0, 40)
        else:
            t += rng.randint(0, 40)
        r = rng.random()
        ty = rng.choice(TYPES)
        if r < 0.015:
            target = rng.choice(MIRRORS)
            msg = rng.choice(["connect ETIMEDOUT 203.0.113.9:443", "upstream answered 502 Bad Gateway", "socket hang up"])
            err = {"type": "Error", "message": msg, "stack": stack("Error", msg)}
            line = (HEAD % (50, t)) + ',"module":"mirror","err":%s,"type":%s,"target":%s,"status":%d,"durationMs":%d,"msg":"mirror invalidation failed"}' % (
                json.dumps(err, separators=(",", ":")), q(ty), q(target), rng.choice([0, 502, 503]), rng.randint(100, 5000))
        elif r < 0.0152:
            err = {"type": "Error", "message": "redis connection lost", "stack": stack("Error", "redis connection lost")}
            line = (HEAD % (60, t)) + ',"err":%s,"redis":{"host":"127.0.0.1","port":6379},"msg":"giving up"}' % json.dumps(err, separators=(",", ":"))
        elif r < 0.25:
            target = rng.choice(MIRRORS)
            line = (HEAD % (30, t)) + ',"module":"mirror","type":%s,"target":%s,"status":200,"durationMs":%d,"msg":"mirror invalidated"}' % (
                q(ty), q(target), rng.randint(20, 400))
        elif r < 0.35:
            line = (HEAD % (30, t)) + ',"req":{"id":%d,"method":"POST","url":"/api/cache/invalidate","headers":{"content-type":"application/json","user-agent":"polymech-server/2.3"}},"res":{"statusCode":200},"responseTime":%d,"msg":"request completed"}' % (
                rng.randint(1, 10**7), rng.randint(1, 90))
        elif r < 0.43:
            line = (HEAD % (20, t)) + ',"module":"cache","type":%s,"keys":%d,"msg":"cache scan"}' % (q(ty), rng.randint(0, 500))
        elif r < 0.46:
            line = (HEAD % (40, t)) + ',"module":"cache","type":%s,"key":"polymech:%s:list","sizeBytes":%d,"msg":"cache entry larger than 1 MiB"}' % (
                q(ty), ty, rng.randint(1 << 20, 8 << 20))
        elif r < 0.55:
            line = (HEAD % (30, t)) + ',"module":"cache","type":%s,"cleared":["%s","feed","search"],"reason":"post updated","msg":"cache invalidated"}' % (q(ty), ty)
        else:
            hit = rng.random() < 0.8
            line = (HEAD % (30, t)) + ',"module":"cache","type":%s,"key":"polymech:%s:%d","hit":%s,"durationMs":%d,"msg":"%s"}' % (
                q(ty), ty, rng.randint(1, 99999), "true" if hit else "false", rng.randint(0, 60), "cache hit" if hit else "cache miss")
        buf.append(line)
        buf_len += len(line) + 1
        if buf_len > 1 << 20:
            out.write("\n".join(buf))
            out.write("\n")
            written += buf_len
            buf, buf_len = [], 0
    if buf:
        out.write("\n".join(buf))
        out.write("\n")


if __name__ == "__main__":
    main()
