#!/usr/bin/python3
"""test/bench/cpu.py -- the backend CPU time of one statement, per contender.

pgbench's TPS carries the client's and the kernel's share of every
transaction and the noise of a shared machine; this reads what the server
spends: one connection per contender and round sends N point selects by the
simple protocol (random keys, after a warm-up), and the backend's own CPU
time (/proc/PID/schedstat: user and system, in nanoseconds) before and after,
divided by N, is the cost of one statement.  Rounds are interleaved (each
starts with another contender); the table gives the median, the spread and
the ratio of plain to each contender (time is cost, so it reads like a TPS
ratio).  The server must run on this machine.

    cpu.py HOST PORT DB ROWS N ROUNDS label=relation[@role] ...

Run by test/bench/run.sh (part 3) against its cluster, as bench_user unless
a contender names its role.
"""
import random
import statistics
import sys

import psycopg


def backend_cpu_ns(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def one_run(host, port, db, rows, n, rel, role):
    with psycopg.connect(host=host, port=port, dbname=db, user=role,
                         autocommit=True) as conn:
        pg = conn.pgconn
        pid = conn.info.backend_pid
        keys = [random.randint(1, rows) for _ in range(n + n // 10)]
        queries = [f"SELECT * FROM {rel} WHERE id = {k}".encode() for k in keys]
        for q in queries[n:]:            # warm-up: caches, plans of catalogs
            pg.exec_(q)
        before = backend_cpu_ns(pid)
        for q in queries[:n]:
            res = pg.exec_(q)
            if res.status != psycopg.pq.ExecStatus.TUPLES_OK:
                sys.exit(f"cpu.py: {rel} as {role}: {pg.error_message.decode()}")
        after = backend_cpu_ns(pid)
    return (after - before) / n / 1000.0


def main():
    host, port, db = sys.argv[1], sys.argv[2], sys.argv[3]
    rows, n, rounds = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    contenders = []
    for arg in sys.argv[7:]:
        label, rel = arg.split("=", 1)
        rel, _, role = rel.partition("@")
        contenders.append((label, rel, role or "bench_user"))
    times = {label: [] for label, _, _ in contenders}
    for r in range(rounds):
        for i in range(len(contenders)):
            label, rel, role = contenders[(i + r) % len(contenders)]
            times[label].append(one_run(host, port, db, rows, n, rel, role))
    base = statistics.median(times[contenders[0][0]])
    print("| contender | backend CPU per statement (median, µs) | spread (min-max) | ratio to plain |")
    print("|---|---:|---:|---:|")
    for label, _, _ in contenders:
        t = times[label]
        med = statistics.median(t)
        print(f"| {label} | {med:.1f} | {min(t):.1f}-{max(t):.1f} | {base / med:.3f} |")


if __name__ == "__main__":
    main()
