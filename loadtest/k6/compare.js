// The load of loadtest/compare.sh as a k6 script: 64 keep-alive connections (one per VU), GET /,
// the 13-byte "Hello, World!", for 15 s, against each peer in turn.
// Start the peers with compare.sh (or by hand) first; by default they listen on 8081..8084.
//
//   k6 run loadtest/k6/compare.js
//   k6 run -e PEERS=fastgate=http://127.0.0.1:8081/,nginx=http://127.0.0.1:8082/ -e VUS=64 -e DURATION=15s loadtest/k6/compare.js
//
// Each peer is its own scenario, started after the previous one ends (plus GAP), so they never
// overlap; metrics are tagged with peer=NAME, and the summary prints req/s and p50/p99 per peer.
import http from 'k6/http';
import { check } from 'k6';

const peers = (__ENV.PEERS ||
  'fastgate=http://127.0.0.1:8081/,nginx=http://127.0.0.1:8082/,haproxy=http://127.0.0.1:8083/,yarp=http://127.0.0.1:8084/')
  .split(',')
  .map((p) => p.split('='))
  .map(([name, url]) => ({ name, url }));
const vus = Number(__ENV.VUS || 64);
const seconds = parseInt(__ENV.DURATION || '15s', 10);
const gap = 2;

const scenarios = {};
const thresholds = { checks: ['rate>0.999'] };
peers.forEach((peer, i) => {
  scenarios[peer.name] = {
    executor: 'constant-vus',
    vus,
    duration: `${seconds}s`,
    startTime: `${i * (seconds + gap)}s`,
    gracefulStop: '2s',
    env: { TARGET: peer.url },
    tags: { peer: peer.name },
  };
  // Per-peer sub-metrics, so the end-of-test summary has one line per peer.
  thresholds[`http_reqs{peer:${peer.name}}`] = ['count>0'];
  thresholds[`http_req_duration{peer:${peer.name}}`] = ['p(99)<1000'];
});

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(50)', 'p(99)', 'max'],
  scenarios,
  thresholds,
};

export default function () {
  const res = http.get(__ENV.TARGET);
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  const lines = ['peer       req/s     p50 ms    p99 ms'];
  for (const peer of peers) {
    const reqs = data.metrics[`http_reqs{peer:${peer.name}}`];
    const dur = data.metrics[`http_req_duration{peer:${peer.name}}`];
    if (!reqs || !dur) continue;
    const rps = reqs.values.count / seconds;
    lines.push(`${peer.name.padEnd(10)} ${rps.toFixed(0).padStart(6)} ${dur.values['p(50)'].toFixed(2).padStart(10)} ${dur.values['p(99)'].toFixed(2).padStart(9)}`);
  }
  return { stdout: lines.join('\n') + '\n' };
}
