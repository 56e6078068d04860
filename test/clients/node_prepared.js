#!/usr/bin/env node
// test/clients/node_prepared.js -- node-postgres (`pg`) client of
// test/shell/85-drivers.sh.
//
// Opens ONE connection as a login role that is an INHERIT member of two
// subject roles, and executes the same NAMED prepared statements (extended
// protocol: Parse once, then Bind/Execute) again and again across
// `SET ROLE a`, `SET ROLE b`, `RESET ROLE` and `BEGIN; SET LOCAL ROLE ...`,
// under plan_cache_mode auto (more than 5 executions per role, so a generic
// plan is considered), force_generic_plan and force_custom_plan.  Every answer
// must be the current role's (see EXPECT below); a filter on a field that is
// hidden for one role but readable for the other is refused (42501) for the
// first and answered for the second, through the same named statement.  A
// committed permission change (by a super admin on a second connection)
// reaches the cached generic plans at their next execution (inside an open
// transaction too: the stale plan is refused with 40001); an uncommitted or
// rolled-back one never does.
//
// Usage: node node_prepared.js   (environment: PGHOST = socket directory,
// PGPORT, FLP_DRV_DB, FLP_DRV_ADMIN (a super admin), FLP_DRV_LOGIN,
// FLP_DRV_ROLE_A, FLP_DRV_ROLE_B, FLP_DRV_ROWS).  Prints `RESULT node-postgres <version> checks=N failed=M`;
// exits 1 if any check failed.
'use strict'

const pg = require('pg')
const pgVersion = require('pg/package.json').version

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`environment variable ${name} is not set`)
  return v
}
const LOGIN = env('FLP_DRV_LOGIN')
const ROLE_A = env('FLP_DRV_ROLE_A')
const ROLE_B = env('FLP_DRV_ROLE_B')
const NROWS = parseInt(env('FLP_DRV_ROWS'), 10)

// What each role sees of row k of `governed` (id, a text, b text, n int,
// v varchar(3), d date):
//   role a: a, n, v hidden (v's mask cut to 3 characters); b, d plain
//   role b: b, d hidden; a, n, v plain
//   the login (member of both, INHERIT): the union, everything plain
const day = (k) => new Date(Date.UTC(2024, 0, 1 + k)).toISOString().slice(0, 10)
const EXPECT = {
  a: (k) => ({ id: k, a: '****', b: `beta${k}`, n: null, v: '***', d: day(k) }),
  b: (k) => ({ id: k, a: `alpha${k}`, b: '****', n: k * 11, v: `v${k % 100}`, d: null }),
  login: (k) => ({ id: k, a: `alpha${k}`, b: `beta${k}`, n: k * 11, v: `v${k % 100}`, d: day(k) }),
}
pg.types.setTypeParser(1082, (text) => text)   // dates as 'YYYY-MM-DD', no time zones
const USER = { a: ROLE_A, b: ROLE_B, login: LOGIN }
// the filter on `a` (statement flp_q2): refused where a is hidden
const FILTER_A = { a: '42501', b: 1, login: 1 }
// the filter on `b` (statement flp_q3): refused where b is hidden
const FILTER_B = { a: 1, b: '42501', login: 1 }

const Q1 = 'SELECT id, a, b, n, v, d FROM governed WHERE id = $1'
const Q2 = 'SELECT count(*)::int AS c FROM governed WHERE a = $1'
const Q3 = 'SELECT count(*)::int AS c FROM governed WHERE b = $1'

let checks = 0
let failed = 0
const executions = { flp_q1: 0, flp_q2: 0, flp_q3: 0 }

function check(ok, what) {
  checks++
  if (!ok) {
    failed++
    if (failed <= 20) console.error(`FAILED: ${what}`)
  }
}

async function expectRow(client, role, k, ctx) {
  executions.flp_q1++
  let res
  try {
    res = await client.query({ name: 'flp_q1', text: Q1, values: [k] })
  } catch (e) {
    check(false, `${ctx}: flp_q1(${k}) as ${role}: error ${e.code} ${e.message}`)
    return
  }
  const want = EXPECT[role](k)
  const got = res.rows.length === 1 ? res.rows[0] : null
  check(got !== null && JSON.stringify(got) === JSON.stringify(want),
    `${ctx}: flp_q1(${k}) as ${role}: got ${JSON.stringify(res.rows)}, expected ${JSON.stringify(want)}`)
}

