// Requests, tokens or points per day (the last 14 days) and per model, as bar charts (recharts).
// Colours come from the theme's CSS variables, so the charts follow light and dark.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { formatNumber } from '../../lib/format';
import type { DayPoint, ModelPoint, Totals } from '../../lib/overview';
import { Card } from '../Card';

type Metric = Exclude<keyof Totals, 'errors'>;
const METRICS: readonly Metric[] = ['requests', 'tokens', 'points'];

// Theme colours and chart settings, kept out of the JSX (they are not user-visible text).
const ACCENT = 'var(--accent)';
const GRID = 'var(--border)';
const AXIS_LINE = { stroke: GRID };
const CURSOR = { fill: 'var(--accent-soft)', stroke: 'none' };
const LABEL_STYLE = { color: 'var(--muted)' };
const VERTICAL = 'vertical';
const NUMBER = 'number';
const CATEGORY = 'category';
const DAY_KEY = 'label';
const MODEL_KEY = 'model';
const AXIS_TICK = { fill: 'var(--muted)', fontSize: 12 };
const TOOLTIP_STYLE = {
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  borderRadius: 8,
  color: 'var(--text)',
};

/** A model id without its 3.x provider prefix (`anthropic::claude-sonnet-4-6` → `claude-sonnet-4-6`),
 * so the axis has room; the tooltip keeps the full id. */
function shortModel(id: string): string {
  const cut = id.lastIndexOf('::');
  return cut < 0 ? id : id.slice(cut + 2);
}

function compact(value: number): string {
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

interface UsageChartsProps {
  days: DayPoint[];
  models: ModelPoint[];
}

export default function UsageCharts({ days, models }: UsageChartsProps) {
  const { t } = useTranslation();
  const [metric, setMetric] = useState<Metric>('requests');
  const label = t(`overview.metric.${metric}`);
  const shownDays = days.map((point) => ({ ...point, label: point.day.slice(5) }));
  const shownModels = models.slice(0, 8);
  return (
    <Card
      id="ov-charts-heading"
      title={t('overview.charts.heading')}
      className="ov-charts"
      aside={
        <div className="ov-segmented" role="group" aria-label={t('overview.charts.metric')}>
          {METRICS.map((candidate) => (
            <button
              key={candidate}
              type="button"
              className="ov-segment"
              aria-pressed={candidate === metric}
              onClick={() => setMetric(candidate)}
            >
              {t(`overview.metric.${candidate}`)}
            </button>
          ))}
        </div>
      }
    >
      <div className="ov-chart-grid">
        <figure className="ov-chart">
          <figcaption className="muted small">{t('overview.charts.perDay', { metric: label })}</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={shownDays} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey={DAY_KEY} tick={AXIS_TICK} tickLine={false} axisLine={AXIS_LINE} />
              <YAxis tick={AXIS_TICK} tickLine={false} axisLine={false} width={48} tickFormatter={compact} allowDecimals={false} />
              <Tooltip
                cursor={CURSOR}
                contentStyle={TOOLTIP_STYLE}
                labelStyle={LABEL_STYLE}
                formatter={(value) => [formatNumber(Number(value)), label]}
              />
              <Bar dataKey={metric} fill={ACCENT} radius={[4, 4, 0, 0]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
        <figure className="ov-chart">
          <figcaption className="muted small">{t('overview.charts.perModel', { metric: label })}</figcaption>
          {shownModels.length === 0 ? (
            <p className="empty">{t('overview.charts.empty')}</p>
          ) : (
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={shownModels} layout={VERTICAL} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid stroke={GRID} horizontal={false} />
                <XAxis type={NUMBER} tick={AXIS_TICK} tickLine={false} axisLine={AXIS_LINE} tickFormatter={compact} allowDecimals={false} />
                <YAxis type={CATEGORY} dataKey={MODEL_KEY} tick={AXIS_TICK} tickLine={false} axisLine={false} width={140} tickFormatter={shortModel} />
                <Tooltip
                  cursor={CURSOR}
                  contentStyle={TOOLTIP_STYLE}
                  labelStyle={LABEL_STYLE}
                  formatter={(value) => [formatNumber(Number(value)), label]}
                />
                <Bar dataKey={metric} fill={ACCENT} radius={[0, 4, 4, 0]} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </figure>
      </div>
    </Card>
  );
}
