#!/usr/bin/env python3
"""test/clients/psycopg_cursors.py -- psycopg 3 client of test/shell/85-drivers.sh.

ONE connection as a login role that is an INHERIT member of two subject roles
(role a: fields a, n, v hidden, b, d plain; role b: b, d hidden, a, n, v
plain; the login itself: the union, everything plain), checking that every
row is masked for the role that planned the query (text, int, varchar(3) and
date fields, in text and binary formats):

  * server-side (named) cursors fetching the whole governed table in batches
    (itersize, fetchmany), text and binary, with parameters, with SET ROLE /
    RESET ROLE / SET LOCAL ROLE changes between separate cursors; a cursor
    whose query filters on a field hidden for the role is refused (42501) at
    DECLARE, and answered for the other role;
  * a WITH HOLD cursor declared by a role and read after the transaction (and
    the role) ended keeps the masks of the role that declared it;
  * prepared statements (prepare=True: named, server-side) reused across
    roles, more than 5 executions per role, under plan_cache_mode auto,
    force_generic_plan and force_custom_plan; the refused filter through the
    same prepared statement;
  * SET ROLE / RESET ROLE and prepared statements queued in one pipeline;
  * COPY (query) TO STDOUT (text and binary) and COPY table TO STDOUT as
    each role.

Environment: PGHOST (socket directory), PGPORT, FLP_DRV_DB, FLP_DRV_LOGIN,
FLP_DRV_ROLE_A, FLP_DRV_ROLE_B, FLP_DRV_ROWS.  Prints
`RESULT psycopg <version> checks=N failed=M`; exits 1 if any check failed.
Runs with the Debian python3 and its python3-psycopg package.
"""
import datetime
import os
import sys

import psycopg
from psycopg import errors, sql

LOGIN = os.environ["FLP_DRV_LOGIN"]
USER = {"a": os.environ["FLP_DRV_ROLE_A"], "b": os.environ["FLP_DRV_ROLE_B"],
        "login": LOGIN}
NROWS = int(os.environ["FLP_DRV_ROWS"])


def expect(role, k):
    """Row k of `governed` (id, a, b, n, v varchar(3), d date) as role sees it."""
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=k)
    if role == "a":
        return (k, "****", "beta%d" % k, None, "***", day)
    if role == "b":
        return (k, "alpha%d" % k, "****", k * 11, "v%d" % (k % 100), None)
    return (k, "alpha%d" % k, "beta%d" % k, k * 11, "v%d" % (k % 100), day)


FILTER_A = {"a": "42501", "b": 1, "login": 1}   # WHERE a = 'alpha2'
FILTER_B = {"a": 1, "b": "42501", "login": 1}   # WHERE b = 'beta3'


class Checks:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def __call__(self, ok, what):
        self.n += 1
        if not ok:
            self.failed += 1
            if self.failed <= 20:
                print("FAILED: %s" % what, file=sys.stderr)
        return ok


check = Checks()


def set_role(conn, role, local=False):
    """SET [LOCAL] ROLE (RESET ROLE for the login) and check current_user."""
    if role == "login":
        if not local:
            conn.execute("RESET ROLE")
    else:
        conn.execute(sql.SQL("SET {} ROLE {}").format(
            sql.SQL("LOCAL" if local else "SESSION"), sql.Identifier(USER[role])))
    u = conn.execute("SELECT current_user::text").fetchone()[0]
    check(u == USER[role], "current_user is %s, expected %s" % (u, USER[role]))


def check_rows(rows, role, first, ctx):
    """rows must be rows first, first+1, ... as role sees them."""
    bad = [r for i, r in enumerate(rows) if tuple(r) != expect(role, first + i)]
    check(not bad, "%s: %d of %d rows wrong for %s, e.g. %r (expected %r)" % (
        ctx, len(bad), len(rows), role, bad[:1],
        expect(role, first + rows.index(bad[0])) if bad else None))


