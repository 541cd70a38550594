/**
 * The trading vocabulary shared by the domain logic (FIFO matching, position math) and the store's
 * rows: what kind of asset, which side of a trade, whether it opens or closes, how a lot closed.
 */
export type AssetType = 'stock' | 'option';
export type Direction = 'long' | 'short';
export type OptionType = 'call' | 'put';
export type Side = 'buy' | 'sell';
export type PositionEffect = 'open' | 'close';
export type CloseReason = 'closed' | 'expired' | 'assigned' | 'exercised';
