// The AMD picture (docs/operations.md, "Seeing why AMD decided"): the callee's level over time, where
// speech and tones were heard, and every AMD event with its type, reason and offset. Pure: data in, SVG out.

import type { AmdEvent, AudioSummary } from '../domain/index.js';

const WIDTH = 1100;
const LEFT = 60;
const RIGHT = 20;
const TOP = 40;
const CHART_H = 220;
const BAND_H = 16;
const LINE_H = 18;
const FLOOR_DB = -90;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const eventColour = (type: string): string =>
  type === 'amd_human_detected'
    ? '#1b7f3a'
    : type === 'amd_machine_detected' || type === 'amd_machine_after_human'
      ? '#b3261e'
      : type === 'amd_tone_detected'
        ? '#c76b00'
        : '#3d4f8a';

/** One readable line per event: offset, type and every other field (reason, greeting, frequency...). */
export function eventLabel(e: AmdEvent): string {
  const { type, atMs, ...rest } = e as AmdEvent & Record<string, unknown>;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (v.length > 60 ? `${v.slice(0, 57)}...` : v) : JSON.stringify(v)}`);
  return `${atMs} ms  ${type}${fields.length ? `  ${fields.join('  ')}` : ''}`;
}

function niceStep(spanMs: number): number {
  for (const step of [250, 500, 1000, 2000, 5000, 10000]) if (spanMs / step <= 14) return step;
  return 20000;
}

export function renderAmdSvg(input: { title: string; summary: AudioSummary; events: readonly AmdEvent[] }): string {
  const { summary, events } = input;
  const lastEvent = events.reduce((m, e) => Math.max(m, e.atMs), 0);
  // 3% room on the right so a marker at the last offset stays inside the picture.
  const spanMs = Math.ceil(Math.max(1000, summary.durationMs, lastEvent) * 1.03);
  const plotW = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => LEFT + (Math.min(ms, spanMs) / spanMs) * plotW;
  const y = (db: number) => TOP + ((0 - Math.max(FLOOR_DB, Math.min(0, db))) / (0 - FLOOR_DB)) * CHART_H;
  const speechY = TOP + CHART_H + 10;
  const toneY = speechY + BAND_H + 6;
  const axisY = toneY + BAND_H + 18;
  const listY = axisY + 28;
  const height = listY + Math.max(1, events.length) * LINE_H + 16;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escape(input.title)}</text>`);
  // Level grid and axis.
  for (const db of [0, -20, -40, -60, -80]) {
    out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(db)}" y2="${y(db)}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${LEFT - 6}" y="${y(db) + 4}" text-anchor="end" fill="#555">${db} dB</text>`);
  }
  const step = niceStep(spanMs);
  for (let t = 0; t <= spanMs; t += step) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${TOP}" y2="${axisY - 12}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(t)}" y="${axisY}" text-anchor="middle" fill="#555">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
  }
  out.push(`<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${CHART_H}" fill="none" stroke="#999"/>`);
  // Level over time: one point per bucket.
  const points = summary.levelsDb.map((db, i) => `${x(i * summary.bucketMs + summary.bucketMs / 2).toFixed(1)},${y(db).toFixed(1)}`);
  if (points.length > 0) out.push(`<polyline class="level" fill="none" stroke="#2f5fb3" stroke-width="1.5" points="${points.join(' ')}"/>`);
  // Speech and tone bands.
  out.push(`<text x="${LEFT - 6}" y="${speechY + 12}" text-anchor="end" fill="#555">speech</text>`);
  out.push(`<rect x="${LEFT}" y="${speechY}" width="${plotW}" height="${BAND_H}" fill="#f6f6f6"/>`);
  for (const [a, b] of summary.speech) {
    out.push(`<rect class="speech" x="${x(a).toFixed(1)}" y="${speechY}" width="${Math.max(1, x(b) - x(a)).toFixed(1)}" height="${BAND_H}" fill="#4caf50"><title>speech ${a}–${b} ms</title></rect>`);
  }
  out.push(`<text x="${LEFT - 6}" y="${toneY + 12}" text-anchor="end" fill="#555">tones</text>`);
  out.push(`<rect x="${LEFT}" y="${toneY}" width="${plotW}" height="${BAND_H}" fill="#f6f6f6"/>`);
  for (const t of summary.tones) {
    out.push(`<rect class="tone" x="${x(t.startMs).toFixed(1)}" y="${toneY}" width="${Math.max(2, x(t.endMs) - x(t.startMs)).toFixed(1)}" height="${BAND_H}" fill="#ff9800"><title>tone ${t.frequency} Hz ${t.startMs}–${t.endMs} ms</title></rect>`);
    out.push(`<text x="${x(t.endMs) + 3}" y="${toneY + 12}" fill="#8a4b00">${t.frequency} Hz</text>`);
  }
  // Events: a numbered marker on the chart, the full line in the list below.
  events.forEach((e, i) => {
    const ex = x(e.atMs).toFixed(1);
    const colour = eventColour(e.type);
    out.push(`<g class="event" data-type="${escape(e.type)}" data-at-ms="${e.atMs}">`);
    out.push(`<line x1="${ex}" x2="${ex}" y1="${TOP}" y2="${toneY + BAND_H}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    const my = TOP + 10 + (i % 6) * 18;
    out.push(`<circle cx="${ex}" cy="${my}" r="8" fill="${colour}"/><text x="${ex}" y="${my + 4}" text-anchor="middle" fill="#fff" font-size="10">${i + 1}</text>`);
    out.push(`<text x="${LEFT}" y="${listY + i * LINE_H}" fill="${colour}"><tspan font-weight="bold">${i + 1}</tspan>  ${escape(eventLabel(e))}</text>`);
    out.push('</g>');
  });
  if (events.length === 0) out.push(`<text x="${LEFT}" y="${listY}" fill="#555">no AMD events</text>`);
  if (summary.truncated) out.push(`<text x="${WIDTH - RIGHT}" y="22" text-anchor="end" fill="#555">audio summary truncated at ${summary.durationMs / 1000} s</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
