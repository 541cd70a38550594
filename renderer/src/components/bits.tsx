/** Small shared pieces: amounts (maskable), signed changes, relative times, sortable headers. */
import type { ComponentChildren } from 'preact';
import { relativeTime } from '../../../shared/relative-time.js';
import { formatSignedMoney, MASK, trendOf } from '../lib/format.js';
import { absoluteTime } from '../lib/relative-time.js';
import { ariaSort, type SortState } from '../lib/sort.js';
import { Icon } from './Icon.js';

/**
 * An amount that privacy mode hides. `data-amount` marks it so the whole page can be checked; the
 * masked form gets an accessible name instead of five bullets read out one by one.
 */
export function Amount({
  text,
  privacy,
  class: className,
}: {
  text: string;
  privacy: boolean;
  class?: string;
}) {
  const classes = `amount${className ? ` ${className}` : ''}`;
  if (privacy && text === MASK) {
    return (
      <span class={classes} data-amount="" role="img" aria-label="hidden amount">
        {text}
      </span>
    );
  }
  return (
    <span class={classes} data-amount="">
      {text}
    </span>
  );
}

/** "+$312.40 (+0.65%)" with an arrow and colour; the sign is always in the text as well. */
export function Change({
  value,
  percent,
  privacy,
  percentText,
}: {
  value: string | null;
  percent?: string | null;
  privacy: boolean;
  percentText?: string;
}) {
  const trend = trendOf(value ?? percent);
  return (
    <span class={`change change-${trend}`}>
      {trend !== 'flat' && <Icon name={trend === 'up' ? 'arrowUp' : 'arrowDown'} class="change-arrow" />}
      <Amount text={formatSignedMoney(value, { privacy })} privacy={privacy} />
      {percentText !== undefined && percent !== null && <span class="change-pct"> ({percentText})</span>}
    </span>
  );
}

export function RelTime({
  iso,
  now,
  fallback = 'never',
}: {
  iso: string | null | undefined;
  now: Date;
  fallback?: string;
}) {
  if (!iso) return <span class="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

/** A column header that sorts on click, Enter or Space (it is a button), with aria-sort. */
export function SortHeader<K extends string>({
  label,
  column,
  sort,
  onSort,
  align = 'left',
  title,
}: {
  label: ComponentChildren;
  column: K;
  sort: SortState<K>;
  onSort: (column: K) => void;
  align?: 'left' | 'right';
  title?: string;
}) {
  const state = ariaSort(sort, column);
  return (
    <th scope="col" aria-sort={state} class={align === 'right' ? 'num' : undefined} title={title}>
      <button type="button" class="sort-button" onClick={() => onSort(column)}>
        <span>{label}</span>
        <Icon
          name={state === 'ascending' ? 'arrowUp' : state === 'descending' ? 'arrowDown' : 'sortBoth'}
          class={`sort-icon${state === 'none' ? ' sort-idle' : ''}`}
        />
      </button>
    </th>
  );
}

export function Section({
  id,
  title,
  actions,
  children,
  class: className,
}: {
  id: string;
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card${className ? ` ${className}` : ''}`} aria-labelledby={`${id}-title`}>
      <div class="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions && <div class="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A horizontally scrollable table holder; focusable so keyboard users can scroll it. */
export function TableWrap({
  label,
  class: className,
  children,
}: {
  label: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <section
      class={`table-wrap${className ? ` ${className}` : ''}`}
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
      tabIndex={0}
    >
      {children}
    </section>
  );
}
