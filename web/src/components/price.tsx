// A price as text: exact (web/README.md "Numbers"), with its unit; a price that is not priced is an em
// dash that says so to a screen reader.
import { amountText } from '../core/dimensions.ts';
import { usd } from '../core/money.ts';

export function Price(props: {
  amount: string | null | undefined;
  /** A dimension name: a ratio (discount) reads as a percentage. Default: a USD amount. */
  dimension?: string;
  /** After the amount: `/1M`, `per request`. */
  unit?: string;
  class?: string;
}) {
  const { amount, dimension, unit } = props;
  if (amount === null || amount === undefined)
    return (
      <span class={props.class} role="img" aria-label="not priced" title="not priced">
        —
      </span>
    );
  const text = dimension === undefined ? usd(amount) : amountText(dimension, amount);
  return (
    <span class={props.class}>
      {text}
      {unit ? <span class="unit"> {unit}</span> : null}
    </span>
  );
}
