// The running dev stack (global-setup.js): its base URL, bearer tokens minted with
// `jobordre token`, and a small JSON API client for arranging test data. Tests arrange through
// the API and act through the pages.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

let cached;

/** The stack's state written by global-setup.js. */
function stack() {
  if (!cached) {
    cached = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.stack.json'), 'utf8'));
  }
  return cached;
}

/**
 * A bearer token for a principal, signed with the dev stack's secret by `jobordre token`.
 * @param {{role: string, sub: string, jobcenter?: string, cvr?: string, name?: string, email?: string, phone?: string}} p
 */
function token(p) {
  // One `jobordre token` run per principal and test process: a token is valid for 24 h and the
  // binary takes a moment to start.
  const key = JSON.stringify(p);
  if (!tokens.has(key)) {
    tokens.set(key, mint(p));
  }
  return tokens.get(key);
}

const tokens = new Map();

function mint(p) {
  const st = stack();
  const args = ['token', '--data-dir', st.dataDir, '--role', p.role, '--sub', p.sub];
  for (const k of ['jobcenter', 'cvr', 'name', 'email', 'phone']) {
    if (p[k]) args.push('--' + k, p[k]);
  }
  return execFileSync(st.bin, args, { encoding: 'utf8' }).trim();
}

/** The dev stack's example users (internal/devstack/run.go). */
const users = {
  caseworker: { role: 'caseworker', sub: 'caseworker-1', jobcenter: '751', name: 'Example Caseworker', email: 'caseworker-1@jobcenter.example', phone: '+45 87 13 20 01' },
  caseworker2: { role: 'caseworker', sub: 'caseworker-2', jobcenter: '751', name: 'Second Caseworker', email: 'caseworker-2@jobcenter.example', phone: '+45 87 13 20 02' },
  manager: { role: 'manager', sub: 'manager-1', jobcenter: '751', name: 'Example Manager', email: 'manager-1@jobcenter.example', phone: '+45 87 13 20 00' },
  neighbour: { role: 'caseworker', sub: 'caseworker-favrskov', jobcenter: '710', name: 'Neighbour Caseworker', email: 'caseworker-favrskov@jobcenter.example' },
  far: { role: 'caseworker', sub: 'caseworker-kbh', jobcenter: '101', name: 'Far Caseworker', email: 'caseworker-kbh@jobcenter.example' },
  employer: { role: 'employer', sub: 'employer-1', cvr: '10103940', name: 'Example Employer', email: 'employer-1@firma.example' },
  admin: { role: 'admin', sub: 'admin-1', name: 'Example Admin', email: 'admin-1@jobordre.example' },
  // Randers (730), a neighbour of Favrskov (710) and of no job centre the other specs use: the
  // caseworker flow gives it a policy of seconds without changing what the other specs see.
  randers: { role: 'caseworker', sub: 'caseworker-randers', jobcenter: '730', name: 'Randi Randers', email: 'caseworker-randers@jobcenter.example' },
  randersManager: { role: 'manager', sub: 'manager-randers', jobcenter: '730', name: 'Rasmus Randers', email: 'manager-randers@jobcenter.example' },
};

/**
 * Calls the JSON API as a principal; throws unless the answer has the expected status.
 * @returns {Promise<any>} the decoded JSON body (or null)
 */
async function api(method, urlPath, principal, body, expected = [200, 201]) {
  const res = await fetch(stack().baseURL + urlPath, {
    method,
    headers: { Authorization: 'Bearer ' + token(principal), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${urlPath} answered ${res.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

let counter = 0;

/** A valid new order for Aarhus (751) with a unique title; overrides are merged in. */
function newOrder(overrides = {}) {
  counter++;
  return {
    company_cvr: '10103940',
    // The dev stack's example employer has not registered: a caseworker names the company.
    company_name: 'Byg & Tag ApS',
    title: `Tømrer ${Date.now()}-${counter}`,
    description: 'To erfarne tømrere til renovering af vinduer og tage.',
    workplace: { address: 'Søren Frichs Vej 38', postal_code: '8000', municipality_code: '751' },
    responsible_jobcenter: '751',
    occupation_code: '7115',
    positions: 2,
    kind: 'ordinary',
    ...overrides,
  };
}

/**
 * Sets fields of a job centre's policy as its manager (PUT /api/v1/jobcenters/{code}/policy),
 * sending the same PUT again while the change is still being handed to the orders (503).
 */
async function setPolicy(code, manager, fields) {
  for (let i = 0; ; i++) {
    try {
      return await api('PUT', `/api/v1/jobcenters/${code}/policy`, manager, fields, [200]);
    } catch (e) {
      if (i >= 10 || !String(e.message).includes('answered 503')) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A searchable candidate of the principal's job centre with a CV for occupation; overrides are merged in. */
function newCandidate(name, overrides = {}) {
  counter++;
  const slug = name.toLowerCase().normalize('NFD').replace(/[^a-z]+/g, '.');
  return {
    name,
    email: `${slug}.${Date.now()}-${counter}@example.dk`,
    searchable: true,
    cv: { headline: 'Tømrer med 12 års erfaring', occupations: ['7115'], experience: 'Tømrer i 12 år, senest på renovering af tage.', education: 'Tømrer', skills: ['tagarbejde', 'vinduer'] },
    ...overrides,
  };
}

/** Today plus days in Copenhagen, as <input type="date"> wants it (YYYY-MM-DD). */
function copenhagenDay(days = 0) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date(Date.now() + days * 86_400_000));
}

module.exports = { stack, token, users, api, newOrder, setPolicy, newCandidate, copenhagenDay };