def cursors(conn):
    """Named cursors, one per role, fetched in batches."""
    n = 0
    for i, role in enumerate(["a", "b", "login", "b", "a", "login"]):
        set_role(conn, role)
        binary = i % 2 == 1
        with conn.transaction():
            name = "flp_cur_%d" % i
            with conn.cursor(name=name, binary=binary) as cur:
                cur.itersize = 37
                cur.execute("SELECT id, a, b, n, v, d FROM governed WHERE id > %s ORDER BY id",
                            (0,))
                # a real server-side cursor of this transaction
                cnt = conn.execute("SELECT count(*) FROM pg_cursors WHERE name = %s",
                                   (name,)).fetchone()[0]
                check(cnt == 1, "cursor %s not in pg_cursors" % name)
                rows = list(cur)                  # FETCH FORWARD 37, ...
                check(len(rows) == NROWS, "%s: %d rows, expected %d" % (name, len(rows), NROWS))
                check_rows(rows, role, 1, "cursor %s (%s)" % (name, "binary" if binary else "text"))
                n += 1
            # fetchmany on a second cursor of the same transaction, after a
            # SET LOCAL ROLE to another role
            other = {"a": "b", "b": "a", "login": "a"}[role]
            set_role(conn, other, local=True)
            with conn.cursor(name=name + "_m", binary=not binary) as cur:
                cur.execute("SELECT id, a, b, n, v, d FROM governed WHERE id >= %s ORDER BY id", (11,))
                got, first = 0, 11
                while True:
                    batch = cur.fetchmany(50)
                    if not batch:
                        break
                    check_rows(batch, other, first + got, "cursor %s_m batch" % name)
                    got += len(batch)
                check(got == NROWS - 10, "%s_m: %d rows" % (name, got))
                n += 1
        # SET LOCAL ended with the transaction
        u = conn.execute("SELECT current_user::text").fetchone()[0]
        check(u == USER[role], "after COMMIT: current_user %s, expected %s" % (u, USER[role]))
    conn.execute("RESET ROLE")
    return n


def cursor_refusals(conn):
    """A cursor that filters on a field hidden for the role is refused at DECLARE."""
    for role in ["a", "b", "login", "a", "b"]:
        set_role(conn, role)
        for field, value, want in (("a", "alpha2", FILTER_A[role]), ("b", "beta3", FILTER_B[role])):
            try:
                with conn.transaction():
                    with conn.cursor(name="flp_cur_f") as cur:
                        cur.execute(sql.SQL("SELECT count(*) FROM governed WHERE {} = %s").format(
                            sql.Identifier(field)), (value,))
                        got = cur.fetchone()[0]
                check(want == got, "cursor filter on %s as %s: got %r, expected %s" % (
                    field, role, got, want))
            except errors.InsufficientPrivilege as e:
                check(want == "42501" and value not in str(e),
                      "cursor filter on %s as %s: refused (%s), expected %s" % (field, role, e, want))
                # a tool can point at the column: the diagnostic fields name it
                check((e.diag.schema_name, e.diag.table_name, e.diag.column_name) ==
                      ("public", "governed", field),
                      "cursor filter on %s as %s: diagnostic fields %r" % (
                          field, role, (e.diag.schema_name, e.diag.table_name, e.diag.column_name)))
            except psycopg.Error as e:
                check(False, "cursor filter on %s as %s: %s %s" % (field, role, e.sqlstate, e))
            u = conn.execute("SELECT current_user::text").fetchone()[0]
            check(u == USER[role], "after a refused cursor: current_user %s" % u)
    conn.execute("RESET ROLE")


def hold_cursors(conn):
    """WITH HOLD cursors keep the masks of the role that declared them."""
    for role in ["a", "b"]:
        with conn.cursor(name="flp_hold_" + role, withhold=True) as cur:
            with conn.transaction():
                set_role(conn, role, local=True)
                cur.execute("SELECT id, a, b, n, v, d FROM governed ORDER BY id")
            # materialized at COMMIT; the role ended with the transaction and
            # the login (who would see everything) reads the cursor
            u = conn.execute("SELECT current_user::text").fetchone()[0]
            check(u == LOGIN, "after the WITH HOLD transaction: current_user %s" % u)
            rows = cur.fetchmany(25) + cur.fetchall()
            check(len(rows) == NROWS, "hold cursor as %s: %d rows" % (role, len(rows)))
            check_rows(rows, role, 1, "WITH HOLD cursor declared by %s, read as the login" % role)


