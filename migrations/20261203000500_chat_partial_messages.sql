-- A reply the user saw only in part (the client went away mid-stream) is kept, marked as such:
-- messages.message_type gains 'partial'. Nothing the user saw is lost.

alter table public.messages drop constraint messages_message_type_check;
alter table public.messages add constraint messages_message_type_check
  check (message_type in ('text', 'image', 'system', 'partial'));
comment on column public.messages.message_type is 'text, image or system; partial for an assistant reply cut short when the client disconnected mid-stream (kept as far as it was shown).';
