/**
 * Portfolio value over time (uPlot), with a range switch. The series is fetched with getChart for
 * the shown account and range, and again whenever new data arrives (dataVersion).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { CHART_RANGES, type ChartRange, type ChartSeries } from '../../../shared/models.js';
import { messageOf, type RendererClient } from '../api/renderer-client.js';
import { Change } from '../components/bits.js';
import { useColorScheme } from '../components/hooks.js';
import { chartChange, chartData } from '../lib/chart-data.js';
import { formatMoney, MASK } from '../lib/format.js';

const RANGE_LABELS: Record<ChartRange, string> = {
  '1D': '1D',
  '1W': '1W',
  '1M': '1M',
  '1Y': '1Y',
  ALL: 'All',
};
const RANGE_WORDS: Record<ChartRange, string> = {
  '1D': 'today',
  '1W': 'past week',
  '1M': 'past month',
  '1Y': 'past year',
  ALL: 'all time',
};

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const compactMoney = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});

function LineChart({
  xs,
  ys,
  privacy,
  scheme,
  onHover,
}: {
  xs: number[];
  ys: number[];
  privacy: boolean;
  scheme: string;
  onHover: (index: number | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const line = cssVar('--chart-line');
    const axis = cssVar('--chart-axis');
    const grid = cssVar('--chart-grid');
    const size = () => ({ width: Math.max(200, el.clientWidth), height: Math.max(160, el.clientHeight) });
    const opts: uPlot.Options = {
      ...size(),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7, fill: line } },
      scales: { x: { time: true } },
      series: [
        {},
        {
          stroke: line,
          width: 2,
          fill: cssVar('--chart-fill'),
          points: { show: false },
        },
      ],
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          font: '11px system-ui, sans-serif',
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          size: 64,
          font: '11px system-ui, sans-serif',
          values: (_u, values) => values.map((v) => (privacy ? MASK : compactMoney.format(v))),
        },
      ],
      hooks: {
        setCursor: [(u) => onHover(u.cursor.idx ?? null)],
      },
    };
    const chart = new uPlot(opts, [xs, ys], el);
    plot.current = chart;
    // The host is sized by the card (absolutely positioned), so the chart follows the card.
    const observer = new ResizeObserver(() => chart.setSize(size()));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [privacy, scheme]);

  useEffect(() => {
    plot.current?.setData([xs, ys]);
  }, [xs, ys]);

  // biome-ignore lint/a11y/noStaticElementInteractions: ends the pointer-only hover readout; the values it shows are in the summary for keyboard users.
  return <div class="chart-canvas" ref={host} onMouseLeave={() => onHover(null)} />;
}

export function PortfolioChart({
  client,
  accountKey,
  dataVersion,
  privacy,
}: {
  client: RendererClient;
  accountKey: string | null;
  dataVersion: number;
  privacy: boolean;
}) {
  const [range, setRange] = useState<ChartRange>('1M');
  const [series, setSeries] = useState<ChartSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const scheme = useColorScheme();

  useEffect(() => {
    if (!accountKey) return;
    let current = true;
    client.call('getChart', { accountKey, range }).then(
      (s) => {
        if (!current) return;
        setSeries(s);
        setError(null);
      },
      (e: unknown) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [client, accountKey, range, dataVersion]);

  const data = useMemo(() => chartData(series?.range === range ? series : null), [series, range]);
  const change = useMemo(() => chartChange(series?.range === range ? series : null), [series, range]);
  const hovered = hover !== null ? series?.points[hover] : undefined;
  const description = change
    ? `Portfolio value, ${RANGE_WORDS[range]}: from ${formatMoney(change.first, { privacy })} to ${formatMoney(change.last, { privacy })}`
    : 'Portfolio value chart';

  return (
    <section class="card chart-card" aria-labelledby="chart-title">
      <div class="card-head">
        <h2 id="chart-title">Value over time</h2>
        <div class="chart-readout" aria-live="off">
          {hovered ? (
            <>
              <span class="muted">
                {new Date(hovered.t).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })}
              </span>{' '}
              <span class="amount" data-amount="">
                {formatMoney(hovered.equity, { privacy })}
              </span>
            </>
          ) : change ? (
            <>
              <Change
                value={change.amount}
                privacy={privacy}
                percent={change.percent}
                percentText={change.percentText}
              />{' '}
              <span class="muted">{RANGE_WORDS[range]}</span>
            </>
          ) : null}
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: a toggle-button group (WAI-ARIA), not a form fieldset. */}
        <div class="segmented" role="group" aria-label="Chart range">
          {CHART_RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
              {RANGE_LABELS[r]}
            </button>
          ))}
        </div>
      </div>
      {error ? (
        <p class="empty error-text">{error}</p>
      ) : data.xs.length < 2 ? (
        <p class="empty">{series ? 'Not enough history for this range yet.' : 'Loading chart…'}</p>
      ) : (
        <div class="chart-frame" role="img" aria-label={description}>
          <LineChart xs={data.xs} ys={data.ys} privacy={privacy} scheme={scheme} onHover={setHover} />
        </div>
      )}
    </section>
  );
}
