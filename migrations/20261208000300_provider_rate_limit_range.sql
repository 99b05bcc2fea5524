-- A provider's `rate_limits.requests_per_minute` is what the registry reads (1 to 100,000, as
-- shared/providers/capabilities.ts parses it) and what the metrics overview casts to integer; a
-- value past that (an admin's typo of 1e12) made every metrics route fail. Refused at the source.
alter table public.api_providers add constraint api_providers_requests_per_minute_range check (
  jsonb_typeof(rate_limits -> 'requests_per_minute') is distinct from 'number'
  or (rate_limits ->> 'requests_per_minute')::numeric between 1 and 100000
);
