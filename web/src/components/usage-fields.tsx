// The usage profile of a call, as the Cost and Compare forms take it: typed token counts, or a usage
// object pasted as JSON with its format (web/README.md "Cost"). Local state only: the page writes it
// to the URL when its form is submitted.
import { COUNT_FIELDS, USAGE_FORMATS, type UsageDraft, type UsageFormat } from '../core/usage.ts';

export function UsageFields(props: {
  idPrefix: string;
  draft: UsageDraft;
  onChange: (next: UsageDraft) => void;
}) {
  const { draft, idPrefix: id } = props;
  const set = (patch: Partial<UsageDraft>) => props.onChange({ ...draft, ...patch });
  return (
    <fieldset class="usage">
      <legend>The call’s usage</legend>
      <div class="modes">
        <label class="check">
          <input
            type="radio"
            name={`${id}-mode`}
            value="counts"
            checked={draft.mode === 'counts'}
            onChange={() => set({ mode: 'counts' })}
          />
          Token counts
        </label>
        <label class="check">
          <input
            type="radio"
            name={`${id}-mode`}
            value="json"
            checked={draft.mode === 'json'}
            onChange={() => set({ mode: 'json' })}
          />
          Paste a usage object (OpenAI, Anthropic, Gemini, Cohere, OpenRouter)
        </label>
      </div>
      {draft.mode === 'counts' ? (
        <div class="counts">
          {COUNT_FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              <input
                name={f.key}
                inputMode="numeric"
                autoComplete="off"
                value={draft.counts[f.key]}
                placeholder="0"
                onInput={(e) => set({ counts: { ...draft.counts, [f.key]: e.currentTarget.value } })}
              />
            </label>
          ))}
        </div>
      ) : (
        <div class="paste">
          <label>
            Format
            <select
              name="format"
              value={draft.format}
              onChange={(e) => set({ format: e.currentTarget.value as UsageFormat | '' })}
            >
              <option value="">auto (detected from the keys)</option>
              {USAGE_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>
              Usage object (JSON: a response’s <code>usage</code>, or the whole response)
            </span>
            <textarea
              name="usage"
              rows={8}
              spellcheck={false}
              value={draft.text}
              placeholder='{"prompt_tokens": 1200, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1000}}'
              onInput={(e) => set({ text: e.currentTarget.value })}
            />
          </label>
        </div>
      )}
    </fieldset>
  );
}