async function expectFilter(client, role, name, text, value, expected, ctx, inTx) {
  executions[name]++
  let res
  if (inTx) await client.query('SAVEPOINT flp_sp')
  try {
    res = await client.query({ name, text, values: [value] })
    if (inTx) await client.query('RELEASE SAVEPOINT flp_sp')
  } catch (e) {
    // a refusal aborts the subtransaction only; the SET LOCAL ROLE before it stays
    if (inTx) await client.query('ROLLBACK TO SAVEPOINT flp_sp')
    check(expected === '42501' && e.code === '42501' && !String(e.message).includes(value + '') &&
      !String(e.detail || '').includes('beta') && !String(e.detail || '').includes('alpha'),
    `${ctx}: ${name}('${value}') as ${role}: error ${e.code} ${e.message} (expected ${expected})`)
    // the diagnostic fields name the refused column, for a tool to point at
    check(e.code !== '42501' || (e.schema === 'public' && e.table === 'governed' &&
      ['a', 'b'].includes(e.column) && String(e.message).includes(`"${e.column}"`)),
    `${ctx}: ${name} as ${role}: diagnostic fields ${e.schema}.${e.table}.${e.column}`)
    return
  }
  check(expected !== '42501' && res.rows.length === 1 && res.rows[0].c === expected,
    `${ctx}: ${name}('${value}') as ${role}: got ${JSON.stringify(res.rows)}, expected ${expected}`)
}

async function setRole(client, role, local) {
  if (role === 'login') {
    if (!local) await client.query('RESET ROLE')
  } else {
    await client.query(`SET ${local ? 'LOCAL ' : ''}ROLE ${USER[role]}`)
  }
  const res = await client.query('SELECT current_user AS u')
  check(res.rows[0].u === USER[role], `current_user is ${res.rows[0].u}, expected ${USER[role]}`)
}

// the three statements, several times each, for the current role
async function round(client, role, ctx, times, inTx = false) {
  for (let i = 0; i < times; i++) {
    await expectRow(client, role, 1 + ((i * 7) % NROWS), ctx)
    await expectFilter(client, role, 'flp_q2', Q2, 'alpha2', FILTER_A[role], ctx, inTx)
    await expectFilter(client, role, 'flp_q3', Q3, 'beta3', FILTER_B[role], ctx, inTx)
  }
}

// A committed permission change reaches the cached plans of the named
// statements at their next execution; an uncommitted one does not.
async function permissionChanges(client) {
  const admin = new pg.Client({
    host: env('PGHOST'), port: parseInt(env('PGPORT'), 10),
    user: env('FLP_DRV_ADMIN'), database: env('FLP_DRV_DB'), application_name: 'flp-node-admin',
  })
  await admin.connect()
  const setA = (perm) => admin.query(
    "SELECT flp.set_permission('DrvA', 'governed', 'a', $1::flp.permission)", [perm])
  const plainA = (k) => ({ ...EXPECT.a(k), a: `alpha${k}` })
  try {
    await client.query('SET plan_cache_mode = force_generic_plan')
    await setRole(client, 'a', false)
    await round(client, 'a', 'before the change', 3)
    await setA('read')                                    // committed: a readable for role a
    for (let k = 1; k <= 6; k++) {
      executions.flp_q1++
      const res = await client.query({ name: 'flp_q1', text: Q1, values: [k] })
      check(JSON.stringify(res.rows) === JSON.stringify([plainA(k)]),
        `after granting read on a: flp_q1(${k}) as a: ${JSON.stringify(res.rows)}`)
      await expectFilter(client, 'a', 'flp_q2', Q2, 'alpha2', 1, 'after granting read on a', false)
    }
    await admin.query('BEGIN')
    await setA('hide')                                    // not committed yet
    executions.flp_q1++
    let res = await client.query({ name: 'flp_q1', text: Q1, values: [3] })
    check(JSON.stringify(res.rows) === JSON.stringify([plainA(3)]),
      `an uncommitted change was seen: ${JSON.stringify(res.rows)}`)
    await admin.query('COMMIT')
    await round(client, 'a', 'after hiding a again', 3)
    await admin.query('BEGIN')
    await setA('read')
    await admin.query('ROLLBACK')                         // never seen
    await round(client, 'a', 'after a rolled-back change', 3)
    // inside one open transaction the named statement's generic plan is
    // Bound again with no new lock: a change committed in between must not
    // let it run under the old rules (flp refuses it with 40001)
    await setA('read')
    await client.query('BEGIN')
    executions.flp_q1++
    res = await client.query({ name: 'flp_q1', text: Q1, values: [4] })
    check(JSON.stringify(res.rows) === JSON.stringify([plainA(4)]),
      `in a transaction, before the change: ${JSON.stringify(res.rows)}`)
    await setA('hide')                                    // committed meanwhile
    executions.flp_q1++
    try {
      res = await client.query({ name: 'flp_q1', text: Q1, values: [4] })
      check(false, `the plan made before the hide ran in the same transaction: ${JSON.stringify(res.rows)}`)
    } catch (e) {
      check(e.code === '40001' && !String(e.message).includes('alpha4'),
        `re-Bound after the hide: expected 40001, got ${e.code} ${e.message}`)
    }
    await client.query('ROLLBACK')
    await round(client, 'a', 'after the refused re-Bind', 3)
  } finally {
    await client.query('RESET ROLE')
    await client.query('RESET plan_cache_mode')
    await admin.end()
  }
}

