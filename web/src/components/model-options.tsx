import { useApi } from '../api.ts';

/**
 * A <datalist> of every model id /v1/models lists, for a text input's `list`: a convenience, so a
 * failure leaves the list empty (the field still takes any id, and the page that uses it says what
 * the API answers for that id).
 */
export function ModelOptions(props: { id: string }) {
  const models = useApi<{ data: readonly { id: string; name?: string }[] }>('/models');
  return (
    <datalist id={props.id}>
      {models.status === 'ok'
        ? models.data.data.map((m) => <option key={m.id} value={m.id} label={m.name ?? m.id} />)
        : null}
    </datalist>
  );
}