def prepared(conn):
    """prepare=True statements reused across roles and plan cache modes."""
    q_row = "SELECT id, a, b, n, v, d FROM governed WHERE id = %s"
    q_fa = "SELECT count(*) FROM governed WHERE a = %s"
    q_fb = "SELECT count(*) FROM governed WHERE b = %s"
    execs = 0
    for mode in ["auto", "force_generic_plan", "force_custom_plan"]:
        conn.execute(sql.SQL("SET plan_cache_mode = {}").format(sql.SQL(mode)))
        for role in ["a", "b", "login", "b", "a", "login", "a"]:
            set_role(conn, role)
            for i in range(7):
                k = 1 + (i * 13) % NROWS
                rows = conn.execute(q_row, (k,), prepare=True).fetchall()
                check_rows(rows, role, k, "prepared row %d, %s" % (k, mode))
                check(len(rows) == 1, "prepared row %d as %s: %d rows" % (k, role, len(rows)))
                for q, value, want in ((q_fa, "alpha2", FILTER_A[role]),
                                       (q_fb, "beta3", FILTER_B[role])):
                    try:
                        got = conn.execute(q, (value,), prepare=True).fetchone()[0]
                        check(got == want, "prepared %r as %s (%s): %r, expected %s" % (
                            q, role, mode, got, want))
                    except errors.InsufficientPrivilege as e:
                        check(want == "42501", "prepared %r as %s (%s): refused (%s), expected %s" % (
                            q, role, mode, e, want))
                execs += 3
    conn.execute("RESET ROLE")
    conn.execute("RESET plan_cache_mode")
    stmts = conn.execute(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE name LIKE '\\_pg3\\_%' ORDER BY name").fetchall()
    # psycopg keeps a statement only once an execution of it succeeded: the
    # first executions of q_fa, refused for role a, leave unused server-side
    # copies behind (0 plans); the copy that psycopg keeps is then reused by
    # every role, refusals included.
    used = {}
    for text, generic, custom in stmts:
        if generic + custom > 0:
            used.setdefault(text, []).append((generic, custom))
    for q in (q_row, q_fa, q_fb):
        want = q.replace("%s", "$1")
        plans = used.get(want, [])
        check(len(plans) == 1, "prepared statement %r: %d server-side copies used, expected 1"
              % (want, len(plans)))
        check(all(g > 0 for g, c in plans), "prepared statement %r never used a generic plan: %r"
              % (want, plans))
    plans = ", ".join("%s %d generic/%d custom" % (t.split(" FROM governed ")[-1], g, c)
                      for t, lst in used.items() for g, c in lst)
    return execs, plans


def pipelined(conn):
    """Role changes and prepared statements queued in one pipeline."""
    q_row = "SELECT id, a, b, n, v, d FROM governed WHERE id = %s"
    queued = []
    with conn.pipeline() as p:
        for rep in range(4):
            for role in ["a", "b", "login", "b"]:
                if role == "login":
                    conn.execute("RESET ROLE")
                else:
                    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(USER[role])))
                cu = conn.execute("SELECT current_user::text")
                k = 1 + (rep * 37 + len(queued)) % NROWS
                queued.append((role, k, cu, conn.execute(q_row, (k,), prepare=True)))
        p.sync()
    for role, k, cu, cur in queued:
        u = cu.fetchone()[0]
        check(u == USER[role], "pipeline: current_user %s, expected %s" % (u, USER[role]))
        check_rows(cur.fetchall(), role, k, "pipeline row %d as %s" % (k, role))
    conn.execute("RESET ROLE")
    return len(queued)


def copies(conn):
    """COPY ... TO STDOUT as each role."""
    for role in ["a", "b", "login"]:
        set_role(conn, role)
        for stmt in ("COPY (SELECT id, a, b, n, v, d FROM governed ORDER BY id) TO STDOUT",
                     "COPY (SELECT id, a, b, n, v, d FROM governed) TO STDOUT (FORMAT binary)",
                     "COPY governed (id, a, b, n, v, d) TO STDOUT"):
            with conn.cursor() as cur:
                with cur.copy(stmt) as cp:
                    cp.set_types(["int4", "text", "text", "int4", "varchar", "date"])
                    rows = sorted(cp.rows(), key=lambda r: r[0])
            check(len(rows) == NROWS, "%s as %s: %d rows" % (stmt, role, len(rows)))
            check_rows(rows, role, 1, "%s as %s" % (stmt, role))
    conn.execute("RESET ROLE")


def main():
    conn = psycopg.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"],
                           user=LOGIN, dbname=os.environ["FLP_DRV_DB"], autocommit=True,
                           application_name="flp-psycopg-cursors")
    try:
        # only the explicit prepare=True statements (None would disable those too)
        conn.prepare_threshold = 10 ** 9
        ncur = cursors(conn)
        cursor_refusals(conn)
        hold_cursors(conn)
        execs, plans = prepared(conn)
        npipe = pipelined(conn)
        copies(conn)
    finally:
        conn.close()
    print("  psycopg: %d named cursors in batches, %d prepared executions (%s), "
          "%d pipelined" % (ncur, execs, plans, npipe))
    print("RESULT psycopg %s checks=%d failed=%d" % (psycopg.__version__, check.n, check.failed))
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:    # an unexpected error is a failure, with its story
        import traceback
        traceback.print_exc()
        print("RESULT psycopg %s checks=%d failed=%d" % (
            psycopg.__version__, check.n, check.failed + 1))
        sys.exit(1)
