/** How many stock and option positions each account holds now (for the engine's metrics). */
import type { Queryable } from '../repos/common.js';

export interface PositionCounts {
  /** The account as stored (masked key). */
  account: string;
  stock: number;
  option: number;
}

export async function readPositionCounts(db: Queryable): Promise<PositionCounts[]> {
  const rows = (await db('positions')
    .select('account_number', 'asset_type')
    .count({ n: '*' })
    .groupBy('account_number', 'asset_type')) as Array<{
    account_number: string;
    asset_type: string;
    n: string | number;
  }>;
  const byAccount = new Map<string, PositionCounts>();
  for (const row of rows) {
    const entry = byAccount.get(row.account_number) ?? { account: row.account_number, stock: 0, option: 0 };
    entry[row.asset_type === 'option' ? 'option' : 'stock'] = Number(row.n);
    byAccount.set(row.account_number, entry);
  }
  return [...byAccount.values()];
}
