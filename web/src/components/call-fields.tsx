// The two fields the Cost and Compare pages share: when the call was made (UTC) and how many calls a
// month the estimate is for (web/README.md "Cost").
export function CallFields(props: {
  at: string;
  onAt: (value: string) => void;
  n: string;
  onN: (value: string) => void;
}) {
  return (
    <>
      <label>
        Time of the call (UTC; empty: now)
        <input
          name="at"
          type="datetime-local"
          value={props.at}
          onInput={(e) => props.onAt(e.currentTarget.value)}
        />
      </label>
      <label>
        Calls a month
        <input
          name="n"
          inputMode="numeric"
          autoComplete="off"
          value={props.n}
          onInput={(e) => props.onN(e.currentTarget.value)}
        />
      </label>
    </>
  );
}
