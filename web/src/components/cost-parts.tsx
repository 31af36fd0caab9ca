// Parts of a /v1/cost answer shared by the Cost and Compare pages.
import { componentText, tierText, type CostComponent } from '../core/cost.ts';

/** The components of one provider's cost: `count × rate = amount` and the tier that applied. */
export function ComponentsTable(props: { components: readonly CostComponent[]; caption: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={props.caption} tabIndex={0}>
      <table class="components">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Count × rate = amount</th>
            <th scope="col">Tier</th>
          </tr>
        </thead>
        <tbody>
          {props.components.map((c) => (
            <tr key={`${c.dimension}|${c.tier ?? ''}`} data-dimension={c.dimension}>
              <th scope="row">{c.dimension}</th>
              <td class="num">{componentText(c)}</td>
              <td>
                <code>{tierText(c)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The consumer's notes and warnings, as is. */
export function CostNotes(props: { notes: readonly string[]; warnings: readonly string[] }) {
  if (props.notes.length === 0 && props.warnings.length === 0) return null;
  return (
    <ul class="cost-notes">
      {props.warnings.map((w) => (
        <li key={`w${w}`} class="warning">
          <strong>Warning:</strong> {w}
        </li>
      ))}
      {props.notes.map((n) => (
        <li key={`n${n}`}>{n}</li>
      ))}
    </ul>
  );
}