async function main() {
  const client = new pg.Client({
    host: env('PGHOST'), port: parseInt(env('PGPORT'), 10),
    user: LOGIN, database: env('FLP_DRV_DB'), application_name: 'flp-node-prepared',
  })
  await client.connect()
  try {
    const order = ['a', 'b', 'login', 'b', 'a', 'login', 'a']
    for (const mode of ['auto', 'force_generic_plan', 'force_custom_plan']) {
      await client.query(`SET plan_cache_mode = ${mode}`)
      // session-level SET ROLE / RESET ROLE; more than 5 executions per role
      for (const role of order) {
        await setRole(client, role, false)
        await round(client, role, `${mode}, SET ROLE ${role}`, 7)
      }
      await client.query('RESET ROLE')
      // SET LOCAL ROLE inside transactions, then back to the login's answers
      for (const role of order) {
        await client.query('BEGIN')
        await setRole(client, role, true)
        await round(client, role, `${mode}, SET LOCAL ROLE ${role}`, 3, true)
        const res = await client.query('SELECT current_user AS u')
        check(res.rows[0].u === USER[role], `after savepoints: current_user ${res.rows[0].u}, expected ${USER[role]}`)
        await client.query('COMMIT')
        await round(client, 'login', `${mode}, after SET LOCAL ROLE ${role}`, 1)
      }
    }
    await permissionChanges(client)
    // the named statements were parsed once and reused; generic plans were used
    const res = await client.query(
      'SELECT name, statement, generic_plans::int AS g, custom_plans::int AS c ' +
      'FROM pg_prepared_statements ORDER BY name')
    const byName = Object.fromEntries(res.rows.map((r) => [r.name, r]))
    for (const [name, text] of [['flp_q1', Q1], ['flp_q2', Q2], ['flp_q3', Q3]]) {
      const r = byName[name]
      check(r !== undefined && r.statement === text, `${name} is not a prepared statement of the session`)
      if (r === undefined) continue
      check(r.g > 0, `${name}: no generic plan was used (${r.g} generic, ${r.c} custom)`)
      // refused executions are counted by neither
      check(r.g + r.c <= executions[name] && r.g + r.c > 0,
        `${name}: ${r.g} generic + ${r.c} custom plans for ${executions[name]} executions`)
    }
    check(res.rows.length === 3, `${res.rows.length} prepared statements, expected 3 (parsed once each)`)
    const plans = res.rows.map((r) => `${r.name} ${r.g} generic/${r.c} custom`).join(', ')
    console.log(`  node-postgres: executions ${JSON.stringify(executions)}; plans: ${plans}`)
  } finally {
    await client.end()
  }
  console.log(`RESULT node-postgres ${pgVersion} checks=${checks} failed=${failed}`)
  process.exitCode = failed === 0 ? 0 : 1
}

main().catch((e) => {
  console.error(`node_prepared.js: ${e.stack || e}`)
  console.log(`RESULT node-postgres ${pgVersion} checks=${checks} failed=${failed + 1}`)
  process.exitCode = 1
})
