import { h, s } from './dom.js';

export interface Bar {
  label: string;
  value: number;
  /** A class for the bar's colour (a status, usually). */
  tone?: string;
  /** Shown above the bar instead of the value. */
  caption?: string;
}

const WIDTH = 360;
const HEIGHT = 150;
const AXIS = 28;

/** A small bar chart as SVG: one bar per entry, scaled to the largest (or to `max`). */
export function barChart(title: string, bars: Bar[], options: { max?: number; testId?: string } = {}) {
  const max = Math.max(options.max ?? 0, ...bars.map((bar) => bar.value), 1);
  const slot = bars.length ? (WIDTH - 8) / bars.length : WIDTH;
  const width = Math.max(2, Math.min(40, slot * 0.7));
  const plot = HEIGHT - AXIS;
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': title,
      class: 'chart',
    },
    s('line', { x1: 4, y1: plot, x2: WIDTH - 4, y2: plot, class: 'axis' }),
    bars.map((bar, index) => {
      const x = 4 + index * slot + (slot - width) / 2;
      const height = Math.round((bar.value / max) * (plot - 16));
      return s(
        'g',
        { class: `bar ${bar.tone ?? ''}` },
        s('title', {}, `${bar.label}: ${bar.caption ?? bar.value}`),
        s('rect', { x, y: plot - height, width, height: Math.max(height, bar.value ? 1 : 0) }),
        bars.length <= 12 || bar.value
          ? s('text', { x: x + width / 2, y: plot - height - 3, class: 'value' }, bar.caption ?? bar.value)
          : null,
        bars.length <= 12 || index % 3 === 0
          ? s('text', { x: x + width / 2, y: plot + 12, class: 'label' }, bar.label)
          : null,
      );
    }),
  );
  return h('figure', { class: 'chart-box', 'data-testid': options.testId }, h('figcaption', {}, title), svg);
}
