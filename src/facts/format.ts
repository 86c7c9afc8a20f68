// Human-readable values that facts carry for messages (e.g. a lease's time left).
import { clip } from '../parsers/util.js';

/** Text a fact cites as evidence, shortened: longer than the parsers' default, it is what a finding shows. */
export function excerpt(s: string, max = 300): string {
  return clip(s, max);
}

/** 65000 -> "18h3m", 59 -> "59s", 90061 -> "1d1h1m" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 0) return 'expired';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h${m}m`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}
