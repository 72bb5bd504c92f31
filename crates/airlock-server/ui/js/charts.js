// Charts drawn with uPlot (bundled in /ui/vendor/uplot): runs by decision
// and latency p50/p99 over a workflow's timeline. Each chart also gets a
// text summary for screen readers.

import { h } from './dom.js';

const COLORS = { auto: '#2f7d4f', review: '#b26b00', fallback: '#5b5fc7', block: '#b3261e', p50: '#1f6feb', p99: '#b3261e' };

function widthOf(container) {
  return Math.max(280, Math.min(container.clientWidth || 600, 1100) - 8);
}

function draw(container, title, series, data, yLabel, points = false) {
  const box = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  container.appendChild(box);
  if (!window.uPlot) {
    box.appendChild(h('p', { class: 'muted' }, 'The chart library did not load.'));
    return null;
  }
  const plot = new window.uPlot({
    width: widthOf(container),
    height: 220,
    series: [{}, ...series.map(([label, color]) => ({ label, stroke: color, width: 2, points: { show: points, size: 7, fill: color } }))],
    axes: [{}, { label: yLabel, size: 60 }],
    scales: { x: { time: true } },
    legend: { live: false },
  }, data, box);
  return plot;
}

/** Draws the decision mix and latency charts of `timeline` into `container`; returns a cleanup. */
export function timelineCharts(container, timeline) {
  const xs = timeline.buckets.map((b) => Date.parse(b.start) / 1000);
  const decisions = ['auto', 'review', 'fallback', 'block'];
  const runs = draw(container, 'Runs per bucket, by decision',
    decisions.map((d) => [d, COLORS[d]]),
    [xs, ...decisions.map((d) => timeline.buckets.map((b) => b.decisions[d]))], 'runs');
  const latency = draw(container, 'Latency (ms)',
    [['p50', COLORS.p50], ['p99', COLORS.p99]],
    [xs, timeline.buckets.map((b) => b.p50_ms), timeline.buckets.map((b) => b.p99_ms)], 'ms', true);
  const total = timeline.buckets.reduce((n, b) => n + b.runs, 0);
  const busiest = timeline.buckets.reduce((best, b) => (b.runs > (best?.runs ?? -1) ? b : best), null);
  container.appendChild(h('p', { class: 'visually-hidden' },
    `${total} runs in ${timeline.buckets.length} buckets; the busiest bucket started ${busiest ? busiest.start : 'never'} with ${busiest ? busiest.runs : 0} runs.`));
  const onResize = () => {
    for (const plot of [runs, latency]) if (plot) plot.setSize({ width: widthOf(container), height: 220 });
  };
  window.addEventListener('resize', onResize);
  return () => {
    window.removeEventListener('resize', onResize);
    for (const plot of [runs, latency]) if (plot) plot.destroy();
  };
}
