-- case: a SECURITY DEFINER function without SET search_path
CREATE FUNCTION billing.charge() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;
