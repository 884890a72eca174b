-- case: UPDATE and DELETE of every row
UPDATE public.orders SET status = 'new';
DELETE FROM sessions;
