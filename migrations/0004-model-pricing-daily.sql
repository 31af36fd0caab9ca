-- The original design's daily price table, now a view: the latest observation per model,
-- provider, source and day. security_invoker makes the caller's RLS and grants apply (a plain view
-- would read with its owner's rights and leak past RLS).
-- Through PostgREST, select money as text (`select=prompt::text`): numeric becomes a JSON number.
create or replace view public.model_pricing_daily
  with (security_invoker = true)
as
select distinct on (o.model_id, o.provider, o.source_type, o.snapshot_date)
  o.model_id,
  o.provider,
  o.source_type,
  o.snapshot_date,
  o.price_key,
  o.event_id,
  o.observed_at,
  o.status,
  o.unavailable_reason,
  o.currency,
  o.prompt,
  o.completion,
  o.internal_reasoning,
  o.input_cache_read,
  o.input_cache_write,
  o.request,
  o.image,
  o.web_search,
  o.notes,
  o.source_url
from public.price_observations o
order by o.model_id, o.provider, o.source_type, o.snapshot_date, o.observed_at desc, o.event_id desc;
