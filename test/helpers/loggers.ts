/**
 * Loggers for tests that hand a runtime its logger: the runtime wants a RootLogger (child, close,
 * logFileProblem), tests want silence or the records.
 */
import type { RootLogger } from '../../main/logging/index.js';
import { collectingLogger, type LogMeta } from '../../main/util/logger.js';

export type CollectingLogger = ReturnType<typeof collectingLogger>;

/** A RootLogger that keeps every record in `inner.records` (child meta merged in). */
export function collectingRootLogger(inner: CollectingLogger = collectingLogger()): RootLogger & {
  records: CollectingLogger['records'];
} {
  const wrap = (meta: LogMeta): RootLogger => ({
    debug: (m, extra) => inner.debug(m, { ...meta, ...extra }),
    info: (m, extra) => inner.info(m, { ...meta, ...extra }),
    warn: (m, extra) => inner.warn(m, { ...meta, ...extra }),
    error: (m, extra) => inner.error(m, { ...meta, ...extra }),
    child: (more) => wrap({ ...meta, ...more }),
    close: async () => undefined,
    logFileProblem: () => null,
  });
  return Object.assign(wrap({}), { records: inner.records });
}

export function silentRootLogger(): RootLogger {
  return collectingRootLogger();
}
