// SPDX-License-Identifier: MIT
// Dredd hooks: make each response that openapi.yaml documents happen for real.
//
// Dredd sends each operation's example request and checks the answer against
// every response the spec lists, so the error responses need requests that
// cause them: a bad field (400), a wrong method (405), an oversized body (413),
// work over the budget (422), and for 304 the file's current ETag.  What no
// request to a healthy server causes (500; 503 while draining or saturated;
// 504 past the time limit) is skipped here and driven by tests/http instead.
const hooks = require('hooks');
const http = require('node:http');

const SKIPPED = new Set(['500', '503', '504']);

// Over the work budget: the exact chain on a billion nodes, or a billion trials.
const HEAVY = {
  '/calc_fanout': { nodes: 1000000000, target_prob: 0.99, rounds: 5, model: 'exact' },
  '/tradeoff': { nodes: 1000000000, target_prob: 0.99, model: 'exact' },
  '/simulate_gossip': { nodes: 100000000, fanout: 3, rounds: 50, trials: 1000000000 },
};

// What `curl -d '{…}'` sends: JSON labelled application/x-www-form-urlencoded, which
// openapi.yaml lists beside application/json (the body is parsed as JSON whatever its
// Content-Type).  Dredd would encode the example as a form; it sends the JSON instead.
const CURL_D = {
  '/calc_fanout': { nodes: 25, target_prob: 0.99, rounds: 5 },
  '/tradeoff': { nodes: 1000, target_prob: 0.999, interval: 0.2, message_bytes: 1400 },
  '/simulate_gossip': { nodes: 25, fanout: 3, rounds: 5, trials: 100, seed: 1 },
};

function path(t) {
  return t.request.uri.split('?')[0];
}

function etag(t) {
  return new Promise((resolve, reject) => {
    http.get({ host: t.host, port: t.port, path: path(t) }, (res) => {
      res.resume();
      resolve(res.headers.etag);
    }).on('error', reject);
  });
}

// Dredd requests (fullPath) or reports (request.uri) a transaction's address.
function address(t, uri) {
  t.fullPath = uri;
  t.request.uri = uri;
}

function query(fields) {
  return Object.entries(fields).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

hooks.beforeEach((t, done) => {
  const status = t.expected.statusCode;
  const p = path(t);
  const get = t.request.method === 'GET';
  // The page and documents are compared by their headers, not with the example text.
  if (!/json/.test(t.expected.headers['Content-Type'] || '')) delete t.expected.body;
  // Each parameter's example is valid alone, but forward_rounds and transmit_limit
  // exclude each other: the GET examples keep forward_rounds.  Likewise rounds
  // and the time budget within_seconds (they keep rounds), and probe_interval and
  // sync_interval need independent timers (the examples keep aligned, which
  // model=exact needs), and seeds needs push_pull and the simulation (the
  // examples keep push and model=exact; tests/http sends seeds through GET).
  if (get && /transmit_limit=/.test(t.fullPath)) address(t, t.fullPath.replace(/&transmit_limit=\d+/, ''));
  if (get && /(within_seconds|probe_interval|sync_interval|seeds)=/.test(t.fullPath)) {
    address(t, t.fullPath.replace(/&(within_seconds|probe_interval|sync_interval|seeds)=[^&]*/g, ''));
  }
  if (t.request.method === 'HEAD') {
    // Dredd 14 gives every request a body, even an empty one, and its HTTP
    // client refuses a HEAD with a body: HEAD is left to tests/http.
    t.skip = true;
  } else if (SKIPPED.has(status)) {
    t.skip = true;
  } else if (status === '400') {
    if (get) address(t, `${p}?nodes=0`);
    else t.request.body = '{"nodes":0}';
  } else if (status === '405') {
    t.request.method = 'DELETE';
    address(t, p);
    t.request.body = '';
  } else if (status === '413') {
    t.request.body = JSON.stringify({ nodes: 25, padding: 'x'.repeat(70000) });
  } else if (status === '422') {
    if (get) address(t, `${p}?${query(HEAVY[p])}`);
    else t.request.body = JSON.stringify(HEAVY[p]);
  } else if (status === '200' && /x-www-form-urlencoded/.test(t.request.headers['Content-Type'] || '')) {
    t.request.body = JSON.stringify(CURL_D[p]);
  } else if (status === '304') {
    etag(t).then((tag) => {
      t.request.headers['If-None-Match'] = tag;
      done();
    }, (e) => { t.fail = String(e); done(); });
    return;
  }
  done();
});
