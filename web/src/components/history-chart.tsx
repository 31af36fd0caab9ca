// The price history as uPlot step lines (the data is src/core/chart.ts's, built from the documented
// rule). Amounts reach the canvas as numbers for their pixel positions only; the legend and the
// marker labels print the exact decimal strings. The canvas is described in words for screen readers
// (aria-describedby), and the page gives the same intervals as a table.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../core/chart.ts';
import { amountText, dimensionWords } from '../core/dimensions.ts';

/** Distinct hues that read on white and on the dark background; a dash tells series apart beyond them. */
const COLOURS = ['#0a58ca', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

export function seriesColour(index: number): string {
  return COLOURS[index % COLOURS.length]!;
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export function HistoryChart(props: { data: ChartData; describedBy: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const { data } = props;

  useEffect(() => {
    const el = host.current;
    if (!el || data.xs.length === 0) return;
    const fg = cssVar(el, '--fg', '#1b1f24');
    const muted = cssVar(el, '--muted', '#57606a');
    const line = cssVar(el, '--line', '#d0d7de');
    const dim = data.dimension;
    const words = dimensionWords(dim);
    const exact = (seriesIdx: number, idx: number | null): string => {
      if (idx === null) return '—';
      return amountText(dim, data.series[seriesIdx - 1]?.values[idx] ?? null);
    };
    const stepped = uPlot.paths.stepped!({ align: 1, alignGaps: 1 });
    const width = (): number => Math.max(280, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 320,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } },
        {
          stroke: muted,
          grid: { stroke: line, width: 1 },
          ticks: { stroke: line, width: 1 },
          size: 70,
          // Tick labels are positions on the axis, not prices anyone reads off as exact.
          values: (_u, splits, _axis, _space, incr) => {
            // As many decimals as the tick step has (0.025 → 3), at least two for dollars.
            let decimals = 0;
            while (decimals < 8 && Math.abs(Math.round(incr * 10 ** decimals) - incr * 10 ** decimals) > 1e-9)
              decimals += 1;
            return splits.map((v) =>
              words.basis === 'ratio'
                ? `${(v * 100).toFixed(Math.max(0, decimals - 2))}%`
                : `$${v.toFixed(Math.max(2, decimals))}`,
            );
          },
        },
      ],
      series: [
        { label: 'Time' },
        ...data.series.map((s, i) => {
          const markerIdx = s.markers.map((m) => m.index);
          const colour = seriesColour(i);
          const opt: uPlot.Series = {
            label: s.name,
            stroke: colour,
            width: 2,
            dash: i >= COLOURS.length ? [6, 4] : undefined,
            paths: stepped,
            spanGaps: false,
            value: (_u, _v, sIdx, idx) => exact(sIdx, idx),
            points: { show: true, size: 8, fill: colour, stroke: colour, filter: () => markerIdx },
          };
          return opt;
        }),
      ],
      hooks: {
        draw: [
          (u) => {
            // The relative move beside each change marker.
            const ctx = u.ctx;
            ctx.save();
            ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
            ctx.fillStyle = fg;
            ctx.textBaseline = 'bottom';
            const gap = 6 * devicePixelRatio;
            const right = u.bbox.left + u.bbox.width;
            data.series.forEach((s, i) => {
              if (!u.series[i + 1]?.show) return;
              for (const m of s.markers) {
                const x = u.valToPos(data.xs[m.index]! / 1000, 'x', true);
                const y = u.valToPos(Number(m.current), 'y', true);
                // Beside the point, on its left when the right edge is too close.
                const fits = x + gap + ctx.measureText(m.label).width <= right;
                ctx.textAlign = fits ? 'left' : 'right';
                ctx.fillText(m.label, fits ? x + gap : x - gap, y - 4 * devicePixelRatio);
              }
            });
            ctx.restore();
          },
        ],
      },
    };
    const aligned: uPlot.AlignedData = [
      data.xs.map((x) => x / 1000),
      ...data.series.map((s) => s.values.map((v) => (v === null ? null : Number(v)))),
    ];
    const plot = new uPlot(opts, aligned, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 320 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data]);

  return (
    <figure class="chart" aria-label={props.label} aria-describedby={props.describedBy}>
      <div ref={host} class="chart-host" data-series={data.series.length} />
    </figure>
  );
}
