/** Preact glue: follow the store, keep relative times fresh, follow the OS colour scheme. */
import { useEffect, useState } from 'preact/hooks';
import { tickIntervalMs } from '../lib/relative-time.js';
import type { AppState, AppStore } from '../state/app-store.js';

export function useAppState(store: AppStore): AppState {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    setState(store.state);
    return store.subscribe(setState);
  }, [store]);
  return state;
}

/**
 * The current time, re-rendered every second while a relative label counts seconds and every 30 s
 * otherwise. This is the only timer the windows run; data itself comes from pushed events.
 */
export function useNow(times: readonly (string | null | undefined)[]): Date {
  const [now, setNow] = useState(() => new Date());
  const key = times.join('|');
  useEffect(() => {
    const interval = tickIntervalMs(times, now);
    if (interval === null) return;
    const timer = setTimeout(() => setNow(new Date()), interval);
    return () => clearTimeout(timer);
  }, [now, key]);
  return now;
}

export function useColorScheme(): 'light' | 'dark' {
  const query = '(prefers-color-scheme: dark)';
  const [scheme, setScheme] = useState<'light' | 'dark'>(() =>
    matchMedia(query).matches ? 'dark' : 'light',
  );
  useEffect(() => {
    const media = matchMedia(query);
    const onChange = () => setScheme(media.matches ? 'dark' : 'light');
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return scheme;
}
