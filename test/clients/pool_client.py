#!/usr/bin/env python3
"""test/clients/pool_client.py -- one pooled client of test/shell/80-pgbouncer.sh.

Opens ONE connection through pgbouncer (transaction pooling) as the pooled
login user and runs --tx transactions, each

    BEGIN; [SET LOCAL ROLE <role>;] SELECT current_user, ...; <query>; COMMIT;

with parameters sent over the extended query protocol (psycopg 3 server-side
binding: unnamed statements, or named prepared statements with --prepare,
which only a pgbouncer >= 1.21 with max_prepared_statements supports in
transaction mode).  It checks nothing itself: it prints, per transaction, the
same line protocol as the psql clients of 80-pgbouncer.sh, which the shell
script verifies:

    B <client> <n> <role> <kind>      a transaction starts (role 'none': no SET ROLE)
    U|<current_user>|<backend pid>|<global sequence number>
    V|<value>                         the query's answer (when it succeeded)
    S <sqlstate>                      00000, or the error's SQLSTATE

Kinds: row:K  SELECT the masked-or-not fields of row K (parameter K)
       fa     SELECT count(*) ... WHERE a = $1 (refused where a is hidden)
Runs with the Debian python3 and its python3-psycopg package.
"""
import argparse
import sys

import psycopg
from psycopg import sql

ROLES = {"a": "flp_pool_a", "b": "flp_pool_b", "none": None}
ROLE_ORDER = ["a", "b", "none"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--dbname", required=True)
    ap.add_argument("--client", type=int, required=True)
    ap.add_argument("--tx", type=int, default=300)
    ap.add_argument("--prepare", action="store_true",
                    help="named prepared statements (prepare_threshold=0)")
    args = ap.parse_args()

    conn = psycopg.connect(host=args.host, port=args.port, user=args.user,
                           dbname=args.dbname, autocommit=True,
                           prepare_threshold=0 if args.prepare else None,
                           application_name="flp-pool-py%d" % args.client)
    out = sys.stdout
    c = args.client
    for i in range(args.tx):
        role = ROLE_ORDER[(i + c) % 3]
        if i % 2 == 0:
            k = 1 + (i // 2) % 5
            kind = "row:%d" % k
            query = ("SELECT concat_ws('/', a, b, coalesce(n::text, '-')) "
                     "FROM pooled WHERE id = %s")
            params = (k,)
        else:
            kind = "fa"
            query = "SELECT count(*) FROM pooled WHERE a = %s"
            params = ("alpha2",)
        out.write("B %d %d %s %s\n" % (c, i, role, kind))
        state = "00000"
        try:
            with conn.transaction():
                with conn.cursor() as cur:
                    if ROLES[role]:
                        cur.execute(sql.SQL("SET LOCAL ROLE {}").format(
                            sql.Identifier(ROLES[role])))
                    cur.execute("SELECT current_user::text, pg_backend_pid(), "
                                "nextval('flp_pool_seq')")
                    user, pid, seq = cur.fetchone()
                    out.write("U|%s|%s|%s\n" % (user, pid, seq))
                    cur.execute(query, params)
                    rows = cur.fetchall()
                    out.write("V|%s\n" % ",".join(
                        "-" if r[0] is None else str(r[0]) for r in rows))
        except psycopg.Error as e:
            state = e.sqlstate or "XXXXX"
            if state != "42501":
                sys.stderr.write("client %d tx %d: %s\n" % (c, i, e))
        out.write("S %s\n" % state)
        out.flush()
    conn.close()


if __name__ == "__main__":
    main()
